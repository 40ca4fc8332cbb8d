package dropbox.tls;

import dropbox.Config;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's TLS settings resolved once at startup: which PEM files (the operator's, or the self-signed
 * pair under the storage root), their current contents, and the fingerprint that was logged. Null from
 * {@link #resolve} means TLS is off. Blocking (reads files, may generate a key): call it off the event loop.
 */
public final class ServerTls {
  private static final Logger log = LoggerFactory.getLogger(ServerTls.class);

  private final Path certFile;
  private final Path keyFile;
  private volatile PemMaterial material;

  private ServerTls(Path certFile, Path keyFile, PemMaterial material) {
    this.certFile = certFile;
    this.keyFile = keyFile;
    this.material = material;
  }

  /** Thrown for settings that cannot work; the message is for the operator. */
  public static final class TlsConfigException extends IOException {
    private static final long serialVersionUID = 1L;

    public TlsConfigException(String m) { super(m); }
  }

  /** Whether any TLS setting is given (the files are not looked at): false means the node runs without TLS. */
  public static boolean configured(JsonObject config) {
    return blankToNull(Config.string(config, "tls.certFile")) != null
        || blankToNull(Config.string(config, "tls.keyFile")) != null || Config.bool(config, "tls.selfSigned");
  }

  /** tls.certFile + tls.keyFile, or tls.selfSigned; null when none is set. */
  public static ServerTls resolve(JsonObject config) throws IOException {
    String cert = blankToNull(Config.string(config, "tls.certFile"));
    String key = blankToNull(Config.string(config, "tls.keyFile"));
    boolean selfSigned = Config.bool(config, "tls.selfSigned");
    if (cert == null && key == null && !selfSigned) return null;
    if (selfSigned && (cert != null || key != null)) {
      throw new TlsConfigException("give either tls.certFile/tls.keyFile (--tls-cert/--tls-key) or tls.selfSigned"
          + " (--tls-self-signed), not both");
    }
    Path c;
    Path k;
    if (selfSigned) {
      SelfSignedCert.Paths p = SelfSignedCert.ensure(Path.of(Config.string(config, "storage.root")),
          Config.string(config, "host"));
      c = p.cert();
      k = p.key();
      if (p.generated()) log.info("tls: generated a self-signed certificate {}", c);
    } else {
      if (cert == null || key == null) {
        throw new TlsConfigException("TLS needs both tls.certFile (--tls-cert) and tls.keyFile (--tls-key)");
      }
      c = Path.of(cert);
      k = Path.of(key);
    }
    PemMaterial m;
    try {
      m = PemMaterial.read(c, k);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new TlsConfigException("tls: no such file: " + e.getFile());
    } catch (java.nio.file.AccessDeniedException e) {
      throw new TlsConfigException("tls: cannot read " + e.getFile() + " (permission denied)");
    } catch (IOException e) {
      throw new TlsConfigException("tls: " + e.getMessage());
    }
    // Loading (and unpacking) BoringSSL's native library takes seconds on a busy machine: here, on a
    // worker, not in the verticles' start on an event loop.
    TlsEngine.options();
    return new ServerTls(c, k, m);
  }

  private static String blankToNull(String s) { return s == null || s.isBlank() ? null : s; }

  public Path certFile() { return certFile; }

  public Path keyFile() { return keyFile; }

  public PemMaterial material() { return material; }

  void material(PemMaterial m) { this.material = m; }

  /** One line an operator can compare with `openssl x509 -noout -fingerprint -sha256 -in FILE`. */
  public void logCertificate(String what) {
    PemMaterial m = material;
    log.info("{} {} subject \"{}\" valid until {} SHA-256 fingerprint {}", what, certFile,
        m.leaf().getSubjectX500Principal().getName(), m.leaf().getNotAfter().toInstant(), m.fingerprint());
  }
}
