package dropbox.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.testing.ClassicClient;
import dropbox.testing.ServerProcess;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sign-ups in the database, with the real server as its own process: an account signed up on v1 (an
 * account file) is imported at the first v2 start; a sign-up over HTTP logs in over TCP; both survive a
 * restart, names stay unique ignoring case, and no account file is left or written on v2.
 */
class AccountsV2ProcessTest {
  @TempDir Path dir;

  @Test
  void signupsLiveInTheDatabaseAcrossRestartsAndTheV1FilesAreImported() throws Exception {
    Path root = dir.resolve("store");
    Path v2 = dir.resolve("v2.json");
    Files.writeString(v2, new JsonObject().put("storage", new JsonObject().put("engine", "v2")).encode());
    String[] common = {"--storage", root.toString(), "--tcp-port", "0", "--http-port", "0"};

    // The code on v1 writes the account file.
    String[] onV1 = Stream.concat(Stream.of("--storage-engine", "v1"), Stream.of(common)).toArray(String[]::new);
    try (ServerProcess server = ServerProcess.start(List.of("-Xmx256m"), onV1)) {
      ClassicClient.connect(server.tcpPort()).signupOrLogin("OldUser", "oldpass1").close();
    }
    assertEquals(List.of("olduser.json"), accountFiles(root));

    String[] onV2 = Stream.concat(Stream.of("--config", v2.toString()), Stream.of(common)).toArray(String[]::new);
    try (ServerProcess server = ServerProcess.start(List.of("-Xmx256m"), onV2)) {
      assertEquals(List.of(), accountFiles(root), "imported into the database, then removed");
      assertTrue(server.output().stream().anyMatch(l -> l.contains("accounts import") && l.contains("1 imported")),
          "the server logs what it imported:\n" + String.join("\n", server.output()));
      assertEquals("LOGIN_SUCCESS: Authentication successful", tcpAuth(server, "LOGIN olduser oldpass1"));

      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + server.httpPort();
      String creds = new JsonObject().put("username", "WebUser").put("password", "webpass1").encode();
      assertEquals(201, http.send(json(base + "/api/signup", creds), BodyHandlers.ofString()).statusCode());
      assertEquals(409, http.send(json(base + "/api/signup",
          new JsonObject().put("username", "webuser").put("password", "other12").encode()),
          BodyHandlers.ofString()).statusCode());
      assertEquals("LOGIN_SUCCESS: Authentication successful", tcpAuth(server, "LOGIN webuser webpass1"));
      assertTrue(tcpAuth(server, "SIGNUP WEBUSER another1").startsWith("SIGNUP_FAILED")
          && tcpAuth(server, "SIGNUP OLDUSER another1").contains("already exists"));
      assertEquals("LOGIN_FAILED: Invalid username or password", tcpAuth(server, "LOGIN webuser wrongpass"));
      assertEquals(List.of(), accountFiles(root), "v2 writes no account files");
    }

    try (ServerProcess server = ServerProcess.start(List.of("-Xmx256m"), onV2)) {
      assertEquals("LOGIN_SUCCESS: Authentication successful", tcpAuth(server, "LOGIN WEBUSER webpass1"));
      assertEquals("LOGIN_SUCCESS: Authentication successful", tcpAuth(server, "LOGIN OldUser oldpass1"));
      assertTrue(server.output().stream().noneMatch(l -> l.contains("accounts import")),
          "nothing left to import on the second start");
      assertEquals(List.of(), accountFiles(root));
    }
  }

  /** One auth line on a fresh connection; its reply line. */
  private static String tcpAuth(ServerProcess server, String line) throws Exception {
    try (ClassicClient c = ClassicClient.connect(server.tcpPort())) {
      c.readUntil(ClassicClient.AUTH_PROMPT);
      c.sendLine(line);
      return c.readLine().strip();
    }
  }

  private static List<String> accountFiles(Path root) throws Exception {
    Path accounts = root.resolve("accounts");
    if (!Files.isDirectory(accounts)) return List.of();
    try (Stream<Path> s = Files.list(accounts)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static HttpRequest json(String url, String body) {
    return HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
        .POST(BodyPublishers.ofString(body)).build();
  }
}
