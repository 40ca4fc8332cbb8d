package dropbox.dav;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.system.ClusterProcessTest;
import dropbox.cluster.ClusterTestSupport;
import dropbox.testing.ClassicClient;
import dropbox.testing.PostgresServer;
import dropbox.testing.ServerProcess;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A WebDAV lock is honoured by every protocol and every node: REST PUT/DELETE/move get 423, TCP
 * UPLOAD/DELETE/MOVE "ERROR: File is locked", WebDAV without the token 423 and with it success; and a
 * lock taken through node A (two real node processes clustered on one PostgreSQL) is seen on node B.
 */
class LocksAcrossProtocolsTest {
  static final String LOCKINFO = "<?xml version=\"1.0\"?><D:lockinfo xmlns:D=\"DAV:\"><D:lockscope><D:exclusive/>"
      + "</D:lockscope><D:locktype><D:write/></D:locktype><D:owner>test</D:owner></D:lockinfo>";

  @TempDir Path dir;

  @Test
  void restAndTcpHonourAWebdavLock() throws Exception {
    try (DavServer server = DavServer.start(dir, new JsonObject(), 10_000_000L)) {
      Path f = Files.writeString(dir.resolve("doc.txt"), "v1");
      assertEquals(201, server.curl("-T", f.toString(), server.dav() + "top.txt").status());
      assertEquals(201, server.curl("-X", "MKCOL", server.dav() + "docs").status());
      assertEquals(201, server.curl("-T", f.toString(), server.dav() + "docs/doc.txt").status());
      String token = lock(server, server.dav() + "top.txt", "0");
      String inner = lock(server, server.dav() + "docs/doc.txt", "0");

      // REST (its file routes name top-level files)
      assertEquals(423, server.curl("-T", f.toString(), server.base() + "/api/files/top.txt").status());
      DavServer.Answer del = server.curl("-X", "DELETE", server.base() + "/api/files/top.txt");
      assertEquals(423, del.status(), del.body());
      assertTrue(del.body().contains("\"locked\""), del.body());
      // TCP
      try (ClassicClient c = ClassicClient.connect(server.process.tcpPort()).signupOrLogin(DavServer.USER, DavServer.PASSWORD)) {
        assertTrue(c.upload("top.txt", "v2".getBytes()).startsWith("ERROR: File is locked"));
        assertTrue(c.command("DELETE top.txt").startsWith("ERROR: File is locked"));
        assertTrue(c.command("MOVE top.txt other.txt").startsWith("ERROR: File is locked"));
        assertTrue(c.command("MOVE docs/doc.txt other.txt").startsWith("ERROR: File is locked"));
        assertTrue(c.command("RMDIR docs").startsWith("ERROR: File is locked"), "a folder holding a locked file");
        assertEquals("v1", new String(c.download("top.txt").data()));
        assertTrue(c.upload("free.txt", "free".getBytes()).startsWith("SUCCESS"), "unlocked paths stay writable");
      }
      // WebDAV without the token, then with it.
      assertEquals(423, server.curl("-T", f.toString(), server.dav() + "top.txt").status());
      Path v3 = Files.writeString(dir.resolve("v3.txt"), "v3");
      assertEquals(204, server.curl("-T", v3.toString(), "-H", "If: (<" + token + ">)", server.dav() + "top.txt").status());
      assertEquals(204, server.curl("-X", "UNLOCK", "-H", "Lock-Token: <" + token + ">", server.dav() + "top.txt").status());
      assertEquals(204, server.curl("-X", "UNLOCK", "-H", "Lock-Token: <" + inner + ">", server.dav() + "docs/doc.txt").status());
      // Unlocked: everyone may write again.
      assertEquals(200, server.curl("-T", f.toString(), server.base() + "/api/files/top.txt").status());
      try (ClassicClient c = ClassicClient.connect(server.process.tcpPort()).signupOrLogin(DavServer.USER, DavServer.PASSWORD)) {
        assertTrue(c.command("DELETE top.txt").startsWith("SUCCESS"));
        assertTrue(c.command("RMDIR docs").startsWith("SUCCESS"));
      }
    }
  }

