package dropbox.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.Config;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connection-level limits over real sockets: a trickled request head is cut off (slowloris), slow
 * bodies and long event streams are not, connections beyond http.maxConnections get 503 and are closed,
 * malformed request lines and unknown HTTP versions get 400 and 505, and a body framed ambiguously
 * (Transfer-Encoding other than chunked, or beside Content-Length) gets 400 with nothing after it served.
 */
class ConnectionGuardTest {
  @TempDir Path dir;
  TestNode node;
  final List<Socket> sockets = new ArrayList<>();

  void start(Consumer<JsonObject> tweak) throws Exception {
    node = TestNode.start(dir, tweak);
  }

  @AfterEach
  void stop() throws Exception {
    for (Socket s : sockets) s.close();
    if (node != null) node.close();
  }

  Socket connect() throws IOException {
    Socket s = new Socket("127.0.0.1", node.port());
    s.setSoTimeout(30_000);
    sockets.add(s);
    return s;
  }

  static void write(Socket s, String text) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** True once the server has closed the socket (EOF or reset) - read with the socket's own timeout. */
  static boolean closedByServer(Socket s) throws IOException {
    try {
      InputStream in = s.getInputStream();
      while (true) {
        int b = in.read();
        if (b < 0) return true;
      }
    } catch (SocketException e) {
      return true; // reset
    }
  }

