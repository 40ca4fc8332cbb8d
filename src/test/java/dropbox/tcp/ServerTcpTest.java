package dropbox.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.Config;
import dropbox.Server;
import dropbox.testing.ClassicClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TCP front end as Server assembles it: several instances on one port, stopped with a goodbye. */
class ServerTcpTest {
  @TempDir Path root;

  @Test
  void serverDeploysTheTcpFrontEndAndStopsItCleanly() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject cfg = new JsonObject();
      Config.put(cfg, "host", "127.0.0.1");
      Config.put(cfg, "tcp.port", 0);
      Config.put(cfg, "http.port", 0);
      Config.put(cfg, "tcp.instances", 3);
      Config.put(cfg, "storage.root", root.toString());
      Config.put(cfg, "storage.fsync", false);
      Config.put(cfg, "auth.usersFile", root.resolve("none.properties").toString());
      Server server = Server.start(vertx, cfg).await(30, TimeUnit.SECONDS);
      assertTrue(server.tcpPort() > 0);
      ClassicClient idle;
      try (ClassicClient c = ClassicClient.connect(server.tcpPort()).signupOrLogin("wired", "pass")) {
        assertEquals(ClassicClient.SUCCESS + "> ", c.upload("w.txt", "wired".getBytes(StandardCharsets.UTF_8)));
        assertEquals("wired", new String(c.download("w.txt").data(), StandardCharsets.UTF_8));
        // Connections land on different instances; all of them share the port.
        for (int i = 0; i < 5; i++) {
          try (ClassicClient other = ClassicClient.connect(server.tcpPort()).signupOrLogin("wired", "pass")) {
            assertTrue(other.command("LIST").contains("w.txt"));
          }
        }
        idle = ClassicClient.connect(server.tcpPort());
        idle.readUntil(ClassicClient.AUTH_PROMPT);
        server.stop().await(60, TimeUnit.SECONDS);
        assertEquals("Server is shutting down. Goodbye!\n", c.readToEnd());
        assertEquals("Server is shutting down. Goodbye!\n", idle.readToEnd());
        idle.close();
      }
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void tcpPortMinusOneDeploysNoPlainListener() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject cfg = new JsonObject();
      Config.put(cfg, "host", "127.0.0.1");
      Config.put(cfg, "tcp.port", 0);
      Config.put(cfg, "http.port", 0);
      Config.put(cfg, "storage.root", root.toString());
      Config.put(cfg, "storage.fsync", false);
      Config.put(cfg, "auth.usersFile", root.resolve("none.properties").toString());
      Server with = Server.start(vertx, cfg).await(30, TimeUnit.SECONDS);
      int withTcp = vertx.deploymentIDs().size();
      with.stop().await(60, TimeUnit.SECONDS);

      Config.put(cfg, "tcp.port", -1);
      Server without = Server.start(vertx, cfg).await(30, TimeUnit.SECONDS);
      assertEquals(-1, without.tcpPort(), "tcpPort() says the plain port is off");
      assertTrue(without.httpPort() > 0);
      assertEquals(withTcp - 1, vertx.deploymentIDs().size(), "everything but the TCP front end is deployed");
      without.stop().await(60, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }
}
