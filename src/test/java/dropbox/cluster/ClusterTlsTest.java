package dropbox.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.Config;
import dropbox.bus.Listing;
import dropbox.bus.Priority;
import dropbox.bus.StorageClient;
import dropbox.testing.PostgresServer;
import dropbox.testing.ServerProcess;
import dropbox.testing.Tools;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real node processes with --tls-self-signed on one storage root (the first generates the pair, the
 * second reuses it): their event bus runs over mutual TLS. Files move between them over HTTPS; a member
 * holding the certificate is served over the bus, and a member without TLS is not.
 */
class ClusterTlsTest {
  static final List<String> JVM = List.of("-Xmx256m", "-Djava.net.preferIPv4Stack=true",
      "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/java.nio=ALL-UNNAMED",
      "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens", "java.management/sun.management=ALL-UNNAMED",
      "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED");
  private static final Pattern TCPS = Pattern.compile("ready tcp=-?\\d+ http=\\d+ tcps=(\\d+)");

  @TempDir static Path dir;
  static Path root;
  static Path cert;
  static int[] hz;
  static String members;
  static String name;
  static ServerProcess nodeA;
  static ServerProcess nodeB;
  static PostgresServer pg;
  static final List<Vertx> members_ = new ArrayList<>();

  @BeforeAll
  static void startCluster() throws Exception {
    Tools.require("curl");
    root = Files.createDirectories(dir.resolve("storage"));
    hz = new int[] {ClusterTestSupport.freePort(), ClusterTestSupport.freePort(), ClusterTestSupport.freePort(),
        ClusterTestSupport.freePort()};
    members = ClusterTestSupport.members(hz);
    name = ClusterTestSupport.newClusterName();
    Path config = dir.resolve("config.json");
    pg = PostgresServer.start(); // the nodes share one database, as a cluster on v2 must
    Files.writeString(config, new JsonObject().put("cluster", new JsonObject().put("name", name))
        .put("tcp", new JsonObject().put("tlsPort", 0)).mergeIn(ClusterTestSupport.database(pg, pg.newSchema()))
        .encode());
    nodeA = start(config, hz[0]);
    nodeB = start(config, hz[1]);
    cert = root.resolve("tls").resolve("selfsigned-cert.pem");
  }

  static ServerProcess start(Path config, int hzPort) throws Exception {
    return ServerProcess.start(JVM, "--config", config.toString(), "--storage", root.toString(),
        "--host", "127.0.0.1", "--tcp-port", "0", "--http-port", "0", "--tls-self-signed",
        "--users", dir.resolve("none.properties").toString(),
        "--cluster", "--cluster-host", "127.0.0.1", "--cluster-port", String.valueOf(hzPort),
        "--cluster-members", members);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    for (Vertx v : members_) v.close().await(30, TimeUnit.SECONDS);
    List<String> blocked = ServerProcess.closeAll(nodeB, nodeA);
    if (pg != null) pg.close();
    assertTrue(blocked.isEmpty(), "a node blocked an event loop or worker: " + blocked);
  }

  static Tools.Result curl(int port, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--cacert", cert.toString(), "--max-time", "60"));
    cmd.addAll(List.of(args).subList(0, args.length - 1));
    cmd.add("https://localhost:" + port + args[args.length - 1]);
    return Tools.run(cmd, new byte[0], 90);
  }

  @Test
  void bothNodesUseTheOnePairAndTheirBusIsMutualTls() throws Exception {
    String fpA = null;
    for (ServerProcess p : new ServerProcess[] {nodeA, nodeB}) {
      String out = String.join("\n", p.output());
      assertTrue(out.contains("event bus over mutual TLS"), out);
      Matcher m = TCPS.matcher(out);
      assertTrue(m.find(), "the ready line names the TLS port: " + out);
      Matcher f = Pattern.compile("SHA-256 fingerprint ([0-9A-F:]{95})").matcher(out);
      assertTrue(f.find(), out);
      if (fpA == null) fpA = f.group(1);
      else assertEquals(fpA, f.group(1), "the second node reused the first node's pair");
    }
  }

  @Test
  void aFileUploadedOnOneNodeIsDownloadableOnTheOther() throws Exception {
    String body = new JsonObject().put("username", "clara").put("password", "pw-clara").encode();
    Tools.Result signup = curl(nodeA.httpPort(), "-H", "Content-Type: application/json", "-d", body, "/api/signup");
    assertTrue(signup.out().contains("clara"), signup.toString());
    String token = new JsonObject(curl(nodeB.httpPort(), "-H", "Content-Type: application/json", "-d", body,
        "/api/login").out()).getString("token");
    byte[] data = new byte[2_000_000];
    new Random(11).nextBytes(data);
    for (int i = 0; i < 4; i++) {
      // Several files: the bus spreads commands over both nodes' storage workers, so bytes cross it.
      Path src = Files.write(dir.resolve("f" + i), data);
      Tools.Result put = curl(nodeA.httpPort(), "-H", "Authorization: Bearer " + token, "-T", src.toString(),
          "-w", "%{http_code}", "-o", "/dev/null", "/api/files/f" + i);
      assertEquals("201", put.out(), put.toString());
      Path back = dir.resolve("back" + i);
      Tools.Result get = curl(nodeB.httpPort(), "-H", "Authorization: Bearer " + token, "-o", back.toString(),
          "-w", "%{http_code}", "/api/files/f" + i);
      assertEquals("200", get.out(), get.toString());
      assertArrayEquals(data, Files.readAllBytes(back));
    }
  }

  @Test
  void aMemberWithTheCertificateIsServedOverTheBusAndOneWithoutTlsIsNot() throws Exception {
    JsonObject withTls = ClusterTestSupport.config(name, hz[2], members);
    Config.put(withTls, "tls.certFile", cert.toString());
    Config.put(withTls, "tls.keyFile", root.resolve("tls").resolve("selfsigned-key.pem").toString());
    Vertx good = ClusterSetup.startClustered(withTls, new VertxOptions()).await(60, TimeUnit.SECONDS);
    members_.add(good);
    StorageClient viaTls = new StorageClient(good, 20_000);
    // No storage workers here: every answer comes from a node process, over the TLS bus.
    for (int i = 0; i < 6; i++) {
      Listing l = viaTls.list("nobody" + i, Priority.MEDIUM).await(30, TimeUnit.SECONDS);
      assertEquals(0, l.files().size());
    }

    Vertx plain = ClusterSetup.startClustered(ClusterTestSupport.config(name, hz[3], members), new VertxOptions())
        .await(60, TimeUnit.SECONDS);
    members_.add(plain);
    StorageClient viaPlain = new StorageClient(plain, 5_000);
    assertThrows(Exception.class, () -> viaPlain.list("nobody", Priority.MEDIUM).await(30, TimeUnit.SECONDS),
        "a node's bus must not answer a member that does not speak TLS");
  }
}
