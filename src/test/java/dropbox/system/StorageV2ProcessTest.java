package dropbox.system;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.testing.ClassicClient;
import dropbox.testing.ServerProcess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real server as its own process with storage.engine=v2 (SQLite at the storage root, blobs beside
 * it): a TCP and an HTTP round of upload, list, download, replace, delete, by the clients users have,
 * then a restart on the same root that still serves everything.
 */
class StorageV2ProcessTest {
  @TempDir Path dir;

  /**
   * The default engine keeps its metadata in SQLite at the storage root, which nodes sharing that root
   * over NFS would corrupt: a clustered start without db.url is refused before it joins a cluster, with
   * a message that names the setting, no stack trace, and nothing written.
   */
  @Test
  void aClusteredStartOnSqliteIsRefusedWithAClearMessage() throws Exception {
    Path root = dir.resolve("clustered");
    ServerProcess.Result r = ServerProcess.run("--storage", root.toString(), "--tcp-port", "0", "--http-port", "0",
        "--cluster", "--cluster-host", "127.0.0.1", "--cluster-members", "127.0.0.1:5701");
    assertEquals(2, r.exitCode(), r.output());
    assertTrue(r.output().contains("dropbox-server: a clustered start (--cluster) needs PostgreSQL: set db.url"),
        r.output());
    assertFalse(r.output().contains("Exception") || r.output().contains("\tat "), r.output());
    assertFalse(Files.exists(root.resolve("dropbox.db")), "nothing opened");
  }

  /**
   * auth.allowPlaintextLogin=false without TLS once started: the plain TCP port refused every login and
   * named a TLS port that was not open, while REST took passwords in clear. Now the start is refused.
   */
  @Test
  void plaintextLoginOffWithoutTlsIsRefusedWithAClearMessage() throws Exception {
    Path root = dir.resolve("no-tls");
    Path cfg = Files.createDirectories(dir).resolve("no-tls.json");
    Files.writeString(cfg, "{\"auth\":{\"allowPlaintextLogin\":false}}");
    ServerProcess.Result r = ServerProcess.run("--config", cfg.toString(), "--storage", root.toString(),
        "--tcp-port", "0", "--http-port", "0");
    assertEquals(2, r.exitCode(), r.output());
    assertTrue(r.output().contains("dropbox-server: auth.allowPlaintextLogin=false accepts passwords only inside TLS"),
        r.output());
    assertFalse(r.output().contains("Exception") || r.output().contains("\tat "), r.output());
  }

  /**
   * Before: a second unclustered server on the same root started, and its recovery removed the first
   * one's live staging file and reservation (that upload failed with "Upload expired or unknown"). Now it
   * is refused, naming the first one's pid; a kill -9 of the owner leaves no lock behind for a restart.
   */
  @Test
  void aSecondServerOnTheSameRootIsRefusedAndAKilledOwnerLeavesNoLock() throws Exception {
    Path root = dir.resolve("shared-root");
    String[] args = {"--storage", root.toString(), "--tcp-port", "0", "--http-port", "0"};
    try (ServerProcess first = ServerProcess.start(List.of("-Xmx256m"), args)) {
      try (ClassicClient c = ClassicClient.connect(first.tcpPort()).signupOrLogin("owner", "secret1")) {
        assertEquals(ClassicClient.SUCCESS + ClassicClient.PROMPT, c.upload("kept.txt", "kept".getBytes()));
      }
      ServerProcess.Result second = ServerProcess.run(args);
      assertEquals(1, second.exitCode(), second.output());
      assertTrue(second.output().contains("storage root " + root.toAbsolutePath().normalize()
          + " is in use by another server (pid " + first.pid() + ")"), second.output());
      assertFalse(second.output().contains("\tat "), "no stack trace: " + second.output());
      try (ClassicClient c = ClassicClient.connect(first.tcpPort()).signupOrLogin("owner", "secret1")) {
        assertTrue(c.command("LIST").contains("kept.txt"), "the first server serves on");
      }
      first.kill9();
      try (ServerProcess restarted = ServerProcess.start(List.of("-Xmx256m"), args);
           ClassicClient c = ClassicClient.connect(restarted.tcpPort()).signupOrLogin("owner", "secret1")) {
        assertTrue(c.command("LIST").contains("kept.txt"));
      }
    }
  }