  @Test
  void aTrickledRequestHeadIsCutOffAtTheDeadline() throws Exception {
    start(cfg -> Config.put(cfg, "http.headerTimeoutSeconds", 2));
    Socket s = connect();
    write(s, "GET /api/me HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    // One header byte every 300 ms: the head would take a minute to finish, and never does.
    long start = System.nanoTime();
    Thread trickler = new Thread(() -> {
      try {
        for (int i = 0; i < 200; i++) {
          write(s, "X");
          Thread.sleep(300);
        }
      } catch (IOException | InterruptedException e) {
        // the server cut us off
      }
    });
    trickler.setDaemon(true);
    trickler.start();
    boolean cut = closedByServer(s);
    double seconds = (System.nanoTime() - start) / 1e9;
    assertTrue(cut, "the server closed the trickling connection");
    assertTrue(seconds >= 1.5 && seconds < 30, "closed at the 2 s deadline, not before it: " + seconds);
    assertEquals(401, node.http.get("/api/me", null).status(), "the server still answers others");
  }

  @Test
  void aSilentConnectionIsClosedButSlowBodiesIdleKeepAlivesAndStreamsAreNot() throws Exception {
    start(cfg -> {
      Config.put(cfg, "http.headerTimeoutSeconds", 2);
      Config.put(cfg, "http.sseHeartbeatMillis", 500);
    });
    Socket silent = connect();
    assertTrue(closedByServer(silent), "a connection that never sends a request is closed");

    String token = node.account("slowpoke", "secret1");
    // A body trickled over ~4 s (twice the header deadline): the head was complete, so it is not cut.
    Socket up = connect();
    write(up, "PUT /api/files/slow.bin HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\nContent-Length: 8\r\n\r\n");
    for (int i = 0; i < 8; i++) {
      Thread.sleep(500);
      write(up, "b");
    }
    Http.Resp r = Http.readResponse(up.getInputStream(), false);
    assertEquals(201, r.status(), r.toString());
    // Idle longer than the deadline, the kept-alive connection is still usable (no race with a reuse)...
    Thread.sleep(3_000);
    write(up, "GET /api/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n\r\n");
    assertEquals(200, Http.readResponse(up.getInputStream(), false).status());
    // ...but a second request head trickled on it gets the same deadline as the first.
    long start = System.nanoTime();
    write(up, "GET /api/me HTTP/1.1\r\n");
    for (int i = 0; i < 20; i++) {
      Thread.sleep(300);
      try {
        write(up, "X");
      } catch (SocketException e) {
        break;
      }
    }
    assertTrue(closedByServer(up), "a trickled second request head is cut off too");
    assertTrue((System.nanoTime() - start) / 1e9 < 30);

    Socket events = connect();
    write(events, "GET /api/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n\r\n");
    InputStream in = events.getInputStream();
    long until = System.currentTimeMillis() + 5_000;
    int pings = 0;
    StringBuilder line = new StringBuilder();
    while (System.currentTimeMillis() < until) {
      int c = in.read();
      assertTrue(c >= 0, "the event stream stays open past the header deadline");
      if (c == '\n') {
        if (line.toString().equals(": ping")) pings++;
        line.setLength(0);
      } else if (c != '\r') {
        line.append((char) c);
      }
    }
    assertTrue(pings >= 4, "heartbeats kept arriving for 5 s: " + pings);
  }

  @Test
  void connectionsBeyondTheCapAreAnswered503AndClosed() throws Exception {
    start(cfg -> {
      Config.put(cfg, "http.maxConnections", 4);
      Config.put(cfg, "http.headerTimeoutSeconds", 120);
    });
    String token = node.account("busy", "secret-pass");
    List<Socket> held = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      // Busy connections: an upload whose body is still on its way (idle ones would give way, below, and
      // so would one still sending a login's small body, or one answered already).
      Socket s = connect();
      write(s, "PUT /api/files/busy" + i + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n"
          + "Content-Length: 100\r\n\r\nfirst bytes");
      held.add(s);
    }
    Thread.sleep(300); // the server has seen the four heads
    Socket fifth = connect();
    write(fifth, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    Http.Resp r = Http.readResponse(fifth.getInputStream(), false);
    assertEquals(503, r.status(), r.toString());
    assertEquals("busy", r.json().getString("error"));
    assertTrue(closedByServer(fifth), "the connection over the cap is closed");

    held.get(0).close();
    // The freed slot is counted as soon as the server sees the close.
    int status = 0;
    for (int i = 0; i < 100 && status != 200; i++) {
      Thread.sleep(100);
      Socket s = connect();
      write(s, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      status = Http.readResponse(s.getInputStream(), false).status();
      s.close();
    }
    assertEquals(200, status, "a freed slot is usable again");
  }

  @Test
  void atTheCapAnIdleKeptAliveConnectionMakesRoomForANewClient() throws Exception {
    start(cfg -> {
      Config.put(cfg, "http.maxConnections", 4);
      Config.put(cfg, "http.instances", 1); // one instance: it sees all four idle connections
    });
    // The attack: one cheap request per connection, then keep it open and silent.
    List<Socket> idle = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Socket s = connect();
      write(s, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
      assertEquals(200, Http.readResponse(s.getInputStream(), false).status());
      idle.add(s);
    }
    for (int round = 0; round < 3; round++) {
      Socket s = connect();
      write(s, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      Http.Resp r = Http.readResponse(s.getInputStream(), false);
      assertEquals(200, r.status(), "round " + round + ": " + r);
      s.close();
    }
    // The oldest idle connections were closed by the server to make that room.
    assertTrue(closedByServer(idle.get(0)), "the oldest idle connection gave its slot up");
    for (Socket s : idle) s.close();
  }

  /**
   * In a burst over the cap, a connection just accepted is about to send its request: it is not evicted
   * for a newcomer, which gets the 503 instead. Before, new clients closed each other before their first
   * request was read (a black-box pass saw resets and silent closes, and no 503, for 300 requests on a
   * 200-connection node). A silent connection older than EVICT_AFTER still makes room.
   */
  @Test
  void atTheCapAConnectionJustAcceptedIsNotEvictedForANewcomer() throws Exception {
    start(cfg -> {
      Config.put(cfg, "http.maxConnections", 2);
      Config.put(cfg, "http.instances", 1);
    });
    Socket a = connect();
    Socket b = connect();
    Socket c = connect(); // over the cap while a and b have not spoken yet
    write(c, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    assertEquals(503, Http.readResponse(c.getInputStream(), false).status(), "the newcomer is refused");
    for (Socket s : List.of(a, b)) {
      write(s, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
      assertEquals(200, Http.readResponse(s.getInputStream(), false).status(), "the first two are served");
    }
    a.close();
    b.close();
    c.close();
    Socket silent = connect();
    Thread.sleep(TimeUnit.NANOSECONDS.toMillis(HeaderDeadline.EVICT_AFTER_NANOS) + 500);
    Socket late = connect();
    Socket later = connect();
    write(later, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertEquals(200, Http.readResponse(later.getInputStream(), false).status(), "a long-silent connection made room");
    assertTrue(closedByServer(silent), "the silent one gave its slot up");
    late.close();
  }

  /**
   * A connection slot cannot be held without an account through a body: a request answered before its body
   * arrived (401 to a PUT without credentials) gets the drain bound for the rest, and at the cap such a
   * connection, or one still sending a login's small body, makes room. Found by a black-box pass: 20
   * trickled bodies kept a 20-connection node answering 503 for as long as they trickled.
   */
  @Test
  void bodiesTrickledWithoutAnAccountHoldNoConnectionSlot() throws Exception {
    start(cfg -> {
      Config.put(cfg, "http.maxConnections", 4);
      Config.put(cfg, "http.instances", 1);
      Config.put(cfg, "http.headerTimeoutSeconds", 2);
    });
    String token = node.account("victim", "secret-pass");
    List<Socket> held = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Socket s = connect();
      write(s, "PUT /api/files/slow" + i + " HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\nx");
      assertEquals(401, Http.readResponse(s.getInputStream(), false).status());
      held.add(s);
    }
    for (int i = 0; i < 2; i++) {
      Socket s = connect();
      write(s, "POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n{");
      held.add(s);
    }
    Thread.sleep(300);
    for (Socket s : held) write(s, " "); // still trickling: not idle by any timeout
    for (int round = 0; round < 4; round++) {
      Http.Resp me = node.http.get("/api/me", token);
      assertEquals(200, me.status(), "round " + round + ": " + me);
    }
    // And without the cap's help: the login body is cut at the head's deadline (2 s), with an answer.
    Socket login = connect();
    long t0 = System.nanoTime();
    write(login, "POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n{");
    Http.Resp cut = Http.readResponse(login.getInputStream(), false);
    assertEquals(400, cut.status(), cut.toString());
    assertEquals("The request body did not arrive within 2 s", cut.json().getString("message"));
    assertTrue(closedByServer(login));
    assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "cut at the deadline, not by the idle timeout");
    // The answered PUT's body gets the drain bound (15 s) and no more, however it trickles.
    Socket put = connect();
    write(put, "PUT /api/files/slow HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\nx");
    assertEquals(401, Http.readResponse(put.getInputStream(), false).status());
    long t1 = System.nanoTime();
    boolean closed = false;
    while (!closed && System.nanoTime() - t1 < 25_000_000_000L) {
      try {
        write(put, "x");
        Thread.sleep(1000);
      } catch (IOException e) {
        closed = true;
      }
    }
    assertTrue(closed, "a trickled body after the answer is cut after the drain bound");
    for (Socket s : held) s.close();
  }

  @Test
  void malformedRequestLinesAre400AndUnknownVersions505() throws Exception {
    start(cfg -> { });
    for (String version : new String[] {"HTTP/1.2", "HTTP/3.0", "HTTP/0.9", "HTTP/2.0"}) {
      Http.Resp r = node.http.raw("GET /health " + version + "\r\nHost: x\r\n\r\n", null);
      assertEquals(505, r.status(), version + ": " + r);
      assertEquals("http_version_not_supported", r.json().getString("error"));
    }
    for (String line : new String[] {"GET /health HTTX/1.1", "GET /health FOO", "GARBAGE", "G\u0001T /health HTTP/1.1",
        // lower-case HTTP-names (before: Vert.x's bare 501, as if the method were unknown)
        "GET /health http/1.1", "GET /health http/1.0"}) {
      Http.Resp r = node.http.raw(line + "\r\nHost: x\r\n\r\n", null);
      assertEquals(400, r.status(), line + ": " + r);
    }
    assertEquals("bad_request", node.http.raw("GET /health HTTX/1.1\r\nHost: x\r\n\r\n", null).json().getString("error"));
    assertEquals(200, node.http.raw("GET /health HTTP/1.0\r\n\r\n", null).status());
    assertEquals(200, node.http.get("/health", null).status());
  }

  @Test
  void anOverlongRequestLineIs414AndAnOverlargeHead431AsJsonErrorsOverHttp11() throws Exception {
    start(cfg -> { });
    String[][] cases = {
        {"GET /" + "a".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n\r\n", "414", "uri_too_long"},
        {"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(9000) + "\r\n\r\n", "431", "headers_too_large"},
        {"GET /health HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n", "400", "bad_request"}};
    for (String[] c : cases) {
      try (Socket s = new Socket("127.0.0.1", node.http.port)) {
        s.setSoTimeout(10_000);
        s.getOutputStream().write(c[0].getBytes(StandardCharsets.ISO_8859_1));
        String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1); // the server closes
        assertTrue(all.startsWith("HTTP/1.1 " + c[1] + " "), "the client's version, not Netty's stand-in 1.0: " + all);
        String body = all.substring(all.indexOf("\r\n\r\n") + 4);
        assertEquals(c[2], new JsonObject(body).getString("error"), all);
        assertTrue(all.toLowerCase(java.util.Locale.ROOT).contains("x-content-type-options: nosniff"), all);
        assertTrue(all.toLowerCase(java.util.Locale.ROOT).contains("\r\ndate: "), all);
      }
    }
    assertEquals(200, node.http.get("/health", null).status());
  }

  @Test
  void ambiguousBodyFramingIs400AndNothingPipelinedBehindItIsServed() throws Exception {
    start(cfg -> { });
    String token = node.account("framer", "secret-pass");
    String auth = "Authorization: Bearer " + token + "\r\n";
    assertEquals(201, node.http.send("PUT", "/api/files/keep.txt", token, "important".getBytes()).status());
    // Each head is refused; behind it, on the same connection, a DELETE that must never run. With
    // "gzip" Netty framed the PUT as bodiless, stored an empty file and served the DELETE that followed.
    String[] heads = {
        "Transfer-Encoding: gzip\r\n",
        "Transfer-Encoding: chunked, identity\r\n",
        "Transfer-Encoding: xyz\r\nContent-Length: 3\r\n",
        "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n",
        "Host: elsewhere.example\r\n", // a second Host (RFC 9112 3.2)
        // obs-fold (RFC 9112 5.2): Netty joined these lines, so the PUT had no body and stored an empty file
        "X-Note: a\r\n Transfer-Encoding: chunked\r\n",
        "X-Note: a\r\n\tb\r\n",
    };
    for (String framing : heads) {
      Socket s = connect();
      write(s, "PUT /api/files/keep.txt HTTP/1.1\r\nHost: x\r\n" + auth + framing + "\r\n"
          + "DELETE /api/files/keep.txt HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n");
      Http.Resp r = Http.readResponse(s.getInputStream(), false);
      assertEquals(400, r.status(), framing + ": " + r);
      assertEquals("bad_request", r.json().getString("error"), framing);
      assertEquals("close", r.header("connection"), framing);
      assertTrue(closedByServer(s), framing + ": the connection is closed after the error, the DELETE never answered");
      Http.Resp kept = node.http.get("/api/files/keep.txt", token);
      assertEquals(200, kept.status(), framing + ": the pipelined DELETE was served");
      assertEquals("important", kept.text(), framing + ": the refused PUT stored nothing");
    }
    // Content-Length beside chunked, in either order: the smuggling shape. A proxy that frames by the
    // Content-Length forwards the DELETE as this PUT's body; Netty framed it as chunked, so the DELETE
    // after the empty last chunk was served as a second request.
    String smuggled = "DELETE /api/files/keep.txt HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n";
    String body = "0\r\n\r\n" + smuggled;
    String length = "Content-Length: " + body.length() + "\r\n";
    for (String framing : new String[] {length + "Transfer-Encoding: chunked\r\n", "Transfer-Encoding: chunked\r\n" + length}) {
      Socket s = connect();
      write(s, "PUT /api/files/keep.txt HTTP/1.1\r\nHost: x\r\n" + auth + framing + "\r\n" + body);
      Http.Resp r = Http.readResponse(s.getInputStream(), false);
      assertEquals(400, r.status(), framing + ": " + r);
      assertEquals("A request may carry Content-Length or Transfer-Encoding, not both", r.json().getString("message"));
      assertEquals("close", r.header("connection"), framing);
      assertTrue(closedByServer(s), framing + ": the connection is closed after the error, the DELETE never answered");
      Http.Resp kept = node.http.get("/api/files/keep.txt", token);
      assertEquals("important", kept.text(), framing + ": the smuggled DELETE was served, or the PUT stored");
    }
    // A Transfer-Encoding folded onto the next line was framed as chunked: the empty last chunk ended the
    // PUT (an empty file stored) and the DELETE behind it was served; a proxy that does not unfold sees
    // neither a body nor the DELETE as a request of its own.
    for (String fold : new String[] {"Transfer-Encoding:\r\n chunked\r\n", "Transfer-Encoding:\r\n\tchunked\r\n"}) {
      Socket s = connect();
      write(s, "PUT /api/files/keep.txt HTTP/1.1\r\nHost: x\r\n" + auth + fold + "\r\n0\r\n\r\n" + smuggled);
      Http.Resp r = Http.readResponse(s.getInputStream(), false);
      assertEquals(400, r.status(), fold + ": " + r);
      assertTrue(r.json().getString("message").contains("obs-fold"), r.toString());
      assertTrue(closedByServer(s), fold + ": the connection is closed after the error, the DELETE never answered");
      assertEquals("important", node.http.get("/api/files/keep.txt", token).text(), fold);
    }
    Http.Resp old = node.http.raw("PUT /api/files/old.txt HTTP/1.0\r\nHost: x\r\n" + auth
        + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", null);
    assertEquals(400, old.status(), "Transfer-Encoding in HTTP/1.0: " + old);
    assertEquals(404, node.http.get("/api/files/old.txt", token).status());
    // Plain chunked (any case) is the streamed upload and keeps working, pipelined requests included.
    Socket s = connect();
    write(s, "PUT /api/files/c.txt HTTP/1.1\r\nHost: x\r\n" + auth + "Transfer-Encoding: Chunked\r\n\r\n"
        + "3\r\nabc\r\n0\r\n\r\nGET /api/files/c.txt HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n");
    assertEquals(201, Http.readResponse(s.getInputStream(), false).status());
    Http.Resp got = Http.readResponse(s.getInputStream(), false);
    assertEquals(200, got.status());
    assertEquals("abc", got.text());
  }

  /**
   * A chunked body that cannot be decoded is answered 400 with the JSON error and the connection closed
   * (Vert.x alone closed it without a word); the upload it carried stores nothing and gives back its
   * reservation, also when part of the body was already streamed to a staging file.
   */
  @Test
  void aMalformedChunkedBodyIs400AndTheUploadLeavesNothingBehind() throws Exception {
    start(cfg -> Config.put(cfg, "quota.defaultBytes", 300_000));
    String token = node.account("chunker", "secret-pass");
    String auth = "Authorization: Bearer " + token + "\r\n";
    String big = "a".repeat(200_000); // above storage.inlineMaxBytes: streamed to a staging file first
    String[][] bodies = {
        {"a size that is not hex", "zz\r\nabc\r\n0\r\n\r\n"},
        {"a size beyond any long", "fffffffffffffffffffff\r\nabc\r\n0\r\n\r\n"},
        {"a trailer beyond the header bound", "3\r\nabc\r\n0\r\nX-T: " + "t".repeat(100_000) + "\r\n\r\n"},
        {"a bad chunk after 200 000 good bytes", Integer.toHexString(big.length()) + "\r\n" + big + "\r\nxyz\r\n"},
    };
    for (String[] c : bodies) {
      for (String target : new String[] {"PUT /api/files/bad.txt", "PUT /api/files/sub/bad.txt"}) {
        Socket s = connect();
        write(s, target + " HTTP/1.1\r\nHost: x\r\n" + auth + "Transfer-Encoding: chunked\r\n\r\n" + c[1]);
        Http.Resp r = Http.readResponse(s.getInputStream(), false);
        assertEquals(400, r.status(), c[0] + ": " + r);
        assertEquals("bad_request", r.json().getString("error"), c[0]);
        assertEquals("close", r.header("connection"), c[0]);
        assertEquals("nosniff", r.header("x-content-type-options"), c[0]);
        assertTrue(r.header("date") != null, c[0]);
        assertTrue(closedByServer(s), c[0] + ": closed after the answer");
      }
      assertEquals(404, node.http.get("/api/files/bad.txt", token).status(), c[0] + ": nothing stored");
    }
    // Every reservation was given back: a file of most of the quota fits (they are released as the
    // closed connections' uploads abort, so allow a moment).
    byte[] most = new byte[290_000];
    int status = 0;
    for (long deadline = System.currentTimeMillis() + 10_000; System.currentTimeMillis() < deadline; Thread.sleep(100)) {
      status = node.http.send("PUT", "/api/files/most.bin", token, most).status();
      if (status == 201) break;
    }
    assertEquals(201, status, "a reservation of a refused upload was kept");
    assertEquals(290_000L, node.http.get("/api/me", token).json().getJsonObject("usage").getLong("usedBytes"));
    // A well-formed chunked upload on a new connection still works.
    Socket s = connect();
    write(s, "PUT /api/files/ok.txt HTTP/1.1\r\nHost: x\r\n" + auth + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
    assertEquals(201, Http.readResponse(s.getInputStream(), false).status());
  }

  /**
   * A client that sends its requests and then shuts down its sending side is answered, and the connection
   * closed once it is; one that half-closes in the middle of a body is closed at once and stores nothing.
   */
  @Test
  void aHalfClosedConnectionGetsItsAnswersThenIsClosed() throws Exception {
    start(cfg -> { });
    String token = node.account("halfer", "secret-pass");
    String auth = "Authorization: Bearer " + token + "\r\n";

    Socket put = connect();
    write(put, "PUT /api/files/h.txt HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: 5\r\n\r\nhello");
    put.shutdownOutput();
    assertEquals(201, Http.readResponse(put.getInputStream(), false).status());
    assertTrue(closedByServer(put), "closed once answered");

    // Two pipelined requests, then the half-close: both answered, in order, then the close.
    Socket two = connect();
    write(two, "GET /api/files/h.txt HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n"
        + "GET /api/me HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n");
    two.shutdownOutput();
    Http.Resp file = Http.readResponse(two.getInputStream(), false);
    assertEquals(200, file.status());
    assertEquals("hello", file.text());
    assertEquals(200, Http.readResponse(two.getInputStream(), false).status());
    assertTrue(closedByServer(two));

    // Half-closed between requests: nothing is owed, the server closes too.
    Socket idle = connect();
    write(idle, "GET /api/me HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n");
    assertEquals(200, Http.readResponse(idle.getInputStream(), false).status());
    idle.shutdownOutput();
    assertTrue(closedByServer(idle));

    // In the middle of a body: that body can never end, so the connection closes without storing it.
    Socket cut = connect();
    write(cut, "PUT /api/files/cut.txt HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: 10\r\n\r\nabc");
    cut.shutdownOutput();
    assertTrue(closedByServer(cut));
    assertEquals(404, node.http.get("/api/files/cut.txt", token).status());
    assertEquals(5L, node.http.get("/api/me", token).json().getJsonObject("usage").getLong("usedBytes"));
  }
}
