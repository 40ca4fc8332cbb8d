package dropbox.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.Config;
import dropbox.testing.Tools;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP front end with TLS on (the self-signed pair), checked from outside with real handshakes:
 * curl over HTTP/2 (ALPN) and HTTP/1.1, openssl s_client for protocol versions, HSTS on every answer,
 * uploads and downloads over h2, and an early refusal under h2 that resets only its own stream.
 */
class HttpsTest {
  @TempDir static Path dir;
  static TestNode node;
  static Path cert;
  static String token;

  @BeforeAll
  static void start() throws Exception {
    Tools.require("curl");
    Tools.require("openssl");
    node = TestNode.start(dir, cfg -> Config.put(cfg, "tls.selfSigned", true));
    cert = node.server.tls().certFile();
    token = signupAndLogin("tess", "secret-pw");
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) node.close();
  }

  static String url(String path) { return "https://localhost:" + node.port() + path; }

  /** curl trusting exactly the server's certificate (--cacert), never -k. */
  static Tools.Result curl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--cacert", cert.toString(), "--max-time", "60"));
    cmd.addAll(List.of(args));
    return Tools.run(cmd, new byte[0], 90);
  }

  static String signupAndLogin(String user, String pw) throws Exception {
    String body = new JsonObject().put("username", user).put("password", pw).encode();
    Tools.Result s = curl("-H", "Content-Type: application/json", "-d", body, url("/api/signup"));
    assertTrue(s.out().contains("\"username\""), s.toString());
    Tools.Result l = curl("-H", "Content-Type: application/json", "-d", body, url("/api/login"));
    return new JsonObject(l.out()).getString("token");
  }

  @Test
  void curlNegotiatesHttp2AndEveryAnswerCarriesHsts() throws Exception {
    Tools.Result h2 = curl("--http2", "-D", "-", "-o", "/dev/null", "-w", "version=%{http_version}", url("/health"));
    assertEquals(0, h2.exitCode(), h2.toString());
    assertTrue(h2.out().endsWith("version=2"), "HTTP/2 negotiated by ALPN: " + h2);
    assertTrue(h2.out().toLowerCase().contains("strict-transport-security: max-age=31536000"), h2.out());

    Tools.Result h1 = curl("--http1.1", "-D", "-", "-o", "/dev/null", "-w", "version=%{http_version}", url("/api/me"));
    assertTrue(h1.out().endsWith("version=1.1"), "HTTP/1.1 still offered: " + h1);
    assertTrue(h1.out().startsWith("HTTP/1.1 401"), h1.out());
    assertTrue(h1.out().toLowerCase().contains("strict-transport-security: max-age=31536000"), "errors too: " + h1.out());

    Tools.Result ui = curl("--http2", "-D", "-", "-o", "/dev/null", url("/"));
    assertTrue(ui.out().toLowerCase().contains("strict-transport-security: max-age=31536000"), ui.out());
  }

  @Test
  void theCertificateCurlVerifiesIsTheOneTheServerLogged() throws Exception {
    Tools.Result r = Tools.sClient("127.0.0.1:" + node.port(), "-servername", "localhost");
    assertEquals(Tools.opensslFingerprint(cert), Tools.firstCertFingerprint(r.out()));
    assertEquals(node.server.tls().material().fingerprint(), Tools.opensslFingerprint(cert),
        "the fingerprint the server logs is openssl's");
    // A client that does not trust it is refused: no silent acceptance.
    Tools.Result untrusted = Tools.run("curl", "-sS", "--max-time", "30", url("/health"));
    assertNotEquals(0, untrusted.exitCode(), untrusted.toString());
  }

  @Test
  void onlyTls12And13AreAccepted() throws Exception {
    String hp = "127.0.0.1:" + node.port();
    // SECLEVEL=0 so that this openssl offers TLS 1.1 at all: the refusal must come from the server.
    Tools.Result v11 = Tools.sClient(hp, "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0");
    assertNotEquals(0, v11.exitCode(), "TLS 1.1 must fail: " + v11);
    assertTrue(v11.all().contains("alert protocol version") || v11.all().contains("no protocols available")
        || v11.all().contains("unsupported protocol"), v11.toString());
    assertTrue(v11.all().contains("alert protocol version"), "the server answered with a protocol_version alert: " + v11);
    for (String v : new String[] {"1_2", "1_3"}) {
      Tools.Result ok = Tools.sClient(hp, "-tls" + v, "-brief");
      assertEquals(0, ok.exitCode(), ok.toString());
      assertTrue(ok.all().contains("Protocol version: TLSv" + v.replace('_', '.')), ok.toString());
    }
    // Plain HTTP on the HTTPS port gets nothing useful.
    Tools.Result plain = Tools.run("curl", "-sS", "--max-time", "30", "http://127.0.0.1:" + node.port() + "/health");
    assertNotEquals(0, plain.exitCode(), plain.toString());
  }

  @Test
  void uploadAndDownloadOverHttp2WithAndWithoutContentLength() throws Exception {
    byte[] data = new byte[300_000];
    new Random(7).nextBytes(data);
    Path src = Files.write(dir.resolve("up.bin"), data);
    Tools.Result put = curl("--http2", "-H", "Authorization: Bearer " + token, "-T", src.toString(),
        "-w", "\n%{http_code} %{http_version}", url("/api/files/up.bin"));
    assertTrue(put.out().endsWith("201 2"), put.toString());

    // From stdin: curl sends no Content-Length under h2 (there is no chunked encoding): size unknown.
    Tools.Result stream = Tools.run(List.of("curl", "-sS", "--cacert", cert.toString(), "--http2",
        "-H", "Authorization: Bearer " + token, "-T", "-", "-w", "\n%{http_code} %{http_version}",
        url("/api/files/streamed.bin")), data, 90);
    assertTrue(stream.out().endsWith("201 2"), stream.toString());

    for (String name : new String[] {"up.bin", "streamed.bin"}) {
      Path out = dir.resolve("down-" + name);
      Tools.Result get = curl("--http2", "-H", "Authorization: Bearer " + token, "-o", out.toString(),
          "-w", "%{http_code} %{http_version}", url("/api/files/" + name));
      assertEquals("200 2", get.out(), get.toString());
      assertArrayEquals(data, Files.readAllBytes(out), name);
    }
    // A range over h2 (streamed by Download, not Vert.x's sendFile).
    Path part = dir.resolve("part.bin");
    Tools.Result range = curl("--http2", "-H", "Authorization: Bearer " + token, "-H", "Range: bytes=1000-200999",
        "-o", part.toString(), "-w", "%{http_code} %{http_version}", url("/api/files/up.bin"));
    assertEquals("206 2", range.out(), range.toString());
    assertArrayEquals(java.util.Arrays.copyOfRange(data, 1000, 201000), Files.readAllBytes(part));
  }

  @Test
  void http11DownloadsOverTlsAreStreamedWholeAndInRangesOnOneKeptAliveConnection() throws Exception {
    // Four of FileStreaming's 256 KiB reads (the most the 1 MB quota holds), a range inside some of them.
    byte[] data = new byte[900_000];
    new Random(11).nextBytes(data);
    Path src = Files.write(dir.resolve("big11.bin"), data);
    String hugo = signupAndLogin("hugo", "hugo-pw");
    String auth = "Authorization: Bearer " + hugo;
    Tools.Result put = curl("--http1.1", "-H", auth, "-T", src.toString(),
        "-w", "\n%{http_code}", url("/api/files/big11.bin"));
    assertTrue(put.out().endsWith("201"), put.toString());

    Path whole = dir.resolve("big11-whole.bin");
    Path part = dir.resolve("big11-part.bin");
    // Two transfers in one curl: the second reuses the connection only if the first ended cleanly.
    String w = "%{http_code} %{http_version} %{num_connects};";
    Tools.Result get = curl("--http1.1", "-H", auth, "-o", whole.toString(), "-w", w, url("/api/files/big11.bin"),
        "--next", "-sS", "--cacert", cert.toString(), "--http1.1", "-H", auth, "-H", "Range: bytes=300000-799999",
        "-o", part.toString(), "-w", w, url("/api/files/big11.bin"));
    assertEquals("200 1.1 1;206 1.1 0;", get.out(), get.toString());
    assertArrayEquals(data, Files.readAllBytes(whole));
    assertArrayEquals(java.util.Arrays.copyOfRange(data, 300000, 800000), Files.readAllBytes(part));
  }

  @Test
  void underHttp2ARefusedUploadResetsOnlyItsStreamAndTheConnectionGoesOn() throws Exception {
    // 3 MB against a 1 MB quota: refused from Content-Length before the body is read.
    Path big = dir.resolve("big.bin");
    Files.write(big, new byte[3_000_000]);
    Tools.Result r = curl("--http2", "-H", "Authorization: Bearer " + token,
        "-T", big.toString(), "-w", "\n%{http_code} %{http_version} connects=%{num_connects}\n", url("/api/files/big.bin"),
        "--next", "--cacert", cert.toString(), "--http2", "-H", "Authorization: Bearer " + token,
        "-w", "\n%{http_code} %{http_version} connects=%{num_connects}\n", url("/api/me"));
    String[] lines = r.out().split("\n");
    List<String> status = new ArrayList<>();
    for (String l : lines) if (l.contains("connects=")) status.add(l.trim());
    assertEquals(2, status.size(), r.toString());
    assertEquals("413 2 connects=1", status.get(0), "refused as larger than the user can store: " + r);
    assertEquals("200 2 connects=0", status.get(1), "the next request reused the same connection: " + r);
    assertTrue(r.out().contains("\"too_large\""), r.out());
    assertTrue(r.out().contains("\"username\":\"tess\""), r.out());
    Tools.Result list = curl("-H", "Authorization: Bearer " + token, url("/api/files"));
    assertTrue(!list.out().contains("big.bin"), "nothing of the refused upload was kept: " + list.out());
    assertEquals(0, r.exitCode(), "curl saw no broken connection: " + r);
  }
}