  @Test
  void tcpAndHttpRoundsOnV2SurviveARestart() throws Exception {
    Path root = dir.resolve("store");
    Path config = dir.resolve("config.json");
    Files.writeString(config, new JsonObject().put("storage", new JsonObject().put("engine", "v2")).encode());
    String[] args = {"--config", config.toString(), "--storage", root.toString(), "--tcp-port", "0",
        "--http-port", "0", "--default-quota", "1000000"};
    byte[] big = new byte[300_000];
    new Random(7).nextBytes(big);
    String token;
    try (ServerProcess server = ServerProcess.start(List.of("-Xmx256m"), args)) {
      // The jar carries Netty's epoll library for Linux x86-64: there it must load, or every socket is on NIO.
      if (System.getProperty("os.name").equals("Linux") && System.getProperty("os.arch").equals("amd64")) {
        assertTrue(server.output().stream().anyMatch(l -> l.contains("network transport: native (epoll)")),
            String.join("\n", server.output()));
      }
      try (ClassicClient c = ClassicClient.connect(server.tcpPort()).signupOrLogin("tcpuser", "secret1")) {
        assertEquals(ClassicClient.SUCCESS + ClassicClient.PROMPT, c.upload("a.txt", "first".getBytes()));
        assertEquals(ClassicClient.SUCCESS + ClassicClient.PROMPT, c.upload("a.txt", "replaced".getBytes()));
        assertEquals(ClassicClient.SUCCESS + ClassicClient.PROMPT, c.upload("big.bin", big));
        assertEquals(ClassicClient.SUCCESS + ClassicClient.PROMPT, c.upload("copy.bin", big)); // same bytes
        assertEquals(ClassicClient.SUCCESS + ClassicClient.PROMPT, c.upload("gone.txt", "soon".getBytes()));
        assertEquals(ClassicClient.SUCCESS + ClassicClient.PROMPT, c.command("DELETE gone.txt"));
        assertTrue(c.command("DELETE gone.txt").startsWith("ERROR: File not found"));
        String listing = c.command("LIST");
        assertTrue(listing.contains("a.txt") && listing.contains("big.bin") && listing.contains("copy.bin"), listing);
        assertFalse(listing.contains("gone.txt"), listing);
        assertTrue(listing.contains("Usage: " + (8 + 2L * big.length) + " of 1000000 bytes (3 files)"),
            "dedup does not reduce usage:\n" + listing);
        ClassicClient.Download d = c.download("copy.bin");
        assertTrue(d.ok(), d.trailer());
        assertArrayEquals(big, d.data());
        assertEquals("replaced", new String(c.download("a.txt").data()));
        // Over quota: refused before any byte, nothing changes.
        assertTrue(c.upload("huge.bin", new byte[500_000]).startsWith("ERROR: Quota exceeded"));
      }
      assertEquals(1, blobCount(root, "tcpuser", big.length), "the copy is stored once");

      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + server.httpPort();
      String creds = new JsonObject().put("username", "webuser").put("password", "secret1").encode();
      assertEquals(201, http.send(json(base + "/api/signup", creds), BodyHandlers.ofString()).statusCode());
      token = new JsonObject(http.send(json(base + "/api/login", creds), BodyHandlers.ofString()).body())
          .getString("token");
      assertEquals(201, http.send(authed(base + "/api/files/web.bin", token)
          .PUT(BodyPublishers.ofByteArray(big)).build(), BodyHandlers.ofString()).statusCode());
      assertEquals(200, http.send(authed(base + "/api/files/web.bin", token)
          .PUT(BodyPublishers.ofByteArray("small now".getBytes())).build(), BodyHandlers.ofString()).statusCode());
      assertEquals(201, http.send(authed(base + "/api/files/keep.txt", token)
          .PUT(BodyPublishers.ofString("kept")).build(), BodyHandlers.ofString()).statusCode());
      assertEquals(412, http.send(authed(base + "/api/files/keep.txt", token).header("If-None-Match", "*")
          .PUT(BodyPublishers.ofString("other")).build(), BodyHandlers.ofString()).statusCode());
      // Chunked (no Content-Length): quota reserved in steps as the bytes arrive.
      assertEquals(201, http.send(authed(base + "/api/files/chunked.bin", token)
          .PUT(BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))).build(),
          BodyHandlers.ofString()).statusCode());
      assertArrayEquals(big, http.send(authed(base + "/api/files/chunked.bin", token).GET().build(),
          BodyHandlers.ofByteArray()).body());
      assertEquals(204, http.send(authed(base + "/api/files/chunked.bin", token).DELETE().build(),
          BodyHandlers.ofString()).statusCode());
      HttpResponse<byte[]> got = http.send(authed(base + "/api/files/web.bin", token).GET().build(),
          BodyHandlers.ofByteArray());
      assertEquals(200, got.statusCode());
      assertEquals("small now", new String(got.body()));
      assertEquals(204, http.send(authed(base + "/api/files/web.bin", token).DELETE().build(),
          BodyHandlers.ofString()).statusCode());
      assertEquals(404, http.send(authed(base + "/api/files/web.bin", token).DELETE().build(),
          BodyHandlers.ofString()).statusCode());
      JsonObject list = new JsonObject(http.send(authed(base + "/api/files", token).GET().build(),
          BodyHandlers.ofString()).body());
      assertEquals(List.of("keep.txt"), names(list.getJsonArray("files")));
      assertEquals(4, list.getJsonObject("usage").getLong("usedBytes"));
      server.stop(); // exit status 143 after SIGTERM even when the shutdown ran through (see ClusterProcessTest)
      List<String> bad = server.output().stream()
          .filter(l -> l.contains(" ERROR ") || l.contains("files and directories private")).toList();
      assertEquals(List.of(), bad, String.join("\n", server.output()));
    }
    assertTrue(Files.isRegularFile(root.resolve("dropbox.db")));
    assertTrue(Files.notExists(root.resolve("users")), "v2 writes no v1 metadata");
    assertEquals(List.of(), StoragePermissionsTest.loose(root), "every file 0600, every directory 0700");

    try (ServerProcess server = ServerProcess.start(List.of("-Xmx256m"), args)) {
      try (ClassicClient c = ClassicClient.connect(server.tcpPort()).signupOrLogin("tcpuser", "secret1")) {
        assertArrayEquals(big, c.download("big.bin").data());
        assertTrue(c.command("LIST").contains("(3 files)"));
      }
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + server.httpPort();
      String creds = new JsonObject().put("username", "webuser").put("password", "secret1").encode();
      token = new JsonObject(http.send(json(base + "/api/login", creds), BodyHandlers.ofString()).body())
          .getString("token");
      assertEquals("kept", http.send(authed(base + "/api/files/keep.txt", token).GET().build(),
          BodyHandlers.ofString()).body());
    }
  }

  private static HttpRequest json(String url, String body) {
    return HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
        .POST(BodyPublishers.ofString(body)).build();
  }

  private static HttpRequest.Builder authed(String url, String token) {
    return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token);
  }

  private static List<String> names(JsonArray files) {
    return files.stream().map(o -> ((JsonObject) o).getString("name")).toList();
  }

  /** Content files of that size the user has under the blob root. */
  private static long blobCount(Path root, String user, long size) throws Exception {
    try (Stream<Path> s = Files.walk(root.resolve("blobs").resolve(user))) {
      return s.filter(Files::isRegularFile).filter(p -> p.toFile().length() == size).count();
    }
  }
}
