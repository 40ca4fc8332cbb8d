package dropbox.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.testing.ServerProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client input cannot create metric series: 10 000 requests with distinct made-up methods and paths
 * leave the set of series on /metrics unchanged (before: each made-up method added 11 series, and 1000
 * requests grew /metrics to 44 MB). A real server process, raw sockets.
 */
class MetricsCardinalityTest {
  @TempDir Path dir;

  /** One keep-alive connection that reconnects whenever the server closes it. */
  static final class Client implements AutoCloseable {
    final int port;
    Socket socket;

    Client(int port) { this.port = port; }

    /** Sends one request and returns its status. */
    int send(String method, String path) throws IOException {
      for (int attempt = 0; ; attempt++) {
        if (socket == null) {
          socket = new Socket("127.0.0.1", port);
          socket.setSoTimeout(30_000);
        }
        try {
          OutputStream out = socket.getOutputStream();
          out.write((method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          return readResponse(method.equals("HEAD"));
        } catch (IOException e) {
          close();
          if (attempt >= 2) throw e;
        }
      }
    }

    private int readResponse(boolean head) throws IOException {
      InputStream in = socket.getInputStream();
      String status = line(in);
      int code = Integer.parseInt(status.split(" ")[1]);
      long length = 0;
      boolean close = false;
      for (String l = line(in); !l.isEmpty(); l = line(in)) {
        String lower = l.toLowerCase(Locale.ROOT);
        if (lower.startsWith("content-length:")) length = Long.parseLong(lower.substring(15).trim());
        if (lower.startsWith("connection:") && lower.contains("close")) close = true;
      }
      if (!head) in.readNBytes((int) length);
      if (close) close();
      return code;
    }

    @Override
    public void close() throws IOException {
      if (socket != null) socket.close();
      socket = null;
    }
  }

  static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) throw new IOException("closed mid-line");
      if (c != '\r') b.write(c);
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  /** The series of /metrics (one per sample line), without the JVM's own, which come and go with GC causes. */
  static Set<String> series(int port) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(30_000);
      s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.ISO_8859_1));
      String text = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      Set<String> out = new TreeSet<>();
      boolean body = false;
      for (String l : text.split("\n")) {
        if (!body) {
          body = l.trim().isEmpty();
          continue;
        }
        if (l.isEmpty() || l.startsWith("#") || l.startsWith("jvm_") || l.startsWith("process_") || l.startsWith("system_")) continue;
        int sp = l.lastIndexOf(' ');
        out.add(sp < 0 ? l : l.substring(0, sp));
      }
      return out;
    }
  }

  /** Made-up methods and paths, plus real methods on made-up paths, everywhere a router could route them. */
  static void attack(int port, int from, int count, int threads) throws Exception {
    AtomicInteger next = new AtomicInteger(from);
    int end = from + count;
    List<Thread> ts = new ArrayList<>();
    List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < threads; t++) {
      Thread th = new Thread(() -> {
        try (Client c = new Client(port)) {
          for (int i = next.getAndIncrement(); i < end; i = next.getAndIncrement()) {
            String path = switch (i % 5) {
              case 0 -> "/made/up/" + i;
              case 1 -> "/api/files/f" + i;
              case 2 -> "/api/x" + i;
              case 3 -> "/metrics" + i;
              default -> "/page" + i + ".html?q=" + i;
            };
            String method = i % 4 == 0 ? List.of("GET", "DELETE", "HEAD", "PATCH").get((i / 4) % 4) : "M" + Integer.toString(i, 36).toUpperCase(Locale.ROOT);
            c.send(method, path);
          }
        } catch (Throwable e) {
          errors.add(e);
        }
      });
      ts.add(th);
      th.start();
    }
    for (Thread th : ts) th.join();
    assertTrue(errors.isEmpty(), "every request was answered: " + errors);
  }

  /** A REST request is labelled by its own routes only, a WebDAV one as /dav/ (the mount sees every request). */
  @Test
  void restAndWebDavRequestsAreLabelledByTheirOwnRoutes() throws Exception {
    try (ServerProcess server = ServerProcess.start(List.of(), "--host", "127.0.0.1",
        "--storage", dir.resolve("labels").toString(), "--tcp-port", "0", "--http-port", "0");
         Client c = new Client(server.httpPort())) {
      assertEquals(401, c.send("GET", "/api/me")); // answered by the authenticator, on the /api/ route
      assertEquals(401, c.send("PROPFIND", "/dav/some/where"));
      Set<String> all = series(server.httpPort());
      List<String> routes = all.stream().filter(x -> x.startsWith("vertx_http_server_requests_total{")).toList();
      assertTrue(routes.stream().anyMatch(x -> x.contains("method=\"GET\"") && x.contains("route=\"/api/\"")), routes.toString());
      assertTrue(routes.stream().anyMatch(x -> x.contains("method=\"PROPFIND\"") && x.contains("route=\"/dav/\"")),
          routes.toString());
      assertTrue(routes.stream().noneMatch(x -> x.contains("dav>")), routes.toString());
    }
  }

  @Test
  void tenThousandMadeUpMethodsAndPathsAddNoSeries() throws Exception {
    try (ServerProcess server = ServerProcess.start(List.of("-Xmx256m"), "--host", "127.0.0.1",
        "--storage", dir.resolve("data").toString(), "--tcp-port", "0", "--http-port", "0")) {
      int port = server.httpPort();
      // Warm-up: the first OTHER request, 404, 405, ... creates its (bounded) series once.
      attack(port, 0, 200, 2);
      series(port); // ...and so does the first scrape itself, once it has been answered
      Set<String> before = series(port);
      attack(port, 1_000_000, 10_000, 4);
      Set<String> after = series(port);
      Set<String> added = new TreeSet<>(after);
      added.removeAll(before);
      assertEquals(Set.of(), added, "no new series");
      assertEquals(before.size(), after.size());
      assertTrue(before.stream().anyMatch(s -> s.startsWith("vertx_http_server_requests_total{") && s.contains("method=\"OTHER\"")),
          "made-up methods are counted, as OTHER: " + before);
      assertTrue(before.stream().noneMatch(s -> s.contains("method=\"M")), "no made-up method appears as a label");
      assertTrue(before.stream().noneMatch(s -> s.contains("/made/up") || s.contains("page1")), "no path appears as a label");
      assertTrue(before.stream().anyMatch(s -> s.contains("route=\"other\"")), "unrouted requests share route=other");
    }
  }
}
