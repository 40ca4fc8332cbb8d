package dropbox.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.Config;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GET /api/events: the caller's own changes, as server-sent events, from any protocol. Public only so that
 * {@link Stream} can read the stream in other packages' tests (dropbox.dav.DavEventsTest).
 */
public class EventsSseTest {
  @TempDir static Path dir;
  static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start(dir, cfg -> Config.put(cfg, "http.sseHeartbeatMillis", 300));
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) node.close();
  }

  /** Reads the stream's lines on a thread of its own. */
  public static final class Stream implements AutoCloseable {
    final Socket socket;
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    public final String status;
    final String contentType;

    Stream(String token) throws Exception {
      this(node.port(), token);
    }

    public Stream(int port, String token) throws Exception {
      socket = new Socket("127.0.0.1", port);
      OutputStream out = socket.getOutputStream();
      out.write(("GET /api/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      status = in.readLine();
      String ct = null;
      for (String l = in.readLine(); !l.isEmpty(); l = in.readLine()) {
        if (l.toLowerCase().startsWith("content-type:")) ct = l.substring(13).trim();
      }
      contentType = ct;
      Thread t = new Thread(() -> {
        try {
          for (String l = in.readLine(); l != null; l = in.readLine()) lines.add(l);
        } catch (Exception e) {
          // closed by the test
        }
      });
      t.setDaemon(true);
      t.start();
    }

    /** The data of the next "event: file", or null on timeout. */
    public JsonObject nextFileEvent(long millis) throws InterruptedException {
      long deadline = System.currentTimeMillis() + millis;
      boolean inFileEvent = false;
      while (true) {
        String l = lines.poll(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
        if (l == null) return null;
        if (l.equals("event: file")) inFileEvent = true;
        else if (inFileEvent && l.startsWith("data: ")) return new JsonObject(l.substring(6));
      }
    }

    /** True when the server ends the stream (the last chunk, "0") within millis. */
    boolean endsWithin(long millis) throws InterruptedException {
      long deadline = System.currentTimeMillis() + millis;
      while (true) {
        String l = lines.poll(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
        if (l == null) return false;
        if (l.equals("0")) return true;
      }
    }

    @Override
    public void close() throws Exception { socket.close(); }
  }

  @Test
  void ownChangesArriveAndOthersDoNot() throws Exception {
    String a = node.account("watcher", "secret1");
    String b = node.account("stranger", "secret1");
    try (Stream s = new Stream(a)) {
      assertEquals("HTTP/1.1 200 OK", s.status);
      assertTrue(s.contentType.startsWith("text/event-stream"), s.contentType);
      assertEquals(201, node.http.send("PUT", "/api/files/theirs", b, new byte[] {1}).status());
      assertEquals(201, node.http.send("PUT", "/api/files/n%C3%A9w.txt", a, new byte[] {1, 2, 3}).status());
      JsonObject up = s.nextFileEvent(5000);
      assertNotNull(up, "an upload event arrives");
      assertEquals("uploaded", up.getString("type"));
      assertEquals("néw.txt", up.getString("name"), "the stranger's upload came first and was not delivered");
      assertEquals(3L, up.getLong("size"));
      assertEquals(64, up.getString("sha256").length());
      assertEquals(204, node.http.send("DELETE", "/api/files/n%C3%A9w.txt", a, null).status());
      JsonObject del = s.nextFileEvent(5000);
      assertEquals("deleted", del.getString("type"));
      assertEquals("néw.txt", del.getString("name"));
      assertEquals(204, node.http.send("DELETE", "/api/files/theirs", b, null).status());
      assertNull(s.nextFileEvent(500));
    }
  }

  @Test
  void heartbeatCommentsKeepTheStreamAlive() throws Exception {
    String t = node.account("sleeper", "secret1");
    try (Stream s = new Stream(t)) {
      long deadline = System.currentTimeMillis() + 5000;
      int pings = 0;
      while (pings < 2 && System.currentTimeMillis() < deadline) {
        String l = s.lines.poll(1, TimeUnit.SECONDS);
        if (": ping".equals(l)) pings++;
      }
      assertEquals(2, pings, "heartbeat comments arrive on an idle stream");
    }
  }

  @Test
  void oneUserGetsAtMostMaxStreamsPerUserAndOthersAreUnaffected() throws Exception {
    String t = node.account("hoarder", "secret1");
    String other = node.account("neighbour", "secret1");
    List<Stream> open = new ArrayList<>();
    try {
      for (int i = 0; i < 16; i++) {
        Stream s = new Stream(t);
        open.add(s);
        assertEquals("HTTP/1.1 200 OK", s.status, "stream " + (i + 1));
      }
      try (Stream refused = new Stream(t)) {
        assertEquals("HTTP/1.1 429 Too Many Requests", refused.status);
      }
      Http.Resp r = node.http.get("/api/events", t);
      assertEquals(429, r.status());
      assertEquals("too_many_requests", r.json().getString("error"));
      assertNotNull(r.header("retry-after"));
      try (Stream s = new Stream(other)) {
        assertEquals("HTTP/1.1 200 OK", s.status, "another user still gets a stream");
      }
      // Closing one gives the slot back (once the server has seen the close).
      open.remove(0).close();
      String status = null;
      for (int i = 0; i < 50 && !"HTTP/1.1 200 OK".equals(status); i++) {
        Thread.sleep(100);
        Stream s = new Stream(t);
        status = s.status;
        if (status.contains("200")) open.add(s); else s.close();
      }
      assertEquals("HTTP/1.1 200 OK", status, "a closed stream frees its slot");
    } finally {
      for (Stream s : open) s.close();
    }
  }

  /**
   * A client that goes away gives its slot back at once, not at the heartbeat after next (30 s with the
   * default 15 s heartbeat): a user reloading the page must not meet a 429 from the streams of old pages.
   */
  @Test
  void aClosedStreamFreesItsSlotWithoutWaitingForAHeartbeat() throws Exception {
    try (TestNode slow = TestNode.start(dir.resolve("slow-heartbeat"), cfg -> {
      Config.put(cfg, "http.sseHeartbeatMillis", 600_000);
      Config.put(cfg, "http.maxStreamsPerUser", 1);
    })) {
      String t = slow.account("reloader", "secret1");
      for (int page = 0; page < 3; page++) {
        String status = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        Stream s = null;
        while (System.nanoTime() < deadline) {
          s = new Stream(slow.port(), t);
          status = s.status;
          if (status.contains("200")) break;
          s.close();
          s = null;
          Thread.sleep(50);
        }
        assertEquals("HTTP/1.1 200 OK", status, "page " + page + " gets its stream");
        s.close(); // the page reloads
      }
    }
  }

  @Test
  void loggingOutEndsThatTokensStreamsOnly() throws Exception {
    node.account("leaver", "secret1");
    String first = node.login("leaver", "secret1");
    String second = node.login("leaver", "secret1");
    try (Stream a = new Stream(first); Stream b = new Stream(second)) {
      assertEquals(204, node.http.send("POST", "/api/logout", first, null).status());
      assertTrue(a.endsWithin(5000), "the logged-out token's stream ends");
      assertEquals(201, node.http.send("PUT", "/api/files/after-logout.txt", second, new byte[] {1}).status());
      JsonObject e = b.nextFileEvent(5000);
      assertNotNull(e, "the other session's stream keeps delivering");
      assertEquals("after-logout.txt", e.getString("name"));
      assertTrue(a.lines.stream().noneMatch(l -> l.contains("after-logout")), "nothing reached the ended stream");
    }
  }

  /**
   * A stream ends when its token expires, at the expiry and not at the next heartbeat (up to 15 s late
   * by default): the heartbeat here is 10 minutes. A use of the token elsewhere moves the end on.
   */
  @Test
  void anExpiredTokensStreamEndsAtTheExpiry() throws Exception {
    try (TestNode shortLived = TestNode.start(dir.resolve("short"), cfg -> {
      Config.put(cfg, "auth.tokenIdleSeconds", 2);
      Config.put(cfg, "http.sseHeartbeatMillis", 600_000);
    })) {
      String t = shortLived.account("dozer", "secret1");
      try (Stream s = new Stream(shortLived.port(), t)) {
        assertEquals("HTTP/1.1 200 OK", s.status);
        // An open stream is not a use of the token: it expires 2 s after it was opened and the stream ends.
        assertTrue(s.endsWithin(6_000), "the stream of an expired token ends at its expiry");
      }
      assertEquals(401, shortLived.http.get("/api/me", t).status());

      String u = shortLived.account("keeper", "secret1");
      try (Stream s = new Stream(shortLived.port(), u)) {
        assertEquals("HTTP/1.1 200 OK", s.status);
        for (int i = 0; i < 6; i++) { // 4.5 s of uses, each moving the expiry 2 s on
          Thread.sleep(750);
          assertEquals(200, shortLived.http.get("/api/me", u).status());
        }
        assertFalse(s.endsWithin(500), "a token in use keeps its stream");
        assertTrue(s.endsWithin(6_000), "once the uses stop, the stream ends at the new expiry");
      }
    }
  }

  @Test
  void needsAuthentication() throws Exception {
    Http.Resp r = node.http.get("/api/events", null, "X-Requested-With", "dropbox-ui");
    assertEquals(401, r.status());
  }
}
