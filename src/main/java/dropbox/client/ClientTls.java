package dropbox.client;

import dropbox.tls.Fingerprints;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * How the client checks the server over TLS (--tls): the system's CAs, or the CAs in --cacert FILE,
 * both with host name verification; or --pin, which accepts exactly the one certificate whose SHA-256
 * is given (a self-signed server: the fingerprint the server logged). Anything else fails the
 * handshake with {@link CertificateRejected}; there is no fallback to plaintext.
 */
final class ClientTls {
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private final SSLContext context;
  private final boolean verifyHost;

  private ClientTls(SSLContext context, boolean verifyHost) {
    this.context = context;
    this.verifyHost = verifyHost;
  }

  /** The certificate could not be verified: a distinct failure (exit code 3), never retried in clear. */
  static final class CertificateRejected extends ClientException {
    private static final long serialVersionUID = 1L;

    CertificateRejected(String message) { super(message, true); }
  }

  /** pin (canonical fingerprint) wins over cacert; neither: the system's trust store. */
  static ClientTls of(String cacert, String pin) throws ClientException {
    try {
      TrustManager tm;
      if (pin != null) {
        tm = new PinnedTrust(pin);
      } else {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(cacert == null ? null : caStore(Path.of(cacert)));
        tm = tmf.getTrustManagers()[0];
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {tm}, null);
      return new ClientTls(ctx, pin == null);
    } catch (GeneralSecurityException e) {
      throw new ClientException("cannot set up TLS: " + e.getMessage());
    }
  }

  private static KeyStore caStore(Path file) throws ClientException, GeneralSecurityException {
    Collection<? extends Certificate> certs;
    try (InputStream in = Files.newInputStream(file)) {
      certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (IOException e) {
      throw new ClientException("cannot read --cacert " + file + ": " + ProtocolConnection.describe(e));
    } catch (CertificateException e) {
      throw new ClientException("--cacert " + file + " is not a PEM certificate file: " + e.getMessage());
    }
    if (certs.isEmpty()) throw new ClientException("--cacert " + file + " holds no certificate");
    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
    try {
      ks.load(null, null);
    } catch (IOException e) {
      throw new GeneralSecurityException(e);
    }
    int i = 0;
    for (Certificate c : certs) ks.setCertificateEntry("ca" + i++, c);
    return ks;
  }

  /** Layers TLS over the connected socket and completes the handshake (the socket's timeout applies). */
  SSLSocket wrap(Socket plain, String host, int port) throws IOException, ClientException {
    SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
    SSLParameters p = s.getSSLParameters();
    p.setProtocols(PROTOCOLS);
    if (verifyHost) p.setEndpointIdentificationAlgorithm("HTTPS");
    s.setSSLParameters(p);
    try {
      s.startHandshake();
    } catch (SSLException e) {
      String why = certificateProblem(e);
      if (why != null) throw new CertificateRejected("TLS: the server's certificate is not trusted: " + why);
      throw new ClientException("TLS handshake with " + host + ":" + port + " failed: " + ProtocolConnection.describe(e)
          + " (is this the server's TLS port?)", true);
    }
    return s;
  }

  /** The reason when the handshake failed on the certificate (not on the network or the protocol). */
  private static String certificateProblem(SSLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof CertificateException) {
        String m = t.getMessage();
        if (m != null && m.contains("PKIX path")) {
          return "no trusted CA signed it (for a self-signed server use --pin FINGERPRINT or --cacert FILE)";
        }
        return m;
      }
    }
    String m = e.getMessage();
    if (m != null && (m.contains("PKIX") || m.contains("certificate") || m.contains("No subject alternative"))) return m;
    return null;
  }

  /** Trusts the one certificate with the pinned SHA-256, whatever its issuer, names or dates. */
  private static final class PinnedTrust implements X509TrustManager {
    private final String pin;

    PinnedTrust(String pin) { this.pin = pin; }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      if (chain == null || chain.length == 0) throw new CertificateException("the server sent no certificate");
      String got = Fingerprints.sha256(chain[0].getEncoded());
      if (!got.equals(pin)) {
        throw new CertificateException("its SHA-256 fingerprint is " + got + ", not the pinned " + pin);
      }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      throw new CertificateException("not a server");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
  }
}
