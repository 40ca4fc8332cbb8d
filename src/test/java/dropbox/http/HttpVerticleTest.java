package dropbox.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The UI travels with the server: a process started from any working directory serves it (before, only
 * one started where ./webroot happened to be), and --webroot DIR swaps in a directory for UI work.
 */
class HttpVerticleTest {
  @TempDir Path dir;

  /**
   * HTTP/2 header values are length-prefixed, so CR, LF or NUL can arrive inside one (a raw h2 client
   * with "x-a: a\r\nInjected: 1" got 200 before); such a request is malformed (RFC 9113 8.2.1).
   */
  @Test
  void aHeaderValueWithCrLfOrNulIsSeen() {
    assertFalse(HttpVerticle.hasControlInValue(io.vertx.core.MultiMap.caseInsensitiveMultiMap()
        .add("x-a", "plain value; with \t tab").add("host", "h")));
    for (String bad : List.of("a\r\nInjected: 1", "a\rb", "a\nb", "a\0b")) {
      assertTrue(HttpVerticle.hasControlInValue(io.vertx.core.MultiMap.caseInsensitiveMultiMap()
          .add("host", "h").add("x-a", bad)), bad);
    }
  }

  /** HTTP/2 header names must be lower-case tokens (RFC 9113 8.2.1); Netty let a space or a LF through. */
  @Test
  void aHeaderNameThatIsNotALowerCaseTokenIsSeen() {
    assertFalse(HttpVerticle.hasInvalidName(io.vertx.core.MultiMap.caseInsensitiveMultiMap()
        .add("x-a", "v").add("content-type", "t").add("x_b!#$%&'*+.^`|~9", "v")));
    for (String bad : List.of("x a", "x-a\nb", "x-a\rb", "x:a", "x\0a", "X-Upper", "x\"a", "", "x(a)", "\u00e9")) {
      io.vertx.core.MultiMap h = io.vertx.core.MultiMap.caseInsensitiveMultiMap().add("host", "h");
      // a MultiMap refuses nothing itself: what Netty passed on arrives as is
      h.add(bad, "v");
      assertTrue(HttpVerticle.hasInvalidName(h), "name [" + bad + "]");
    }
  }

  @Test
  void theUiIsServedWhateverTheWorkingDirectory() throws Exception {
    Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
    assertFalse(Files.exists(elsewhere.resolve("webroot")));
    try (ServerProcess server = ServerProcess.start(elsewhere, List.of("-Xmx256m"), "--host", "127.0.0.1",
        "--storage", dir.resolve("data").toString(), "--tcp-port", "0", "--http-port", "0")) {
      Http http = new Http(server.httpPort());
      Http.Resp index = http.get("/", null);
      assertEquals(200, index.status(), index.toString());
      assertTrue(index.text().contains("<html"), "index.html");
      assertTrue(index.header("content-type").startsWith("text/html"), index.toString());
      assertEquals(200, http.get("/app.js", null).status());
      assertEquals(200, http.get("/style.css", null).status());
      assertEquals(404, http.get("/no-such-page.html", null).status());
    }
  }

  @Test
  void webrootOverridesTheCopyInTheJar() throws Exception {
    Path ui = Files.createDirectories(dir.resolve("my-ui"));
    Files.writeString(ui.resolve("index.html"), "<html><body>work in progress</body></html>");
    try (ServerProcess server = ServerProcess.start(dir, List.of("-Xmx256m"), "--host", "127.0.0.1",
        "--storage", dir.resolve("data").toString(), "--tcp-port", "0", "--http-port", "0",
        "--webroot", ui.toString())) {
      Http http = new Http(server.httpPort());
      Http.Resp index = http.get("/", null);
      assertEquals(200, index.status());
      assertTrue(index.text().contains("work in progress"), index.text());
      assertEquals(404, http.get("/app.js", null).status(), "only the override directory is served");
    }
  }
}
