package dropbox.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.testing.ServerProcess;
import dropbox.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS engine choice on real server processes: BoringSSL where its native library loads (this
 * linux-x86_64 build ships it), the JDK's engine when it cannot load — with the same TLS 1.2/1.3-only
 * policy and ALPN h2 either way, and one log line saying which is in use.
 */
class TlsEngineTest {
  @TempDir Path dir;

  @Test
  void boringSslIsUsedWhereItsNativeLibraryShips() {
    boolean shipped = System.getProperty("os.name").toLowerCase().contains("linux")
        && List.of("amd64", "x86_64").contains(System.getProperty("os.arch"));
    assertEquals(shipped, TlsEngine.isOpenSsl());
  }

  @Test
  void theDefaultProcessSaysOpenSslAndOneWithoutTheNativeLibraryFallsBackToTheJdkEngine() throws Exception {
    Tools.require("curl");
    Tools.require("openssl");
    check(List.of(), "tls: engine OpenSSL (BoringSSL");
    // Netty's own switch: the native library counts as not loadable.
    check(List.of("-Dio.netty.handler.ssl.noOpenSsl=true"), "tls: engine JDK (native OpenSSL not usable:");
  }

  private void check(List<String> jvm, String engineLine) throws Exception {
    Path root = Files.createTempDirectory(dir, "store");
    Path cfg = Files.writeString(root.resolve("cfg.json"), "{\"tcp\":{\"tlsPort\":0}}");
    List<String> options = new java.util.ArrayList<>(List.of("-Xmx256m"));
    options.addAll(jvm);
    try (ServerProcess server = ServerProcess.start(options, "--storage", root.toString(), "--host", "127.0.0.1",
        "--tcp-port", "0", "--http-port", "0", "--users", root.resolve("none.properties").toString(),
        "--tls-self-signed", "--config", cfg.toString())) {
      List<String> engine = server.output().stream().filter(l -> l.contains("tls: engine")).toList();
      assertEquals(1, engine.size(), "one line names the engine: " + server.output());
      assertTrue(engine.get(0).contains(engineLine), engine.get(0));

      String cert = root.resolve("tls").resolve("selfsigned-cert.pem").toString();
      Tools.Result h2 = Tools.run("curl", "-sS", "--cacert", cert, "--max-time", "30", "--http2", "-o", "/dev/null",
          "-w", "%{http_code} %{http_version}", "https://localhost:" + server.httpPort() + "/health");
      assertEquals("200 2", h2.out(), "ALPN h2: " + h2);
      String hp = "127.0.0.1:" + server.httpPort();
      Tools.Result v11 = Tools.sClient(hp, "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0");
      assertNotEquals(0, v11.exitCode(), v11.toString());
      assertTrue(v11.all().contains("alert protocol version"), "TLS 1.1 refused by the server: " + v11);
      Tools.Result v13 = Tools.sClient(hp, "-tls1_3", "-brief");
      assertTrue(v13.all().contains("Protocol version: TLSv1.3"), v13.toString());
      // Only AEAD suites (TlsOptions.CIPHER_SUITES): a TLS 1.2 client offering only CBC with SHA-1 is refused.
      Tools.Result cbc = Tools.sClient(hp, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:AES128-SHA");
      assertNotEquals(0, cbc.exitCode(), "CBC suites refused: " + cbc);
      Tools.Result gcm = Tools.sClient(hp, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256", "-brief");
      assertTrue(gcm.all().contains("Protocol version: TLSv1.2"), gcm.toString());
      server.stop();
    }
  }
}
