package dropbox.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Non-canonical request paths get a clear 400 (before: an NPE and no answer at all, or 500 "Request has
 * already been read"), sent as raw bytes since every ordinary client would normalise them first.
 */
class CanonicalPathTest {
  @TempDir static Path dir;
  static TestNode node;
  static String basic;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start(dir, cfg -> { });
    node.account("walker", "secret1");
    basic = "Basic " + Base64.getEncoder().encodeToString("walker:secret1".getBytes(StandardCharsets.UTF_8));
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) node.close();
  }

  Http.Resp raw(String method, String path, String body) throws Exception {
    byte[] b = body == null ? null : body.getBytes(StandardCharsets.UTF_8);
    return node.http.raw(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + basic
        + "\r\nConnection: close\r\n" + (b == null ? "" : "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: " + b.length + "\r\n")
        + "\r\n", b);
  }

  @Test
  void nonCanonicalPathsAre400NeverAHangOrA500() throws Exception {
    String form = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.txt\"\r\n\r\nhello\r\n--b--\r\n";
    String[][] cases = {
        {"POST", "/api/./files/x/link", null},
        {"POST", "//api/files", form},
        {"GET", "//api/files", null},
        {"GET", "/api/./me", null},
        {"GET", "/api/x/../me", null},
        {"POST", "/api/../api/files", form},
        {"GET", "/./index.html", null},
        // malformed percent escapes (before: 500 and an ERROR stack trace in the log per request)
        {"GET", "/%zz", null},
        {"GET", "/index.html%", null},
        {"GET", "/api/%zz", null},
        {"PUT", "/api/folders/%g1", null},
        {"BREW", "/x%y", null},
    };
    for (String[] c : cases) {
      Http.Resp r = raw(c[0], c[1], c[2]);
      assertEquals(400, r.status(), c[0] + " " + c[1] + ": " + r);
      assertEquals("bad_request", r.json().getString("error"));
    }
    // Under /api/files/ the raw segment is a name: "../files" and "%2e%2e" are invalid names, also 400.
    assertEquals(400, raw("GET", "/api/files/../files", null).status());
    assertEquals(400, raw("PUT", "/api/files/%2e%2e", null).status());
    // A GET that announces a multipart body is still just a GET (before: 500 from the body parser).
    Http.Resp get = raw("GET", "/api/files/../files", "");
    assertEquals(400, get.status(), get.toString());
    assertEquals(200, raw("GET", "/api/me", "").status());
    assertEquals(404, raw("DELETE", "/api/files/none.txt", "").status());
    Http.Resp list = node.http.send("GET", "/api/files", null, null, "Authorization", basic);
    assertEquals(200, list.status());
    assertTrue(list.json().getJsonArray("files").isEmpty(), "nothing was written: " + list);
    assertEquals(200, raw("GET", "/api/me", null).status(), "canonical paths are unaffected");
    assertEquals(200, raw("GET", "/", null).status());
  }
}
