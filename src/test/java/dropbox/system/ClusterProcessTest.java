package dropbox.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.bus.ErrorCode;
import dropbox.bus.FileInfo;
import dropbox.bus.Listing;
import dropbox.bus.Preconditions;
import dropbox.bus.Priority;
import dropbox.bus.StorageClient;
import dropbox.bus.StorageException;
import dropbox.bus.UploadTicket;
import dropbox.cluster.ClusterTestSupport;
import dropbox.testing.ClassicClient;
import dropbox.testing.PostgresServer;
import dropbox.testing.ServerProcess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import dropbox.cluster.ClusterSetup;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real nodes as separate JVMs (`dropbox.Main --cluster`) on one shared storage directory, driven through
 * the StorageClient of a clustered Vert.x in this JVM (a member without storage workers, so every command
 * is served by a node process). The nodes are started once; the tests run in order and build on each
 * other: quota race across nodes, kill -9 of node A during uploads, node C joining and taking over.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public class ClusterProcessTest {
  /** Hazelcast wants these on Java 17; without them it only warns, but the nodes should run as shipped. */
  public static final List<String> JVM = List.of("-Xmx256m", "-Djava.net.preferIPv4Stack=true",
      "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/java.nio=ALL-UNNAMED",
      "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens", "java.management/sun.management=ALL-UNNAMED",
      "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED");
  private static final long QUOTA = 1000;
  /** The quota of "stuck", whose upload through node A is cut off by A's death. */
  private static final long STUCK_QUOTA = 1_000_000;
  private static final long LOCK_TTL_MS = 3000;

  @TempDir static Path dir;
  private static Path root;
  private static Path configFile;
  private static int[] hz;
  private static String members;
  private static ServerProcess nodeA;
  private static ServerProcess nodeB;
  private static ServerProcess nodeC;
  private static Vertx self;
  private static StorageClient client;
  /** The database the nodes share: a cluster on the default engine (v2) runs on PostgreSQL. */
  private static PostgresServer pg;
  private static String schema;

  @BeforeAll
  static void startCluster() throws Exception {
    root = Files.createDirectories(dir.resolve("storage"));
    hz = new int[] {ClusterTestSupport.freePort(), ClusterTestSupport.freePort(), ClusterTestSupport.freePort(),
        ClusterTestSupport.freePort()};
    members = ClusterTestSupport.members(hz);
    String name = ClusterTestSupport.newClusterName();
    configFile = dir.resolve("config.json");
    pg = PostgresServer.start();
    schema = pg.newSchema();
    // A short lock TTL: locks a killed node held must free up well within the 10 s lock timeout.
    Files.writeString(configFile, new JsonObject()
        .put("cluster", new JsonObject().put("name", name))
        .put("locks", new JsonObject().put("ttlMillis", LOCK_TTL_MS))
        .put("quota", new JsonObject().put("users", new JsonObject().put("racer", QUOTA).put("stuck", STUCK_QUOTA)))
        .mergeIn(ClusterTestSupport.database(pg, schema))
        .encode());
    // Both JVMs boot in parallel: most of a node's start is JVM and Hazelcast warm-up.
    nodeA = startNode(hz[0]).await(90, TimeUnit.SECONDS);
    nodeB = startNode(hz[1]).await(90, TimeUnit.SECONDS);
    self = ClusterSetup.startClustered(ClusterTestSupport.config(name, hz[3], members), new VertxOptions())
        .await(60, TimeUnit.SECONDS);
    client = new StorageClient(self, 10_000);
  }

  private static Future<ServerProcess> startNode(int hzPort) {
    java.util.concurrent.CompletableFuture<ServerProcess> f = new java.util.concurrent.CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        f.complete(ServerProcess.start(JVM, "--config", configFile.toString(), "--storage", root.toString(),
            "--tcp-port", "0", "--http-port", "0", "--default-quota", String.valueOf(1L << 30),
            "--cluster", "--cluster-host", "127.0.0.1", "--cluster-port", String.valueOf(hzPort),
            "--cluster-members", members));
      } catch (Throwable e) {
        f.completeExceptionally(e);
      }
    }, "start-node-" + hzPort);
    t.start();
    return Future.fromCompletionStage(f);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (self != null) self.close().await(30, TimeUnit.SECONDS);
    List<String> blocked = ServerProcess.closeAll(nodeC, nodeB, nodeA);
    if (pg != null) pg.close();
    assertTrue(blocked.isEmpty(), "a node blocked an event loop or worker: " + blocked);
  }

  @Test
  @Order(1)
  void concurrentUploadsOverTheQuotaAcrossNodesExactlyThoseThatFitSucceed() throws Exception {
    assertEquals(2, storageNodes(), "both node processes serve storage");
    int n = 10;
    byte[] data = new byte[300]; // 3 fit in 1000 bytes, 4 do not
    List<Future<FileInfo>> uploads = new ArrayList<>();
    for (int i = 0; i < n; i++) uploads.add(uploadAsync("racer", "f" + i, data));
    int ok = 0;
    for (Future<FileInfo> u : uploads) {
      try {
        u.await(30, TimeUnit.SECONDS);
        ok++;
      } catch (StorageException e) {
        assertEquals(ErrorCode.QUOTA_EXCEEDED, e.code(), e.getMessage());
      }
    }
    assertEquals(3, ok);
    Listing l = client.list("racer", Priority.HIGH).await(10, TimeUnit.SECONDS);
    assertEquals(3, l.files().size());
    assertEquals(900, l.usage().usedBytes());
  }

  @Test
  @Order(2)
  void whatOneNodeAcceptsAnotherServesAndAccountsAndTokensAreClusterWide() throws Exception {
    byte[] data = new byte[200_000];
    new Random(7).nextBytes(data);
    try (ClassicClient onA = ClassicClient.connect(nodeA.tcpPort()).signupOrLogin("roamer", "secret1")) {
      assertEquals(ClassicClient.SUCCESS + ClassicClient.PROMPT, onA.upload("big.bin", data));
    }
    try (ClassicClient onB = ClassicClient.connect(nodeB.tcpPort()).signupOrLogin("roamer", "secret1")) {
      ClassicClient.Download d = onB.download("big.bin");
      assertTrue(d.ok(), d.trailer());
      assertEquals(sha(data), sha(d.data()));
      assertTrue(onB.command("LIST").contains("big.bin"));
    }
    // An HTTP token issued by A is accepted by B, and a logout on B ends it on A too.
    HttpClient http = HttpClient.newHttpClient();
    String login = new JsonObject().put("username", "roamer").put("password", "secret1").encode();
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nodeA.httpPort()
        + "/api/login")).header("Content-Type", "application/json").POST(BodyPublishers.ofString(login)).build(),
        BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    String token = new JsonObject(r.body()).getString("token");
    HttpResponse<byte[]> file = http.send(authorized(nodeB, "/api/files/big.bin", token).GET().build(),
        BodyHandlers.ofByteArray());
    assertEquals(200, file.statusCode());
    assertEquals(sha(data), sha(file.body()));
    assertEquals(204, http.send(authorized(nodeB, "/api/logout", token).POST(BodyPublishers.noBody()).build(),
        BodyHandlers.discarding()).statusCode());
    assertEquals(401, http.send(authorized(nodeA, "/api/files", token).GET().build(),
        BodyHandlers.discarding()).statusCode());
  }

  private static HttpRequest.Builder authorized(ServerProcess node, String path, String token) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
        .header("Authorization", "Bearer " + token);
  }

  @Test
  @Order(3)
  void killMinus9OfANodeDuringUploadsLosesNothingAcknowledgedAndTheSurvivorServes() throws Exception {
    Map<String, String> acked = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < 4; w++) {
      int id = w;
      Thread t = new Thread(() -> uploadUntilStopped("crash" + id, acked, stop));
      writers.add(t);
      t.start();
    }
    waitFor(() -> acked.size() >= 20, 30_000, "uploads acknowledged before the kill");
    // A TCP client in the middle of a 900 kB upload through A: its reservation leaves "stuck" no room.
    ClassicClient stuck = ClassicClient.connect(nodeA.tcpPort()).signupOrLogin("stuck", "secret1");
    stuck.sendLine("UPLOAD half.bin");
    assertEquals("SEND_FILE_DATA\n", stuck.readLine());
    stuck.send(ClassicClient.le64(900_000));
    stuck.send(new byte[100_000]);
    Path stuckStaging = root.resolve("staging/stuck"); // v2: the blob store's staging, per user
    waitFor(() -> stagingBytes(stuckStaging) > 0, 10_000, "A writes the upload into its staging file");
    assertEquals(ErrorCode.QUOTA_EXCEEDED, quotaProbe().code(), "the reservation holds the quota");

    nodeA.kill9();
    long killedAt = System.nanoTime();
    int before = acked.size();
    // The upload died with A. Once the cluster reports A gone, A's locks have expired and its heartbeat is
    // 30 s old, the survivor releases A's reservations: the quota is back within about 32 s, not the
    // 10-minute staleness period.
    // Timed on the shared root itself (the survivor's commands may wait on A's registrations meanwhile).
    waitFor(() -> reservations("stuck") == 0 && stagingBytes(stuckStaging) == 0, 60_000,
        "the dead node's reservation and staging file released");
    long freedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
    System.out.println("ClusterProcessTest: quota of a dead node's upload freed " + freedMs + " ms after kill -9"
        + " (locks.ttlMillis " + LOCK_TTL_MS + ")");
    waitFor(() -> quotaProbe() == null, 30_000, "the survivor lets stuck use the freed quota");
    stuck.close();
    // The survivor must take all the work once the cluster has noticed the loss.
    waitFor(() -> acked.size() >= before + 20, 60_000, "uploads acknowledged after the kill");
    stop.set(true);
    for (Thread t : writers) t.join(30_000);

    for (int w = 0; w < 4; w++) {
      String user = "crash" + w;
      // A commit cut short by the kill may have published the file but not the ledger; the survivor
      // repairs that once the dead node's locks have expired (lock TTL + 2 s).
      waitFor(() -> ledgerMatchesFiles(user), 20_000, "ledger of " + user + " equals its listed sizes");
      Listing l = client.list(user, Priority.HIGH).await(10, TimeUnit.SECONDS);
      for (FileInfo f : l.files()) {
        String want = acked.remove(user + "/" + f.name());
        if (want == null) continue; // committed by A just before it died, never acknowledged: allowed
        byte[] got = dropbox.testing.Contents.bytes(client.openDownload(user, f.name(), Priority.HIGH)
            .await(10, TimeUnit.SECONDS));
        assertEquals(want, sha(got), "content of " + user + "/" + f.name());
      }
    }
    assertTrue(acked.isEmpty(), "acknowledged but missing: " + acked.keySet());

    // Read-only fsck next to a live node: the survivor has already repaired what the dead one left.
    ServerProcess.Result check = ServerProcess.run("fsck", "--config", configFile.toString(),
        "--storage", root.toString());
    assertEquals(0, check.exitCode(), check.output());
    upload("crash0", "after-fsck", "still serving".getBytes());
  }

  @Test
  @Order(4)
  void aNodeJoiningLaterServesRequests() throws Exception {
    nodeC = startNode(hz[2]).await(90, TimeUnit.SECONDS);
    waitFor(() -> storageNodes() == 2, 30_000, "node C registered its storage workers");
    nodeB.stop(); // the JVM's exit status after SIGTERM is 143 even when the shutdown hook ran through
    waitFor(() -> nodeB.output().stream().anyMatch(line -> line.endsWith(" - stopped")), 5000,
        "node B ran its shutdown to the end:\n" + String.join("\n", nodeB.output()));
    waitFor(() -> storageNodes() == 1, 30_000, "node B's workers gone");
    // Only C is left to serve.
    upload("late", "c.txt", "served by C".getBytes());
    try (ClassicClient onC = ClassicClient.connect(nodeC.tcpPort()).signupOrLogin("roamer", "secret1")) {
      assertTrue(onC.download("big.bin").ok(), "the file uploaded through A, served by C");
    }
    Listing l = client.list("late", Priority.HIGH).await(10, TimeUnit.SECONDS);
    assertEquals(List.of("c.txt"), l.files().stream().map(FileInfo::name).toList());
    assertEquals(3, client.list("racer", Priority.LOW).await(10, TimeUnit.SECONDS).files().size());
  }

  // ---------------------------------------------------------------------------------------------

  /** Tries to reserve 500 kB for "stuck": null if it fits (and gives it back), else the refusal. */
  private static StorageException quotaProbe() {
    try {
      UploadTicket t = client.openUpload("stuck", "probe", 500_000, Priority.HIGH).await(10, TimeUnit.SECONDS);
      client.abortUpload("stuck", t.uploadId()).await(10, TimeUnit.SECONDS);
      return null;
    } catch (StorageException e) {
      return e;
    } catch (Exception e) {
      return StorageClient.toStorageException(e);
    }
  }

  /** Open reservations of a user in the shared database (-1 when it cannot be read). */
  private static int reservations(String user) {
    try (Connection c = DriverManager.getConnection(pg.url(schema), PostgresServer.USER, "");
         PreparedStatement s = c.prepareStatement(
             "SELECT count(*) FROM reservations r JOIN users u ON u.id = r.user_id WHERE u.name_key = ?")) {
      s.setString(1, user);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    } catch (Exception e) {
      return -1;
    }
  }

  /** Bytes in the staging files of a user's directory (-1 when it cannot be read). */
  private static long stagingBytes(Path staging) {
    try (var files = Files.list(staging)) {
      return files.mapToLong(p -> p.toFile().length()).sum();
    } catch (Exception e) {
      return -1;
    }
  }

  private static boolean ledgerMatchesFiles(String user) {
    try {
      Listing l = client.list(user, Priority.HIGH).await(10, TimeUnit.SECONDS);
      return l.files().stream().mapToLong(FileInfo::size).sum() == l.usage().usedBytes()
          && l.files().size() == l.usage().fileCount();
    } catch (Exception e) {
      return false;
    }
  }

  /** Nodes with a storage consumer, as this member's cluster manager sees the registrations. */
  private static int storageNodes() {
    var cm = ((io.vertx.core.internal.VertxInternal) self).clusterManager();
    io.vertx.core.Promise<List<io.vertx.core.spi.cluster.RegistrationInfo>> p = io.vertx.core.Promise.promise();
    cm.getRegistrations(dropbox.bus.Addresses.STORAGE, p);
    try {
      return (int) p.future().await(10, TimeUnit.SECONDS).stream().map(r -> r.nodeId()).distinct().count();
    } catch (Exception e) {
      return -1;
    }
  }

  private static void uploadUntilStopped(String user, Map<String, String> acked, AtomicBoolean stop) {
    Random rnd = new Random(user.hashCode());
    for (int i = 0; !stop.get(); i++) {
      byte[] data = new byte[1000 + rnd.nextInt(64_000)];
      rnd.nextBytes(data);
      try {
        upload(user, "file" + i, data);
        acked.put(user + "/file" + i, sha(data));
      } catch (Exception e) {
        // In flight on the killed node, or refused while the cluster reshapes: never acknowledged.
      }
    }
  }

  private static void upload(String user, String name, byte[] data) throws Exception {
    uploadAsync(user, name, data).await(30, TimeUnit.SECONDS);
  }

  private static Future<FileInfo> uploadAsync(String user, String name, byte[] data) {
    String sha = sha(data);
    return client.openUpload(user, name, data.length, Priority.MEDIUM)
        .compose((UploadTicket t) -> self.executeBlocking(() -> {
          Files.write(Path.of(t.stagingPath()), data);
          return t;
        }))
        .compose(t -> client.commitUpload(user, name, t.uploadId(), data.length, sha, Preconditions.NONE,
            Priority.MEDIUM))
        .map(r -> r.file());
  }

  private static String sha(byte[] d) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(d));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void waitFor(java.util.function.BooleanSupplier cond, long ms, String what) throws Exception {
    long deadline = System.currentTimeMillis() + ms;
    while (!cond.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) throw new AssertionError("timed out waiting: " + what);
      Thread.sleep(100);
    }
  }
}
