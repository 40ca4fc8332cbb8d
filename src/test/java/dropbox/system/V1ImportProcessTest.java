package dropbox.system;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.testing.ClassicClient;
import dropbox.testing.ServerProcess;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real server, v1 (the engine before v2 became the default), filled by the clients users have (TCP and HTTP: a
 * replaced file, an empty file, a unicode name, the same bytes twice); stopped; started again on the
 * same root with storage.engine=v2. It logs what it imported, serves the same listings byte for byte
 * (times included), the same bytes, the same accounts, and no v1 file is left. A third start imports
 * nothing.
 */
class V1ImportProcessTest {
  static final String OK = ClassicClient.SUCCESS + ClassicClient.PROMPT;
  @TempDir Path dir;

  @Test
  void aV1ServerRootIsImportedAtTheFirstV2Start() throws Exception {
    Path root = dir.resolve("store");
    Path v2Config = dir.resolve("v2.json");
    Files.writeString(v2Config, new JsonObject().put("storage", new JsonObject().put("engine", "v2")).encode());
    List<String> common = List.of("--storage", root.toString(), "--tcp-port", "0", "--http-port", "0",
        "--default-quota", "1000000");
    String[] v1Args = concat(List.of("--storage-engine", "v1"), common);
    String[] v2Args = concat(List.of("--config", v2Config.toString()), common);
    byte[] big = new byte[300_000];
    new Random(8).nextBytes(big);
    String unicode = "Grüße_日本.txt"; // TCP names have no spaces; the HTTP one below does
    String spaced = "/api/files/" + URLEncoder.encode("Grüße 日本 ✓.txt", StandardCharsets.UTF_8).replace("+", "%20");
    String tcpList;
    String httpList;
    try (ServerProcess v1 = ServerProcess.start(List.of("-Xmx256m"), v1Args)) {
      try (ClassicClient c = ClassicClient.connect(v1.tcpPort()).signupOrLogin("tcpuser", "secret1")) {
        assertEquals(OK, c.upload("a.txt", "first".getBytes()));
        assertEquals(OK, c.upload("a.txt", "replaced".getBytes()));
        assertEquals(OK, c.upload("empty", new byte[0]));
        assertEquals(OK, c.upload(unicode, "unicode ✓".getBytes(StandardCharsets.UTF_8)));
        assertEquals(OK, c.upload("big.bin", big));
        assertEquals(OK, c.upload("copy.bin", big));
        tcpList = c.command("LIST");
      }
      String token = webUser(v1, true);
      assertEquals(201, http().send(authed(v1, "/api/files/web.bin", token).PUT(BodyPublishers.ofByteArray(big))
          .build(), BodyHandlers.ofString()).statusCode());
      assertEquals(201, http().send(authed(v1, spaced, token).PUT(BodyPublishers.ofString("spaced ✓"))
          .build(), BodyHandlers.ofString()).statusCode());
      httpList = http().send(authed(v1, "/api/files", token).GET().build(), BodyHandlers.ofString()).body();
      v1.stop();
    }
    assertTrue(Files.isDirectory(root.resolve("users/tcpuser/meta")), "a v1 root");

    try (ServerProcess v2 = ServerProcess.start(List.of("-Xmx256m"), v2Args)) {
      List<String> imported = linesWith(v2, "v1 import:");
      assertEquals(1, imported.size(), String.join("\n", v2.output()));
      assertTrue(imported.get(0).contains("v1 import: 2 users, 7 files, " + (8 + 0 + 11 + 3L * big.length + 10)
          + " bytes imported, 0 skipped"), imported.get(0));
      try (ClassicClient c = ClassicClient.connect(v2.tcpPort()).signupOrLogin("tcpuser", "secret1")) {
        assertEquals(tcpList, c.command("LIST"));
        assertArrayEquals(big, c.download("copy.bin").data());
        assertEquals("replaced", new String(c.download("a.txt").data()));
        assertEquals(0, c.download("empty").data().length);
        assertEquals("unicode ✓", new String(c.download(unicode).data(), StandardCharsets.UTF_8));
      }
      String token = webUser(v2, false); // the v1 sign-up still logs in
      assertEquals(new JsonObject(httpList),
          new JsonObject(http().send(authed(v2, "/api/files", token).GET().build(), BodyHandlers.ofString()).body()));
      assertArrayEquals(big, http().send(authed(v2, "/api/files/web.bin", token).GET().build(),
          BodyHandlers.ofByteArray()).body());
      assertEquals("spaced ✓", http().send(authed(v2, spaced, token).GET().build(), BodyHandlers.ofString()).body());
      v2.stop();
      assertEquals(List.of(), v2.output().stream().filter(l -> l.contains(" ERROR ")).toList());
    }
    assertTrue(Files.notExists(root.resolve("users")), "v1 files left");
    assertTrue(Files.isDirectory(root.resolve("accounts")), "sign-ups stay where the accounts store reads them");

    try (ServerProcess again = ServerProcess.start(List.of("-Xmx256m"), v2Args)) {
      assertEquals(List.of(), again.output().stream().filter(l -> l.contains("v1 import")).toList());
      try (ClassicClient c = ClassicClient.connect(again.tcpPort()).signupOrLogin("tcpuser", "secret1")) {
        assertEquals(tcpList, c.command("LIST"));
      }
    }
  }

  private static String webUser(ServerProcess s, boolean signUp) throws Exception {
    String creds = new JsonObject().put("username", "webuser").put("password", "secret1").encode();
    if (signUp) assertEquals(201, http().send(json(s, "/api/signup", creds), BodyHandlers.ofString()).statusCode());
    return new JsonObject(http().send(json(s, "/api/login", creds), BodyHandlers.ofString()).body()).getString("token");
  }

  /** The server's lines containing text, once there is one (the output is read by another thread). */
  private static List<String> linesWith(ServerProcess s, String text) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      List<String> found = s.output().stream().filter(l -> l.contains(text)).toList();
      if (!found.isEmpty()) return found;
      Thread.sleep(100);
    }
    return List.of();
  }

  private static HttpClient http() { return HttpClient.newHttpClient(); }

  private static HttpRequest json(ServerProcess s, String path, String body) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.httpPort() + path))
        .header("Content-Type", "application/json").POST(BodyPublishers.ofString(body)).build();
  }

  private static HttpRequest.Builder authed(ServerProcess s, String path, String token) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.httpPort() + path))
        .header("Authorization", "Bearer " + token);
  }

  private static String[] concat(List<String> a, List<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toArray(String[]::new);
  }
}