  @Test
  void aLockTakenThroughOneNodeHoldsOnTheOther() throws Exception {
    try (PostgresServer pg = PostgresServer.start()) {
      String schema = pg.newSchema();
      int[] hz = {ClusterTestSupport.freePort(), ClusterTestSupport.freePort()};
      String members = ClusterTestSupport.members(hz);
      Path config = dir.resolve("cluster.json");
      Files.writeString(config, new JsonObject()
          .put("cluster", new JsonObject().put("name", ClusterTestSupport.newClusterName()))
          .put("storage", new JsonObject().put("engine", "v2").put("fsync", false))
          .put("db", new JsonObject().put("url", pg.url(schema)).put("user", PostgresServer.USER).put("password", ""))
          .encode());
      Path root = Files.createDirectories(dir.resolve("shared"));
      try (ServerProcess a = node(config, root, hz[0], members); ServerProcess b = node(config, root, hz[1], members)) {
        String baseA = "http://127.0.0.1:" + a.httpPort();
        String baseB = "http://127.0.0.1:" + b.httpPort();
        DavServer.Answer signup = DavServer.raw(List.of("curl", "-s", "-H", "Content-Type: application/json", "-d",
            new JsonObject().put("username", DavServer.USER).put("password", DavServer.PASSWORD).encode(), baseA + "/api/signup"));
        assertEquals(201, signup.status(), signup.body());
        Path f = Files.writeString(dir.resolve("n.txt"), "node");
        String creds = DavServer.USER + ":" + DavServer.PASSWORD;
        assertEquals(201, DavServer.raw(List.of("curl", "-s", "-u", creds, "-T", f.toString(), baseA + "/dav/n.txt")).status());
        String token = lockAt(creds, baseA + "/dav/n.txt");
        assertEquals(423, DavServer.raw(List.of("curl", "-s", "-u", creds, "-T", f.toString(), baseB + "/dav/n.txt")).status());
        assertEquals(423, DavServer.raw(List.of("curl", "-s", "-u", creds, "-X", "DELETE", baseB + "/api/files/n.txt")).status());
        DavServer.Answer disc = DavServer.raw(List.of("curl", "-s", "-u", creds, "-X", "PROPFIND", "-H", "Depth: 0",
            baseB + "/dav/n.txt"));
        assertTrue(disc.body().contains(token), "node B shows node A's lock: " + disc.body());
        assertEquals(204, DavServer.raw(List.of("curl", "-s", "-u", creds, "-X", "UNLOCK", "-H", "Lock-Token: <" + token + ">",
            baseB + "/dav/n.txt")).status());
        assertEquals(204, DavServer.raw(List.of("curl", "-s", "-u", creds, "-X", "DELETE", baseA + "/dav/n.txt")).status());
      }
    }
  }

  private static ServerProcess node(Path config, Path root, int hzPort, String members) throws Exception {
    return ServerProcess.start(ClusterProcessTest.JVM, "--config", config.toString(), "--storage", root.toString(),
        "--tcp-port", "0", "--http-port", "0", "--cluster", "--cluster-host", "127.0.0.1",
        "--cluster-port", String.valueOf(hzPort), "--cluster-members", members);
  }

  private static String lock(DavServer server, String url, String depth) throws Exception {
    DavServer.Answer a = server.curl("-X", "LOCK", "-H", "Depth: " + depth, "-H", "Timeout: Second-600",
        "--data-binary", LOCKINFO, url);
    assertEquals(200, a.status(), a.body());
    return token(a);
  }

  private static String lockAt(String creds, String url) throws Exception {
    DavServer.Answer a = DavServer.raw(List.of("curl", "-s", "-u", creds, "-X", "LOCK", "-H", "Depth: 0",
        "--data-binary", LOCKINFO, url));
    assertEquals(200, a.status(), a.body());
    return token(a);
  }

  private static String token(DavServer.Answer a) {
    String h = a.header("Lock-Token");
    assertNotNull(h, a.headers());
    return h.substring(1, h.length() - 1);
  }
}
