package dropbox.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.Config;
import dropbox.Server;
import dropbox.cluster.ClusterTestSupport;
import dropbox.testing.PostgresServer;
import dropbox.testing.ClassicClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two clustered nodes on one storage root: a pair's failures on one node hold back its attempts on the other. */
class ClusterLoginThrottleTest {
  @TempDir static Path dir;
  static Vertx vertxA;
  static Vertx vertxB;
  static Server a;
  static Server b;
  static PostgresServer pg;
  static String schema;

  @BeforeAll
  static void start() throws Exception {
    pg = PostgresServer.start(); // the nodes share one database, as a cluster on v2 must
    schema = pg.newSchema();
    String cluster = ClusterTestSupport.newClusterName();
    int portA = ClusterTestSupport.freePort();
    int portB = ClusterTestSupport.freePort();
    String members = ClusterTestSupport.members(portA, portB);
    vertxA = ClusterTestSupport.start(cluster, portA, members);
    vertxB = ClusterTestSupport.start(cluster, portB, members);
    a = Server.start(vertxA, config(cluster, portA, members)).await(60, TimeUnit.SECONDS);
    b = Server.start(vertxB, config(cluster, portB, members)).await(60, TimeUnit.SECONDS);
  }

  static JsonObject config(String cluster, int port, String members) {
    JsonObject cfg = Config.load(List.of(), Map.of());
    Config.put(cfg, "host", "127.0.0.1");
    Config.put(cfg, "tcp.port", 0);
    Config.put(cfg, "http.port", 0);
    Config.put(cfg, "http.instances", 1);
    Config.put(cfg, "tcp.instances", 1);
    Config.put(cfg, "storage.root", dir.resolve("store").toString());
    Config.put(cfg, "storage.fsync", false);
    Config.put(cfg, "auth.usersFile", dir.resolve("no-users.properties").toString());
    return cfg.mergeIn(ClusterTestSupport.config(cluster, port, members), true)
        .mergeIn(ClusterTestSupport.database(pg, schema), true);
  }

  @AfterAll
  static void stop() throws Exception {
    for (Server s : new Server[] {b, a}) if (s != null) s.stop().await(30, TimeUnit.SECONDS);
    for (Vertx v : new Vertx[] {vertxB, vertxA}) if (v != null) v.close().await(30, TimeUnit.SECONDS);
    if (pg != null) pg.close();
  }

  static Http.Resp login(Server node, String user, String password) throws Exception {
    return new Http(node.httpPort()).send("POST", "/api/login", null,
        new JsonObject().put("username", user).put("password", password).encode().getBytes(StandardCharsets.UTF_8),
        "Content-Type", "application/json");
  }

  @Test
  void failuresOnOneNodeCountOnTheOther() throws Exception {
    Http.Resp created = new Http(a.httpPort()).json("POST", "/api/signup", null,
        new JsonObject().put("username", "roamer").put("password", "secret1"));
    assertEquals(201, created.status(), created.toString());
    for (int i = 0; i < 5; i++) assertEquals(401, login(a, "roamer", "wrong").status());
    Http.Resp early = login(b, "roamer", "secret1");
    assertEquals(429, early.status(), "node B sees node A's failures: " + early);
    long wait = Long.parseLong(early.header("retry-after"));

    // Over TCP on node B the same pair's attempt is held until the wait is over, then gets in.
    try (ClassicClient c = ClassicClient.connect(b.tcpPort())) {
      c.readUntil(ClassicClient.AUTH_PROMPT);
      long t0 = System.nanoTime();
      c.sendLine("LOGIN roamer secret1");
      assertTrue(c.readUntil("> ").startsWith("LOGIN_SUCCESS"));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(ms >= 300, "held for the rest of the wait (" + wait + " s from the last failure), took " + ms + " ms");
    }
    // That success reset the pair on every node.
    assertEquals(200, login(a, "roamer", "secret1").status());
    assertEquals(401, login(b, "roamer", "wrong").status());
  }
}
