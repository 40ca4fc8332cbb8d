package dropbox.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.cluster.ClusterTestSupport;
import dropbox.testing.ServerProcess;
import dropbox.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --tls-self-signed: generated once under <storage>/tls (0700/0600), reused with the same fingerprint. */
class SelfSignedCertTest {
  private static final Pattern LOGGED = Pattern.compile("SHA-256 fingerprint ([0-9A-F:]{95})");

  @TempDir Path dir;

  @Test
  void generatedOnceWithPrivateModesThenReused() throws Exception {
    SelfSignedCert.Paths first = SelfSignedCert.ensure(dir, "0.0.0.0");
    assertTrue(first.generated());
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("tls"))));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(first.cert())));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(first.key())));
    byte[] cert = Files.readAllBytes(first.cert());
    byte[] key = Files.readAllBytes(first.key());

    SelfSignedCert.Paths again = SelfSignedCert.ensure(dir, "0.0.0.0");
    assertFalse(again.generated());
    assertTrue(java.util.Arrays.equals(cert, Files.readAllBytes(again.cert())));
    assertTrue(java.util.Arrays.equals(key, Files.readAllBytes(again.key())));
    PemMaterial m = PemMaterial.read(again.cert(), again.key());
    assertEquals(1, m.chain().size());
  }

  @Test
  void coversTheLoopbackNamesAndTheListenHost() throws Exception {
    Tools.require("openssl");
    SelfSignedCert.Paths p = SelfSignedCert.ensure(dir, "10.1.2.3");
    Tools.Result text = Tools.run("openssl", "x509", "-noout", "-ext", "subjectAltName", "-in", p.cert().toString());
    for (String name : new String[] {"DNS:localhost", "IP Address:127.0.0.1", "IP Address:0:0:0:0:0:0:0:1", "IP Address:10.1.2.3"}) {
      assertTrue(text.out().contains(name), name + " in " + text);
    }
  }

  @Test
  void anInterruptedFirstRunIsRedoneButAMissingKeyIsAnError() throws Exception {
    Path tls = Files.createDirectories(dir.resolve("tls"));
    Files.writeString(tls.resolve(SelfSignedCert.KEY), "half");
    SelfSignedCert.Paths p = SelfSignedCert.ensure(dir, "0.0.0.0");
    assertTrue(p.generated(), "a key without a certificate is replaced");
    PemMaterial.read(p.cert(), p.key());

    Files.delete(p.key());
    Exception e = assertThrows(java.io.IOException.class, () -> SelfSignedCert.ensure(dir, "0.0.0.0"));
    assertTrue(e.getMessage().contains("restore the key"), e.getMessage());
  }

  @Test
  void theSameFingerprintIsLoggedAcrossRestartsOfTheRealServer() throws Exception {
    Tools.require("openssl");
    Path storage = dir.resolve("storage");
    String[] seen = new String[2];
    for (int i = 0; i < 2; i++) {
      try (ServerProcess p = ServerProcess.start(List.of("-Xmx256m"), "--storage", storage.toString(),
          "--host", "127.0.0.1", "--tcp-port", "0", "--http-port", "0", "--tls-self-signed",
          "--users", dir.resolve("none.properties").toString(), "--config", writeConfig().toString())) {
        seen[i] = loggedFingerprint(p.output());
        p.stop();
      }
    }
    assertEquals(seen[0], seen[1], "reused, not regenerated");
    assertEquals(Tools.opensslFingerprint(storage.resolve("tls").resolve(SelfSignedCert.CERT)), seen[0],
        "what the server logs is what openssl x509 -fingerprint -sha256 prints");
    assertEquals("rw-------", PosixFilePermissions.toString(
        Files.getPosixFilePermissions(storage.resolve("tls").resolve(SelfSignedCert.KEY))));
  }

  /** The TLS port on a free port, not 8443. */
  private Path writeConfig() throws Exception {
    Path f = dir.resolve("config.json");
    Files.writeString(f, "{\"tcp\":{\"tlsPort\":" + ClusterTestSupport.freePort() + "}}");
    return f;
  }

  private static String loggedFingerprint(List<String> output) {
    for (String line : output) {
      Matcher m = LOGGED.matcher(line);
      if (m.find()) return m.group(1);
    }
    throw new AssertionError("no fingerprint logged:\n" + String.join("\n", output));
  }
}
