package dropbox.http;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Test client: java.net.http for ordinary requests, a raw socket where the exact bytes matter. */
final class Http {
  record Resp(int status, Map<String, String> headers, byte[] body) {
    String header(String name) { return headers.get(name.toLowerCase(Locale.ROOT)); }

    String text() { return new String(body, StandardCharsets.UTF_8); }

    JsonObject json() { return new JsonObject(text()); }

    @Override
    public String toString() { return status + " " + headers + " " + (body.length < 2000 ? text() : body.length + " bytes"); }
  }

  final int port;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

  Http(int port) { this.port = port; }

  URI uri(String path) { return URI.create("http://127.0.0.1:" + port + path); }

  Resp send(String method, String path, String token, byte[] body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (token != null) b.header("Authorization", "Bearer " + token);
    for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
    HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    Map<String, String> h = new LinkedHashMap<>();
    r.headers().map().forEach((k, v) -> h.put(k.toLowerCase(Locale.ROOT), String.join(", ", v)));
    return new Resp(r.statusCode(), h, r.body());
  }

  Resp json(String method, String path, String token, JsonObject body) throws Exception {
    return send(method, path, token, body.encode().getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json");
  }

  Resp get(String path, String token, String... headers) throws Exception {
    return send("GET", path, token, null, headers);
  }

  /** Writes exactly these bytes and reads one response (until its length, chunk end or EOF). */
  Resp raw(String head, byte[] body) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      if (body != null) out.write(body);
      out.flush();
      return readResponse(s.getInputStream(), head.startsWith("HEAD "));
    }
  }

  static Resp readResponse(InputStream in, boolean head) throws IOException {
    String status = line(in);
    while (status.startsWith("HTTP/1.1 100")) {
      line(in);
      status = line(in);
    }
    int code = Integer.parseInt(status.split(" ")[1]);
    Map<String, String> h = new LinkedHashMap<>();
    for (String l = line(in); !l.isEmpty(); l = line(in)) {
      int c = l.indexOf(':');
      h.merge(l.substring(0, c).trim().toLowerCase(Locale.ROOT), l.substring(c + 1).trim(), (a, b) -> a + ", " + b);
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (head || code == 204 || code == 304) return new Resp(code, h, new byte[0]);
    if (h.containsKey("content-length")) {
      body.write(in.readNBytes(Integer.parseInt(h.get("content-length"))));
    } else if ("chunked".equalsIgnoreCase(h.get("transfer-encoding"))) {
      for (int n = Integer.parseInt(line(in).trim(), 16); n > 0; n = Integer.parseInt(line(in).trim(), 16)) {
        body.write(in.readNBytes(n));
        line(in);
      }
      line(in);
    } else {
      body.write(in.readAllBytes());
    }
    return new Resp(code, h, body.toByteArray());
  }

  static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) throw new IOException("connection closed mid-line: " + b);
      if (c != '\r') b.write(c);
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }
}
