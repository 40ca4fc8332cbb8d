package dropbox.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.Server;
import dropbox.bus.ErrorCode;
import dropbox.bus.Priority;
import dropbox.bus.StorageClient;
import dropbox.bus.StorageException;
import dropbox.cluster.ClusterSetup;
import dropbox.cluster.NodeHealth;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import dropbox.storage.LocalLockManager;
import dropbox.storage.StorageVerticle;
import dropbox.testing.ClassicClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /health and GET /metrics on a real node (storage worker + HTTP server), metrics on and off. */
class MetricsAndHealthRoutesTest {
  @TempDir Path dir;

  private record Reply(int status, String body) {}

  @Test
  void metricsCarryOurMetersAndVertxOnesAndHealthFollowsTheStorageRoot() throws Exception {
    Path root = Files.createDirectories(dir.resolve("data"));
    JsonObject cfg = config(root, true);
    Vertx vertx = ClusterSetup.createVertx(cfg).await(30, TimeUnit.SECONDS);
    try {
      int port = serve(vertx, cfg);
      StorageClient client = new StorageClient(vertx, 10_000);
      client.usage("alice", Priority.HIGH).await(10, TimeUnit.SECONDS);
      StorageException e = failure(client.openDownload("alice", "missing.txt", Priority.LOW));
      assertEquals(ErrorCode.NOT_FOUND, e.code());
      Metrics.tcpCommand("LIST");
      Metrics.bytesIn("tcp", 1234);
      Metrics.bytesOut("http", 99);

      // Raw TCP traffic, as the TCP front end makes it: Vert.x counts bytes and connections itself, but
      // (vertx-micrometer 5.0.7) adds a connection's bytes only when it closes.
      io.vertx.core.net.NetServer tcp = vertx.createNetServer().connectHandler(so -> so.handler(so::write))
          .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
      io.vertx.core.net.NetSocket so = vertx.createNetClient().connect(tcp.actualPort(), "127.0.0.1")
          .await(10, TimeUnit.SECONDS);
      so.write("hello").await(10, TimeUnit.SECONDS);
      Thread.sleep(200);
      assertTrue(get(vertx, port, "/metrics").body.contains("vertx_net_server_bytes_read_total 0.0"));
      so.close().await(10, TimeUnit.SECONDS);
      Thread.sleep(200);
      Reply m = get(vertx, port, "/metrics");
      assertEquals(200, m.status);
      for (String want : new String[] {
          "dropbox_storage_queue_depth{priority=\"high\"} 0.0",
          "dropbox_storage_queue_depth{priority=\"low\"} 0.0",
          "dropbox_storage_running 0.0",
          "dropbox_storage_queue_wait_seconds_count 2",
          "dropbox_storage_failures_total{action=\"download.open\",code=\"NOT_FOUND\"} 1.0",
          "dropbox_tcp_commands_total{command=\"LIST\"} 1.0",
          "dropbox_bytes_in_total{protocol=\"tcp\"} 1234.0",
          "dropbox_bytes_out_total{protocol=\"http\"} 99.0",
          "dropbox_cluster_members 1.0", "dropbox_download_buffered_bytes 0.0",
          "vertx_http_server_active_connections",
          "vertx_net_server_bytes_read_total 5.0",
          "vertx_net_server_active_connections 0.0",
          "vertx_eventbus_",
          "jvm_memory_used_bytes"}) {
        assertTrue(m.body.contains(want), "missing in /metrics: " + want);
      }

      Reply h = get(vertx, port, "/health");
      assertEquals(200, h.status, h.body);
      JsonObject health = new JsonObject(h.body);
      assertEquals("UP", health.getString("status"));
      assertFalse(check(health, "cluster").getBoolean("clustered"));

      Files.move(root, dir.resolve("gone")); // the mount went away
      h = get(vertx, port, "/health");
      assertEquals(503, h.status);
      health = new JsonObject(h.body);
      assertEquals("DOWN", health.getString("status"));
      assertEquals("storage root missing", check(health, "storage").getString("reason"));
      assertTrue(check(health, "eventBus").getBoolean("ok"));
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void withMetricsDisabledTheHelpersDoNothingAndMetricsIs404() throws Exception {
    Path root = Files.createDirectories(dir.resolve("data"));
    JsonObject cfg = config(root, false);
    Vertx vertx = ClusterSetup.createVertx(cfg).await(30, TimeUnit.SECONDS);
    try {
      assertNull(Metrics.registry());
      Metrics.tcpCommand("LIST");
      Metrics.bindNode(vertx);
      int port = serve(vertx, cfg);
      assertEquals(404, get(vertx, port, "/metrics").status);
      assertEquals(200, get(vertx, port, "/health").status);
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void theTcpFrontEndCountsCommandsAndFileBytes() throws Exception {
    Path root = Files.createDirectories(dir.resolve("data"));
    JsonObject cfg = config(root, true).put("tcp", new JsonObject().put("port", 0).put("instances", 1))
        .put("http", new JsonObject().put("port", 0).put("instances", 1))
        .put("auth", new JsonObject().put("usersFile", dir.resolve("none.properties").toString()));
    Vertx vertx = ClusterSetup.createVertx(cfg).await(30, TimeUnit.SECONDS);
    try {
      Server server = Server.start(vertx, cfg).await(30, TimeUnit.SECONDS);
      MeterRegistry r = Metrics.registry();
      double before = count(r, "dropbox.tcp.commands", "command", "UPLOAD");
      byte[] data = new byte[70_000];
      try (ClassicClient c = ClassicClient.connect(server.tcpPort()).signupOrLogin("metered", "secret1")) {
        assertEquals(ClassicClient.SUCCESS + ClassicClient.PROMPT, c.upload("m.bin", data));
        assertTrue(c.download("m.bin").ok());
        c.command("NONSENSE");
      }
      assertEquals(before + 1, count(r, "dropbox.tcp.commands", "command", "UPLOAD"));
      assertTrue(count(r, "dropbox.tcp.commands", "command", "OTHER") >= 1);
      assertTrue(count(r, "dropbox.bytes.in", "protocol", "tcp") >= data.length);
      assertTrue(count(r, "dropbox.bytes.out", "protocol", "tcp") >= data.length);
      server.stop().await(30, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static double count(MeterRegistry r, String name, String tag, String value) {
    Counter c = r.find(name).tag(tag, value).counter();
    return c == null ? 0 : c.count();
  }

  private static JsonObject config(Path root, boolean metrics) {
    return new JsonObject().put("storage", new JsonObject().put("root", root.toString()))
        .put("workers", new JsonObject().put("threads", 1).put("queueCapacity", 10))
        .put("metrics", new JsonObject().put("enabled", metrics));
  }

  /** The data of one procedure in vertx-health-check's {"status","checks":[{"id","status","data"}]} body. */
  private static JsonObject check(JsonObject health, String id) {
    for (Object o : health.getJsonArray("checks")) {
      JsonObject c = (JsonObject) o;
      if (id.equals(c.getString("id"))) return c.getJsonObject("data");
    }
    throw new AssertionError("no check " + id + " in " + health.encode());
  }

  private static int serve(Vertx vertx, JsonObject cfg) throws Exception {
    Metrics.bindNode(vertx);
    vertx.deployVerticle(new StorageVerticle(new LocalLockManager(vertx), true), new DeploymentOptions().setConfig(cfg))
        .await(10, TimeUnit.SECONDS);
    Router router = Router.router(vertx);
    MetricsRoutes.mount(router, io.vertx.ext.web.RoutingContext::next);
    router.get("/health").handler(HealthCheckHandler.createWithHealthChecks(new NodeHealth(vertx, cfg).healthChecks()));
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .await(10, TimeUnit.SECONDS);
    return server.actualPort();
  }

  private static Reply get(Vertx vertx, int port, String path) throws Exception {
    HttpClient c = vertx.createHttpClient();
    try {
      return c.request(HttpMethod.GET, port, "127.0.0.1", path)
          .compose(req -> req.send())
          .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), b.toString())))
          .await(10, TimeUnit.SECONDS);
    } finally {
      c.close();
    }
  }

  private static StorageException failure(io.vertx.core.Future<?> f) throws Exception {
    try {
      f.await(10, TimeUnit.SECONDS);
    } catch (StorageException e) {
      return e;
    }
    throw new AssertionError("expected a failure");
  }

}
