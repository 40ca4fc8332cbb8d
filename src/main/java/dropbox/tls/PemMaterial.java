package dropbox.tls;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The bytes of one certificate chain and its key as read from the PEM files, taken together so the
 * servers are always given a pair read at the same moment. The chain is parsed here so a file that is
 * not a certificate, or a key that is not the certificate's, fails with a clear message before Vert.x
 * sees it (a half-replaced pair must never reach a server).
 * Reading blocks: call it off the event loop.
 */
public record PemMaterial(byte[] cert, byte[] key, List<X509Certificate> chain) {

  /** Reads and parses both files; IOException carries a message fit for the operator. */
  public static PemMaterial read(Path certFile, Path keyFile) throws IOException {
    byte[] cert = Files.readAllBytes(certFile);
    byte[] key = Files.readAllBytes(keyFile);
    List<X509Certificate> chain = parseChain(cert, certFile);
    PrivateKey pk = parseKey(key, keyFile);
    if (!matches(pk, chain.get(0).getPublicKey())) {
      throw new IOException(keyFile + " is not the key of the first certificate in " + certFile);
    }
    return new PemMaterial(cert, key, List.copyOf(chain));
  }

  /** PKCS#8, PKCS#1 (RSA) or SEC1 (EC) PEM, unencrypted: what certbot, openssl and our generator write. */
  static PrivateKey parseKey(byte[] pem, Path file) throws IOException {
    try (PEMParser p = new PEMParser(new InputStreamReader(new ByteArrayInputStream(pem), StandardCharsets.US_ASCII))) {
      JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
      for (Object o = p.readObject(); o != null; o = p.readObject()) {
        if (o instanceof PEMKeyPair kp) return conv.getKeyPair(kp).getPrivate();
        if (o instanceof PrivateKeyInfo info) return conv.getPrivateKey(info);
        if (o instanceof PKCS8EncryptedPrivateKeyInfo || o instanceof PEMEncryptedKeyPair) {
          throw new IOException(file + " holds an encrypted private key; give the server an unencrypted one (mode 0600)");
        }
      }
    } catch (IOException e) {
      throw e.getMessage() != null && e.getMessage().startsWith(file.toString()) ? e
          : new IOException(file + " is not a PEM private key: " + e.getMessage());
    } catch (RuntimeException e) {
      throw new IOException(file + " is not a PEM private key: " + e.getMessage());
    }
    throw new IOException(file + " holds no PEM private key");
  }

  /** A signature made with the key verifies with the certificate: they are one pair, whatever the algorithm. */
  static boolean matches(PrivateKey key, PublicKey pub) {
    String alg = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> null;
    };
    if (alg == null) return false;
    try {
      byte[] probe = "dropbox-key-check".getBytes(StandardCharsets.US_ASCII);
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(pub);
      v.update(probe);
      return v.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  static List<X509Certificate> parseChain(byte[] pem, Path file) throws IOException {
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      List<X509Certificate> out = new ArrayList<>();
      for (Certificate c : cf.generateCertificates(new ByteArrayInputStream(pem))) out.add((X509Certificate) c);
      if (out.isEmpty()) throw new IOException(file + " holds no PEM certificate");
      return out;
    } catch (CertificateException e) {
      throw new IOException(file + " is not a PEM certificate chain: " + e.getMessage());
    }
  }

  /** The leaf certificate: the one the server presents. */
  public X509Certificate leaf() { return chain.get(0); }

  /** SHA-256 of the leaf, as `openssl x509 -fingerprint -sha256` prints it. */
  public String fingerprint() {
    try {
      return Fingerprints.sha256(leaf().getEncoded());
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Vert.x key/cert options holding these bytes (not the paths, so a later file change cannot mix pairs). */
  public PemKeyCertOptions keyCertOptions() {
    return new PemKeyCertOptions().setCertValue(Buffer.buffer(cert)).setKeyValue(Buffer.buffer(key));
  }

  /** True when both files hold the same bytes as other's. */
  public boolean sameAs(PemMaterial other) {
    return other != null && Arrays.equals(cert, other.cert) && Arrays.equals(key, other.key);
  }
}
