package dropbox.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PEM pairs operators bring (made with openssl here): accepted, or refused with a clear reason. */
class PemMaterialTest {
  @TempDir Path dir;

  private Tools.Result openssl(String... args) throws Exception {
    Tools.require("openssl");
    String[] cmd = new String[args.length + 1];
    cmd[0] = "openssl";
    System.arraycopy(args, 0, cmd, 1, args.length);
    Tools.Result r = Tools.run(cmd);
    assertEquals(0, r.exitCode(), r.toString());
    return r;
  }

  @Test
  void aChainSignedByACaWithAnRsaKeyIsAccepted() throws Exception {
    String d = dir.toString();
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", d + "/ca.key", "-out", d + "/ca.pem",
        "-days", "30", "-subj", "/CN=Test CA");
    openssl("genrsa", "-traditional", "-out", d + "/leaf.key", "2048"); // PKCS#1 "BEGIN RSA PRIVATE KEY"
    openssl("req", "-new", "-key", d + "/leaf.key", "-out", d + "/leaf.csr", "-subj", "/CN=localhost");
    openssl("x509", "-req", "-in", d + "/leaf.csr", "-CA", d + "/ca.pem", "-CAkey", d + "/ca.key", "-CAcreateserial",
        "-out", d + "/leaf.pem", "-days", "30");
    Path chain = dir.resolve("chain.pem");
    Files.writeString(chain, Files.readString(dir.resolve("leaf.pem")) + Files.readString(dir.resolve("ca.pem")));
    assertTrue(Files.readString(dir.resolve("leaf.key")).contains("BEGIN RSA PRIVATE KEY"));

    PemMaterial m = PemMaterial.read(chain, dir.resolve("leaf.key"));
    assertEquals(2, m.chain().size());
    assertEquals("CN=localhost", m.leaf().getSubjectX500Principal().getName());
    assertEquals(Tools.opensslFingerprint(dir.resolve("leaf.pem")), m.fingerprint(), "the leaf's fingerprint");
  }

  @Test
  void anEcKeyInSec1FormIsAccepted() throws Exception {
    String d = dir.toString();
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", d + "/ec.key"); // "BEGIN EC PRIVATE KEY"
    openssl("req", "-x509", "-new", "-key", d + "/ec.key", "-out", d + "/ec.pem", "-days", "30", "-subj", "/CN=ec");
    PemMaterial.read(dir.resolve("ec.pem"), dir.resolve("ec.key"));
  }

  @Test
  void wrongOrBrokenFilesAreRefusedWithTheirName() throws Exception {
    String[] a = SelfSignedCert.generate("127.0.0.1");
    String[] b = SelfSignedCert.generate("127.0.0.1");
    Path cert = Files.writeString(dir.resolve("a.pem"), a[0]);
    Path otherKey = Files.writeString(dir.resolve("b.key"), b[1]);
    IOException mismatch = assertThrows(IOException.class, () -> PemMaterial.read(cert, otherKey));
    assertTrue(mismatch.getMessage().contains("is not the key of the first certificate"), mismatch.getMessage());

    Path junk = Files.writeString(dir.resolve("junk.pem"), "hello\n");
    IOException noCert = assertThrows(IOException.class, () -> PemMaterial.read(junk, otherKey));
    assertTrue(noCert.getMessage().contains("junk.pem"), noCert.getMessage());
    IOException noKey = assertThrows(IOException.class, () -> PemMaterial.read(cert, junk));
    assertTrue(noKey.getMessage().contains("junk.pem") && noKey.getMessage().contains("private key"), noKey.getMessage());

    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-aes256", "-pass", "pass:x",
        "-out", dir.resolve("enc.key").toString());
    IOException enc = assertThrows(IOException.class, () -> PemMaterial.read(cert, dir.resolve("enc.key")));
    assertTrue(enc.getMessage().contains("encrypted"), enc.getMessage());
  }
}
