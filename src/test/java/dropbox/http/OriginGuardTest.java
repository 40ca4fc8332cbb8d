package dropbox.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.Config;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cross-origin writes are refused with 403 forbidden_origin before authentication and before the body is
 * read; requests without Origin (curl, scripts) and from the server's own or an allowed origin pass.
 * Real requests over sockets; BrowserTest shows the same attack from a page in Chromium.
 */
class OriginGuardTest {
  static final String ALLOWED = "https://App.Example.org";
  @TempDir static Path dir;
  static TestNode node;
  static Http http;
  static String basic;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start(dir, cfg -> Config.put(cfg, "http.allowedOrigins", ALLOWED + ", http://tools.example:8000"));
    http = node.http;
    node.account("victim", "victim-pw");
    basic = "Basic " + Base64.getEncoder().encodeToString("victim:victim-pw".getBytes(StandardCharsets.UTF_8));
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) node.close();
  }

  static final String BOUNDARY = "xYzBoundary";

  static byte[] form(String name, String content) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name
        + "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + content + "\r\n--" + BOUNDARY + "--\r\n")
        .getBytes(StandardCharsets.UTF_8));
    return b.toByteArray();
  }

  Http.Resp post(String name, String... headers) throws Exception {
    String[] all = new String[headers.length + 4];
    all[0] = "Authorization";
    all[1] = basic;
    all[2] = "Content-Type";
    all[3] = "multipart/form-data; boundary=" + BOUNDARY;
    System.arraycopy(headers, 0, all, 4, headers.length);
    return http.send("POST", "/api/files", null, form(name, "written by " + name), all);
  }

  static boolean exists(String name) throws Exception {
    Http.Resp r = http.send("GET", "/api/files", null, null, "Authorization", basic);
    for (Object o : r.json().getJsonArray("files")) {
      if (((JsonObject) o).getString("name").equals(name)) return true;
    }
    return false;
  }

  static void assertForbiddenOrigin(Http.Resp r) {
    assertEquals(403, r.status(), r.toString());
    assertEquals("forbidden_origin", r.json().getString("error"));
    assertNull(r.header("www-authenticate"), "refused before authentication: no challenge");
  }

  @Test
  void aMultipartPostFromAForeignOriginWritesNothing() throws Exception {
    assertForbiddenOrigin(post("evil1.txt", "Origin", "http://evil.example"));
    assertForbiddenOrigin(post("evil2.txt", "Origin", "http://127.0.0.1:" + (node.port() + 1)));
    assertForbiddenOrigin(post("evil3.txt", "Origin", "https://127.0.0.1:" + node.port()));
    assertForbiddenOrigin(post("evil4.txt", "Origin", "null"));
    assertForbiddenOrigin(post("evil5.txt", "Origin", "not an origin"));
    assertForbiddenOrigin(post("evil6.txt", "Sec-Fetch-Site", "cross-site"));
    assertForbiddenOrigin(post("evil7.txt", "Origin", "http://127.0.0.1:" + node.port(), "Sec-Fetch-Site", "cross-site"));
    for (int i = 1; i <= 7; i++) assertTrue(!exists("evil" + i + ".txt"), "evil" + i + ".txt was not written");
  }

  @Test
  void noOriginTheOwnOriginAndAllowedOriginsWrite() throws Exception {
    assertEquals(201, post("curl.txt").status(), "no Origin: curl and scripts keep working");
    assertEquals(201, post("own.txt", "Origin", "http://127.0.0.1:" + node.port(), "Sec-Fetch-Site", "same-origin").status());
    assertEquals(201, post("allowed.txt", "Origin", "https://app.example.org").status(), "case-insensitive, default port");
    assertEquals(201, post("allowed2.txt", "Origin", "https://app.example.org:443").status());
    assertEquals(201, post("tools.txt", "Origin", "http://tools.example:8000", "Sec-Fetch-Site", "same-site").status());
    for (String n : new String[] {"curl.txt", "own.txt", "allowed.txt", "allowed2.txt", "tools.txt"}) assertTrue(exists(n), n);
    // The own origin is the one the request reached: a Host of localhost makes http://localhost:port ours.
    Http.Resp viaName = http.raw("DELETE /api/files/own.txt HTTP/1.1\r\nHost: localhost:" + node.port()
        + "\r\nOrigin: http://localhost:" + node.port() + "\r\nAuthorization: " + basic + "\r\nConnection: close\r\n\r\n", null);
    assertEquals(204, viaName.status(), viaName.toString());
  }

  @Test
  void everyWritingMethodIsCheckedAndReadsAreNot() throws Exception {
    String evil = "http://evil.example";
    assertEquals(201, http.send("PUT", "/api/files/keep.txt", null, new byte[] {1}, "Authorization", basic).status());
    assertForbiddenOrigin(http.send("PUT", "/api/files/keep.txt", null, new byte[] {2}, "Authorization", basic, "Origin", evil));
    assertForbiddenOrigin(http.send("DELETE", "/api/files/keep.txt", null, null, "Authorization", basic, "Origin", evil));
    assertForbiddenOrigin(http.send("PATCH", "/api/files/keep.txt", null, new byte[] {2}, "Authorization", basic, "Origin", evil));
    assertForbiddenOrigin(http.send("POST", "/api/files/keep.txt/link", null, null, "Authorization", basic, "Origin", evil));
    String token = node.login("victim", "victim-pw");
    assertForbiddenOrigin(http.send("POST", "/api/logout", token, null, "Origin", evil));
    assertEquals(200, http.get("/api/me", token).status(), "the refused logout did not end the session");
    Http.Resp get = http.send("GET", "/api/files/keep.txt", null, null, "Authorization", basic, "Origin", evil);
    assertEquals(200, get.status(), "a cross-origin read is not a write (the browser keeps its answer from the page)");
    assertEquals(1, get.body()[0], "the refused PUT changed nothing");
  }

  @Test
  void aSecondOriginOrSecFetchSiteCannotHideTheForeignOne() throws Exception {
    String own = "Origin: http://127.0.0.1:" + node.port() + "\r\n";
    String head = "DELETE /api/files/twice.txt HTTP/1.1\r\nHost: 127.0.0.1:" + node.port() + "\r\nAuthorization: " + basic + "\r\n";
    assertEquals(201, http.send("PUT", "/api/files/twice.txt", null, new byte[] {1}, "Authorization", basic).status());
    // Before: only the first copy of each header was read, so the own origin in front let the DELETE through.
    assertForbiddenOrigin(http.raw(head + own + "Origin: http://evil.example\r\n\r\n", null));
    assertForbiddenOrigin(http.raw(head + "Origin: http://evil.example\r\n" + own + "\r\n", null));
    assertForbiddenOrigin(http.raw(head + own + own + "\r\n", null));
    assertForbiddenOrigin(http.raw(head + own + "Sec-Fetch-Site: same-origin\r\nSec-Fetch-Site: cross-site\r\n\r\n", null));
    assertTrue(exists("twice.txt"), "none of the refused DELETEs ran");
    assertEquals(204, http.raw(head + own + "Sec-Fetch-Site: same-origin\r\n\r\n", null).status());
  }

  @Test
  void theRefusalComesBeforeCredentialsAndBodyAreLookedAt() throws Exception {
    // Wrong password: a 403, not a 401, so no failed attempt is counted for the victim either.
    Http.Resp r = http.send("POST", "/api/files", null, form("x.txt", "x"), "Authorization",
        "Basic " + Base64.getEncoder().encodeToString("victim:wrong".getBytes(StandardCharsets.UTF_8)),
        "Content-Type", "multipart/form-data; boundary=" + BOUNDARY, "Origin", "http://evil.example");
    assertForbiddenOrigin(r);
    // A 100 MB body is announced but never sent: the answer comes without waiting for it.
    Http.Resp early = http.raw("PUT /api/files/huge.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://evil.example\r\n"
        + "Authorization: " + basic + "\r\nContent-Length: 100000000\r\n\r\n", null);
    assertEquals(403, early.status(), early.toString());
    assertEquals("close", early.header("connection"));
    assertTrue(!exists("huge.bin"));
  }

  @Test
  void originsAreComparedAsSchemeHostAndPort() {
    assertEquals("http://example.org:80", OriginGuard.normalise("HTTP://Example.ORG"));
    assertEquals("https://example.org:443", OriginGuard.normalise("https://example.org:443"));
    assertEquals("http://[::1]:8081", OriginGuard.normalise("http://[::1]:8081"));
    assertNull(OriginGuard.normalise("null"));
    assertNull(OriginGuard.normalise("ftp://example.org"));
    assertNull(OriginGuard.normalise("http://example.org/path"));
    assertNull(OriginGuard.normalise("http://user@example.org"));
    assertNull(OriginGuard.normalise("example.org"));
    OriginGuard g = OriginGuard.fromConfig(new JsonObject().put("http", new JsonObject()
        .put("allowedOrigins", new JsonArray().add("https://a.example").add("http://b.example:81"))));
    assertTrue(g != null);
    assertThrows(IllegalArgumentException.class, () -> OriginGuard.fromConfig(
        new JsonObject().put("http", new JsonObject().put("allowedOrigins", "https://a.example/path"))));
  }
}
