package dropbox.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dropbox.auth.AuthException;
import dropbox.bus.ErrorCode;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** How failures become answers and log lines: every code is mapped, and a client's reset is one WARN line. */
class HttpErrorsTest {
  @TempDir static Path dir;
  static TestNode node;
  static final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  static final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

  @BeforeAll
  static void start() throws Exception {
    // A UI directory with one large asset: leaving in the middle of it must be routine, not an ERROR.
    Path webroot = java.nio.file.Files.createDirectories(dir.resolve("webroot"));
    java.nio.file.Files.writeString(webroot.resolve("index.html"), "<p>ui</p>");
    try (java.io.RandomAccessFile big = new java.io.RandomAccessFile(webroot.resolve("big.js").toFile(), "rw")) {
      big.setLength(64L << 20);
    }
    node = TestNode.start(dir, cfg -> {
      dropbox.Config.put(cfg, "http.webroot", webroot.toString());
      dropbox.Config.put(cfg, "quota.defaultBytes", 64L << 20); // room for the download that is left
    });
    logs.start();
    root.addAppender(logs);
  }

  /** Each test reads only what it logged itself. */
  @BeforeEach
  void forgetEarlierLines() {
    synchronized (logs) {
      logs.list.clear();
    }
  }

  @AfterAll
  static void stop() throws Exception {
    root.detachAppender(logs);
    if (node != null) node.close();
  }

  @Test
  void everyCodeAndReasonHasAnAnswer() {
    for (ErrorCode c : ErrorCode.values()) {
      HttpErrors.Mapped m = HttpErrors.of(c);
      assertTrue(m.status() >= 400 && m.status() < 600 && !m.code().isEmpty(), c + " -> " + m);
    }
    for (AuthException.Reason r : AuthException.Reason.values()) {
      HttpErrors.Mapped m = HttpErrors.of(r);
      assertTrue(m.status() >= 400 && m.status() < 600 && !m.code().isEmpty(), r + " -> " + m);
    }
    assertEquals(507, HttpErrors.of(ErrorCode.QUOTA_EXCEEDED).status());
    assertEquals(423, HttpErrors.of(ErrorCode.LOCKED).status());
    assertEquals(new HttpErrors.Mapped(507, "storage_full"), HttpErrors.of(ErrorCode.STORAGE_FULL));
    assertEquals(401, HttpErrors.of(AuthException.Reason.INVALID_CREDENTIALS).status());
  }

  @Test
  void aClientResettingAPutMidBodyIsOneWarnLine() throws Exception {
    String token = node.account("resetter", "secret1");
    try (Socket s = new Socket("127.0.0.1", node.port())) {
      OutputStream out = s.getOutputStream();
      out.write(("PUT /api/files/cut.bin HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
          + "\r\nContent-Length: 500000\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.write(new byte[100_000]);
      out.flush();
      Thread.sleep(500);
      s.setSoLinger(true, 0); // close() now sends a TCP reset
    }
    List<ILoggingEvent> warns = List.of();
    for (int i = 0; i < 100 && warns.isEmpty(); i++) {
      Thread.sleep(100);
      synchronized (logs) {
        warns = logs.list.stream().filter(e -> e.getLoggerName().equals(HttpErrors.class.getName())).toList();
      }
    }
    assertEquals(1, warns.size(), "one line about the lost client: " + warns);
    assertEquals(Level.WARN, warns.get(0).getLevel());
    assertNull(warns.get(0).getThrowableProxy(), "no stack trace");
    assertTrue(warns.get(0).getFormattedMessage().contains("client connection lost"), warns.get(0).getFormattedMessage());
    synchronized (logs) {
      assertTrue(logs.list.stream().noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.ERROR)),
          "nothing at ERROR: " + logs.list.stream().filter(e -> e.getLevel() == Level.ERROR).map(ILoggingEvent::getFormattedMessage).toList());
    }
    // The cut upload left nothing behind.
    Http.Resp me = node.http.get("/api/me", token);
    assertEquals(0L, me.json().getJsonObject("usage").getLong("usedBytes"), me.toString());
    assertEquals(404, node.http.get("/api/files/cut.bin", token).status());
  }

  /** Before: an ERROR with the stack of "sendfile(..) failed: Connection reset by peer" per client. */
  @Test
  void aClientLeavingInTheMiddleOfAUiAssetLogsNothingAtErrorOrWarn() throws Exception {
    for (int i = 0; i < 3; i++) {
      try (Socket s = new Socket("127.0.0.1", node.port())) {
        s.setReceiveBufferSize(4096);
        s.getOutputStream().write("GET /big.js HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        s.getInputStream().readNBytes(100_000); // part of it, then a reset
        s.setSoLinger(true, 0);
      }
    }
    assertEquals(200, node.http.get("/index.html", null).status(), "the UI serves on");
    Thread.sleep(1000);
    assertNothingAtWarnButPeerResets();
  }

  /** Before: a WARN "sending ... failed: Connection was closed" for every client that left a download. */
  @Test
  void aClientLeavingInTheMiddleOfADownloadLogsNothingAtWarn() throws Exception {
    String token = node.account("leaver", "secret1");
    byte[] body = new byte[8 << 20];
    new java.util.Random(7).nextBytes(body);
    assertEquals(201, node.http.send("PUT", "/api/files/big.bin", token, body).status());
    forgetEarlierLines();
    for (int i = 0; i < 3; i++) {
      try (Socket s = new Socket("127.0.0.1", node.port())) {
        s.setReceiveBufferSize(4096);
        s.getOutputStream().write(("GET /api/files/big.bin HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
            + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        s.getInputStream().readNBytes(100_000); // part of it, then a reset
        s.setSoLinger(true, 0);
      }
    }
    assertEquals(body.length, node.http.get("/api/files/big.bin", token).body().length, "downloads go on");
    Thread.sleep(1000);
    assertNothingAtWarnButPeerResets();
  }

  /**
   * Nothing logged at WARN or above, except Vert.x's own ERROR per reset sendfile region, which logback.xml's
   * PeerResetNoise drops in production (its test runs a real process on that file).
   */
  private static void assertNothingAtWarnButPeerResets() {
    synchronized (logs) {
      List<String> loud = logs.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
          .filter(e -> !(e.getLoggerName().equals("io.vertx.core.net.impl.VertxConnection")
              && dropbox.logging.PeerResetNoise.isPeerGone(e.getFormattedMessage())))
          .map(e -> e.getLoggerName() + " " + e.getLevel() + " " + e.getFormattedMessage()).toList();
      assertEquals(List.of(), loud);
    }
  }

  @Test
  void aBodyTheDecoderCannotFrameIsTheClientsFault() {
    // What Netty hands an upload's exception handler for a chunk line it cannot read (seen under load:
    // it was logged as an unexpected failure with its stack, and answered 500).
    HttpFailure f = HttpErrors.toFailure(new io.netty.handler.codec.http.InvalidChunkExtensionException(
        "Line Feed must be preceded by Carriage Return when terminating HTTP chunk extension"));
    assertEquals(400, f.status);
    assertEquals("bad_request", f.code);
    synchronized (logs) {
      List<ILoggingEvent> mine = logs.list.stream().filter(e -> e.getFormattedMessage().contains("malformed request body")).toList();
      assertEquals(1, mine.size(), mine.toString());
      assertEquals(Level.WARN, mine.get(0).getLevel());
      assertNull(mine.get(0).getThrowableProxy(), "no stack trace");
    }
  }
}
