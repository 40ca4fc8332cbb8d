package dropbox.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.testing.ServerProcess;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proof that HTTP bodies stream: a server process with a 128 MiB heap takes a 1 GiB PUT (Content-Length),
 * a 512 MiB chunked PUT and serves the 1 GiB file back whole and as a range. Buffering any of them
 * would end in OutOfMemoryError.
 */
class HttpStreamingMemoryTest {
  static final long ONE_GIB = 1L << 30;
  static final long HALF_GIB = 1L << 29;
  @TempDir Path root;

  @Test
  void aServerWith128MiBHeapStreamsGiBUploadsAndDownloadsOverHttp() throws Exception {
    try (ServerProcess server = ServerProcess.start(List.of("-Xmx128m"), "--storage", root.toString(),
        "--tcp-port", "0", "--http-port", "0", "--default-quota", String.valueOf(3L << 30))) {
      Http http = new Http(server.httpPort());
      JsonObject creds = new JsonObject().put("username", "big").put("password", "pass");
      assertEquals(201, http.json("POST", "/api/signup", null, creds).status());
      String token = http.json("POST", "/api/login", null, creds).json().getString("token");
      byte[] pattern = new byte[1 << 16];
      new Random(11).nextBytes(pattern);

      String sha1 = upload(server.httpPort(), token, "one-gib.bin", ONE_GIB, pattern, false);
      String sha2 = upload(server.httpPort(), token, "half-gib-chunked.bin", HALF_GIB, pattern, true);
      assertEquals(expectedSha(ONE_GIB, pattern), sha1);
      assertEquals(expectedSha(HALF_GIB, pattern), sha2);

      try (Socket s = new Socket("127.0.0.1", server.httpPort())) {
        s.setSoTimeout(60_000);
        OutputStream out = s.getOutputStream();
        out.write(("GET /api/files/one-gib.bin HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        InputStream in = s.getInputStream();
        assertEquals("HTTP/1.1 200 OK", Http.line(in));
        long length = -1;
        for (String l = Http.line(in); !l.isEmpty(); l = Http.line(in)) {
          if (l.toLowerCase().startsWith("content-length:")) length = Long.parseLong(l.substring(15).trim());
        }
        assertEquals(ONE_GIB, length);
        MessageDigest got = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[1 << 16];
        for (long left = length; left > 0; ) {
          int n = in.read(buf, 0, (int) Math.min(buf.length, left));
          assertTrue(n > 0, "closed with " + left + " bytes left");
          got.update(buf, 0, n);
          left -= n;
        }
        assertEquals(sha1, HexFormat.of().formatHex(got.digest()));
      }
      Http.Resp tail = http.get("/api/files/one-gib.bin", token, "Range", "bytes=-65536");
      assertEquals(206, tail.status());
      assertEquals(java.util.Arrays.toString(pattern), java.util.Arrays.toString(tail.body()));
      assertEquals(ONE_GIB + HALF_GIB, http.get("/api/me", token).json().getJsonObject("usage").getLong("usedBytes"));
      assertTrue(server.isAlive());
      assertTrue(server.output().stream().noneMatch(l -> l.contains("OutOfMemoryError")), "no OOM in the log");
    }
  }

  /** PUTs `size` bytes of the repeated pattern; returns the sha256 the server reports. */
  static String upload(int port, String token, String name, long size, byte[] pattern, boolean chunked) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(120_000);
      OutputStream out = s.getOutputStream();
      out.write(("PUT /api/files/" + name + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n"
          + (chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + size + "\r\n") + "\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      byte[] chunkHead = (Integer.toHexString(pattern.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
      byte[] crlf = "\r\n".getBytes(StandardCharsets.ISO_8859_1);
      for (long sent = 0; sent < size; sent += pattern.length) {
        if (chunked) out.write(chunkHead);
        out.write(pattern);
        if (chunked) out.write(crlf);
      }
      if (chunked) out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      Http.Resp r = Http.readResponse(s.getInputStream(), false);
      assertEquals(201, r.status(), r.toString());
      assertEquals(size, r.json().getLong("size"));
      return r.json().getString("sha256");
    }
  }

  static String expectedSha(long size, byte[] pattern) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    for (long done = 0; done < size; done += pattern.length) md.update(pattern);
    return HexFormat.of().formatHex(md.digest());
  }
}
