package dropbox.testing;

import dropbox.Config;
import java.net.Socket;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;

/** TLS helpers for tests: a node config with TLS on, and raw TLS sockets that record what they were shown. */
public final class TlsTestSupport {
  private TlsTestSupport() {}

  /** A whole node's config on free loopback ports over root; TLS settings are added by the caller. */
  public static JsonObject nodeConfig(Path root) {
    JsonObject cfg = Config.load(List.of(), Map.of());
    Config.put(cfg, "host", "127.0.0.1");
    Config.put(cfg, "tcp.port", 0);
    Config.put(cfg, "tcp.tlsPort", 0);
    Config.put(cfg, "http.port", 0);
    Config.put(cfg, "http.instances", 2);
    Config.put(cfg, "tcp.instances", 2);
    Config.put(cfg, "storage.root", root.resolve("store").toString());
    Config.put(cfg, "storage.fsync", false);
    Config.put(cfg, "auth.usersFile", root.resolve("no-users.properties").toString());
    Config.put(cfg, "quota.defaultBytes", 10_000_000L);
    return cfg;
  }

  /**
   * A TLS connection that accepts any certificate and keeps the one it was shown, for tests that look
   * at which certificate the server presents (never how a real client should trust).
   */
  public static SSLSocket connectRecording(int port) throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, new TrustManager[] {new X509TrustManager() {
      @Override public void checkClientTrusted(X509Certificate[] c, String a) { }
      @Override public void checkServerTrusted(X509Certificate[] c, String a) { }
      @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
    }}, null);
    Socket plain = new Socket("127.0.0.1", port);
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, "localhost", port, true);
    s.setSoTimeout(30_000);
    s.startHandshake();
    return s;
  }

  /** SHA-256 (openssl format) of the certificate this connection's server presented. */
  public static String presented(SSLSocket s) throws Exception {
    return dropbox.tls.Fingerprints.sha256(s.getSession().getPeerCertificates()[0].getEncoded());
  }
}
