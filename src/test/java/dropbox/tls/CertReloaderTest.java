package dropbox.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dropbox.Config;
import dropbox.Server;
import dropbox.testing.ClassicClient;
import dropbox.testing.TlsTestSupport;
import dropbox.testing.Tools;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Certificate rotation on a running node (operator PEM files): replacing the files changes what the next
 * handshake on the HTTPS port and on the TCP TLS port presents, while a session opened before keeps
 * working; a broken or mismatched replacement logs a WARN and the node keeps its current certificate.
 */
class CertReloaderTest {
  @TempDir static Path dir;
  static Vertx vertx;
  static Server server;
  static Path certFile;
  static Path keyFile;
  static ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeAll
  static void start() throws Exception {
    Tools.require("openssl");
    certFile = dir.resolve("server-cert.pem");
    keyFile = dir.resolve("server-key.pem");
    writePair(SelfSignedCert.generate("127.0.0.1"));
    logs.start();
    ((Logger) LoggerFactory.getLogger(CertReloader.class)).addAppender(logs);
    JsonObject cfg = TlsTestSupport.nodeConfig(dir);
    Config.put(cfg, "tls.certFile", certFile.toString());
    Config.put(cfg, "tls.keyFile", keyFile.toString());
    vertx = Vertx.vertx();
    server = Server.start(vertx, cfg).await(60, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    ((Logger) LoggerFactory.getLogger(CertReloader.class)).detachAppender(logs);
    try {
      if (server != null) server.stop().await(30, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  /** Key first, then certificate, in place (not atomically): what a careless copy does. */
  static void writePair(String[] pem) throws Exception {
    Files.writeString(keyFile, pem[1], StandardCharsets.US_ASCII);
    Files.writeString(certFile, pem[0], StandardCharsets.US_ASCII);
  }

  static String fingerprintOf(String certPem) throws Exception {
    return Tools.firstCertFingerprint(certPem);
  }

  static String httpsPresents() throws Exception {
    return Tools.firstCertFingerprint(Tools.sClient("127.0.0.1:" + server.httpPort()).out());
  }

  static String tcpPresents() throws Exception {
    return Tools.firstCertFingerprint(Tools.sClient("127.0.0.1:" + server.tlsPort()).out());
  }

  /** Polls (the reloader looks every 2 s) until both ports present this fingerprint. */
  static void awaitPresented(String fp) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
    while (!(httpsPresents().equals(fp) && tcpPresents().equals(fp))) {
      if (System.nanoTime() > deadline) throw new AssertionError("still not presenting " + fp);
      Thread.sleep(250);
    }
  }

  @Test
  void newHandshakesGetTheNewCertificateWhileOpenSessionsGoOn() throws Exception {
    String first = server.tls().material().fingerprint();
    assertEquals(first, httpsPresents());
    assertEquals(first, tcpPresents());

    try (SSLSocket s = TlsTestSupport.connectRecording(server.tlsPort()); ClassicClient open = new ClassicClient(s)) {
      open.signupOrLogin("rota", "pw-rota");
      assertEquals(first, TlsTestSupport.presented(s));

      String[] next = SelfSignedCert.generate("127.0.0.1");
      String second = fingerprintOf(next[0]);
      assertNotEquals(first, second);
      writePair(next);
      awaitPresented(second);
      assertEquals(second, server.tls().material().fingerprint());

      // The session opened under the old certificate still works, on the same TLS connection.
      assertEquals(ClassicClient.SUCCESS + "> ", open.upload("after-rotation.txt", "still here".getBytes(StandardCharsets.UTF_8)));
      assertTrue(open.command("LIST").contains("after-rotation.txt"));
      assertEquals(first, TlsTestSupport.presented(s));

      // A broken file: WARN once, and the node keeps presenting the current certificate.
      synchronized (logs) {
        logs.list.clear();
      }
      Files.writeString(certFile, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
      awaitWarning("not usable");
      assertEquals(second, httpsPresents());
      assertEquals(second, tcpPresents());

      // A valid certificate with the wrong key: refused the same way (it could never complete a handshake).
      synchronized (logs) {
        logs.list.clear();
      }
      Files.writeString(certFile, SelfSignedCert.generate("127.0.0.1")[0]);
      awaitWarning("is not the key of the first certificate");
      assertEquals(second, httpsPresents());
      assertEquals(second, tcpPresents());
      assertTrue(open.command("LIST").contains("after-rotation.txt"));
    }

    // A good pair again is picked up: rotation keeps working after a failure.
    String[] third = SelfSignedCert.generate("127.0.0.1");
    writePair(third);
    awaitPresented(fingerprintOf(third[0]));
    Tools.Result curl = Tools.run("curl", "-sS", "--cacert", certFile.toString(), "--max-time", "30",
        "-o", "/dev/null", "-w", "%{http_code}", "https://localhost:" + server.httpPort() + "/health");
    assertEquals("200", curl.out(), "a client trusting only the new certificate gets in: " + curl);
  }

  static void awaitWarning(String text) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      List<ILoggingEvent> seen;
      synchronized (logs) {
        seen = List.copyOf(logs.list);
      }
      if (seen.stream().anyMatch(e -> e.getLevel().toString().equals("WARN") && e.getFormattedMessage().contains(text))) {
        // Once only, however many periods pass.
        Thread.sleep(3 * CertReloader.PERIOD_MS);
        long n;
        synchronized (logs) {
          n = logs.list.stream().filter(e -> e.getFormattedMessage().contains(text)).count();
        }
        assertEquals(1, n, "reported once, not every period");
        return;
      }
      if (System.nanoTime() > deadline) throw new AssertionError("no WARN containing '" + text + "' in " + seen);
      Thread.sleep(200);
    }
  }
}
