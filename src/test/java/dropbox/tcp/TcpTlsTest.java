package dropbox.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.Config;
import dropbox.Server;
import dropbox.testing.ClassicClient;
import dropbox.testing.TlsTestSupport;
import dropbox.testing.Tools;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TCP protocol's implicit-TLS port (tcp.tlsPort) on a whole node with the self-signed pair, driven
 * by real clients: openssl s_client carrying a full classic session, the project's CLI client with
 * --pin / --cacert / --tls, and a plain port that refuses logins when auth.allowPlaintextLogin=false.
 */
class TcpTlsTest {
  @TempDir static Path dir;
  static Vertx vertx;
  static Server server;
  static Path cert;
  static String fingerprint;

  @BeforeAll
  static void start() throws Exception {
    Tools.require("openssl");
    JsonObject cfg = TlsTestSupport.nodeConfig(dir);
    Config.put(cfg, "tls.selfSigned", true);
    Config.put(cfg, "auth.allowPlaintextLogin", false);
    vertx = Vertx.vertx();
    server = Server.start(vertx, cfg).await(60, TimeUnit.SECONDS);
    cert = server.tls().certFile();
    fingerprint = server.tls().material().fingerprint();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (server != null) server.stop().await(30, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  /** openssl s_client as a classic client: what it prints is the server's bytes, in order. */
  private static final class SClient implements AutoCloseable {
    final Process p;
    final InputStream in;
    final OutputStream out;

    SClient(int port) throws IOException {
      p = new ProcessBuilder("openssl", "s_client", "-quiet", "-connect", "127.0.0.1:" + port,
          "-CAfile", cert.toString(), "-verify_return_error", "-verify_hostname", "localhost")
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      in = p.getInputStream();
      out = p.getOutputStream();
    }

    String readUntil(String end) throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!b.toString(StandardCharsets.UTF_8).endsWith(end)) {
        if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for '" + end + "' after: " + b);
        int c = in.read();
        if (c < 0) throw new AssertionError("s_client ended before '" + end + "', got: " + b);
        b.write(c);
      }
      return b.toString(StandardCharsets.UTF_8);
    }

    byte[] readBytes(int n) throws IOException {
      byte[] buf = in.readNBytes(n);
      assertEquals(n, buf.length);
      return buf;
    }

    void send(byte[] b) throws IOException {
      out.write(b);
      out.flush();
    }

    void line(String l) throws IOException { send((l + "\n").getBytes(StandardCharsets.UTF_8)); }

    @Override
    public void close() throws Exception {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aFullClassicSessionInsideOpensslSClient() throws Exception {
    byte[] data = new byte[200_000];
    new Random(3).nextBytes(data);
    try (SClient c = new SClient(server.tlsPort())) {
      c.readUntil(ClassicClient.AUTH_PROMPT);
      c.line("SIGNUP olga pw-olga");
      assertTrue(c.readUntil("> ").startsWith("SIGNUP_SUCCESS"));
      c.line("UPLOAD data.bin");
      assertEquals("SEND_FILE_DATA\n", c.readUntil("\n"));
      c.send(ClassicClient.le64(data.length));
      c.send(data);
      assertEquals(ClassicClient.SUCCESS + "> ", c.readUntil("> "));
      c.line("LIST");
      String list = c.readUntil("> ");
      assertTrue(list.contains("data.bin") && list.contains("200000"), list);
      c.line("DOWNLOAD data.bin");
      byte[] len = c.readBytes(8);
      assertEquals(data.length, java.nio.ByteBuffer.wrap(len).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong());
      assertArrayEquals(data, c.readBytes(data.length));
      c.readUntil("> ");
      c.line("DELETE data.bin");
      assertEquals(ClassicClient.SUCCESS + "> ", c.readUntil("> "));
      c.line("QUIT");
      assertTrue(c.readUntil("\n").startsWith("Goodbye"));
    }
  }

  @Test
  void largeDownloadsOverTlsArriveWholeAndInStepWithTheNextCommand() throws Exception {
    // Spans many of FileStreaming's 256 KiB reads and ends inside one.
    byte[] data = new byte[4 * 1024 * 1024 + 777];
    new Random(5).nextBytes(data);
    try (SSLSocket s = TlsTestSupport.connectRecording(server.tlsPort());
        ClassicClient c = new ClassicClient(s)) {
      c.signupOrLogin("dora", "pw-dora");
      assertTrue(c.upload("big.bin", data).startsWith("SUCCESS"));
      // DOWNLOAD and LIST in one write: LIST is read as a command only after the trailer.
      c.send("DOWNLOAD big.bin\nLIST\n".getBytes(StandardCharsets.UTF_8));
      assertEquals(data.length, c.readLe64());
      assertArrayEquals(data, c.rawIn().readNBytes(data.length));
      assertEquals(ClassicClient.SUCCESS + "> ", c.readUntil("> "));
      assertTrue(c.readUntil("> ").contains("big.bin"));

      // A client that hangs up in the middle of a download: the server lets go and serves the next one.
      try (SSLSocket quitter = TlsTestSupport.connectRecording(server.tlsPort());
          ClassicClient q = new ClassicClient(quitter)) {
        q.signupOrLogin("dora", "pw-dora");
        q.sendLine("DOWNLOAD big.bin");
        assertEquals(data.length, q.readLe64());
        assertEquals(100_000, q.rawIn().readNBytes(100_000).length);
      }
      ClassicClient.Download again = c.download("big.bin");
      assertTrue(again.ok(), again.trailer());
      assertArrayEquals(data, again.data());
      assertEquals(ClassicClient.SUCCESS + "> ", c.command("DELETE big.bin"));
    }
  }

  @Test
  void onlyTls12And13OnTheTcpPort() throws Exception {
    String hp = "127.0.0.1:" + server.tlsPort();
    Tools.Result v11 = Tools.sClient(hp, "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0");
    assertNotEquals(0, v11.exitCode(), v11.toString());
    assertTrue(v11.all().contains("alert protocol version"), "refused by the server: " + v11);
    for (String v : new String[] {"1_2", "1_3"}) {
      Tools.Result ok = Tools.sClient(hp, "-tls" + v, "-brief");
      assertTrue(ok.all().contains("Protocol version: TLSv" + v.replace('_', '.')), ok.toString());
    }
    Tools.Result cbc = Tools.sClient(hp, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:AES128-SHA");
    assertNotEquals(0, cbc.exitCode(), "only AEAD suites: CBC refused: " + cbc);
    assertEquals(fingerprint, Tools.firstCertFingerprint(Tools.sClient(hp).out()));
    assertEquals(fingerprint, Tools.opensslFingerprint(cert), "the logged fingerprint is openssl's");
  }

  @Test
  void withPlaintextLoginOffThePlainPortRefusesLoginAndTheTlsPortAcceptsIt() throws Exception {
    try (ClassicClient plain = ClassicClient.connect(server.tcpPort())) {
      plain.readUntil(ClassicClient.AUTH_PROMPT);
      plain.sendLine("SIGNUP pete pw-pete");
      assertEquals("ERROR: Login requires TLS (port " + server.tlsPort() + ")\n", plain.readLine());
      assertEquals("", plain.readToEnd(), "and the connection is closed");
    }
    try (SSLSocket s = TlsTestSupport.connectRecording(server.tlsPort());
        ClassicClient c = new ClassicClient(s)) {
      c.signupOrLogin("pete", "pw-pete");
      assertTrue(c.command("LIST").contains("pete"));
    }
  }

  /** `java dropbox.Main client ...` as a user runs it; the password comes from the environment. */
  static Tools.Result cli(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dropbox.Main", "client", "--host", "localhost"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("DROPBOX_PASSWORD", "pw-carla");
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    return new Tools.Result(p.exitValue(), out, err);
  }

  @Test
  void theCliClientSpeaksTlsAndNeverTrustsAnUnverifiedCertificate() throws Exception {
    String port = String.valueOf(server.tlsPort());
    Path src = Files.write(dir.resolve("notes.txt"), "over TLS\n".getBytes(StandardCharsets.UTF_8));
    Tools.Result up = cli("--port", port, "--pin", fingerprint.replace(":", "").toLowerCase(), "--user", "carla",
        "--signup", "upload", src.toString());
    assertEquals(0, up.exitCode(), up.toString());
    Tools.Result list = cli("--port", port, "--cacert", cert.toString(), "--user", "carla", "list");
    assertEquals(0, list.exitCode(), list.toString());
    assertTrue(list.out().contains("notes.txt"), list.toString());
    Path back = dir.resolve("back.txt");
    Tools.Result down = cli("--port", port, "--pin", fingerprint, "--user", "carla", "download", "notes.txt", back.toString());
    assertEquals(0, down.exitCode(), down.toString());
    assertEquals("over TLS\n", Files.readString(back));

    // The system CAs do not know a self-signed certificate: a clear error, exit 3, nothing sent in clear.
    Tools.Result system = cli("--port", port, "--tls", "--user", "carla", "list");
    assertEquals(3, system.exitCode(), system.toString());
    assertTrue(system.err().contains("certificate is not trusted"), system.toString());
    String wrong = "00" + fingerprint.substring(2);
    Tools.Result pinned = cli("--port", port, "--pin", wrong, "--user", "carla", "list");
    assertEquals(3, pinned.exitCode(), pinned.toString());
    assertTrue(pinned.err().contains(fingerprint), "says which certificate it was shown: " + pinned);
    // --tls against the plain port fails the handshake; it does not fall back to plaintext.
    Tools.Result plain = cli("--port", String.valueOf(server.tcpPort()), "--pin", fingerprint, "--user", "carla", "list");
    assertEquals(1, plain.exitCode(), plain.toString());
    assertTrue(plain.err().contains("TLS handshake"), plain.toString());
  }
}
