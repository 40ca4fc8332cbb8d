package dropbox.tls;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.security.cert.CertificateEncodingException;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** The one place that turns a certificate pair into Vert.x options: protocols, cipher suites, ALPN, handshake bound. */
public final class TlsOptions {
  /** TLS 1.0 and 1.1 are broken or deprecated (RFC 8996); nothing older than 1.2 is offered. */
  public static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");
  /**
   * Only AEAD suites with forward secrecy (Mozilla's "intermediate" profile): the TLS 1.3 three, and for
   * TLS 1.2 ECDHE with AES-GCM or ChaCha20-Poly1305. Left to the engines, the CBC suites with SHA-1 MACs
   * (ECDHE-ECDSA-AES128-SHA, ...) were also offered; every client of the last decade speaks these.
   */
  public static final List<String> CIPHER_SUITES = List.of(
      "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
  /** A client that opens a connection and never finishes the handshake is dropped after this. */
  static final long HANDSHAKE_SECONDS = 10;

  private TlsOptions() {}

  /** For a server endpoint; alpn on for HTTP (h2 + http/1.1 negotiated), off for the TCP protocol. */
  public static ServerSSLOptions server(PemMaterial m, boolean alpn) {
    ServerSSLOptions o = new ServerSSLOptions()
        .setKeyCertOptions(m.keyCertOptions())
        .setEnabledSecureTransportProtocols(PROTOCOLS)
        .setUseAlpn(alpn)
        .setSslHandshakeTimeout(HANDSHAKE_SECONDS)
        .setSslHandshakeTimeoutUnit(TimeUnit.SECONDS);
    CIPHER_SUITES.forEach(o::addEnabledCipherSuite);
    return o;
  }

  /**
   * Turns TLS on in a server's options (NetServerOptions/HttpServerOptions take no SSLOptions object).
   * The engine (BoringSSL or the JDK's, see {@link TlsEngine}) lives on the server options, so a rotated
   * certificate (updateSSLOptions) keeps it.
   */
  public static <T extends NetServerOptions> T apply(T o, ServerSSLOptions s) {
    o.setSsl(true)
        .setSslEngineOptions(TlsEngine.options())
        .setKeyCertOptions(s.getKeyCertOptions())
        .setEnabledSecureTransportProtocols(s.getEnabledSecureTransportProtocols())
        .setUseAlpn(s.isUseAlpn())
        .setSslHandshakeTimeout(s.getSslHandshakeTimeout())
        .setSslHandshakeTimeoutUnit(s.getSslHandshakeTimeoutUnit());
    s.getEnabledCipherSuites().forEach(o::addEnabledCipherSuite);
    return o;
  }

  /**
   * Mutual TLS between cluster nodes: each presents the configured certificate and accepts a peer only
   * if it presents exactly that certificate (the leaf itself is the one trust anchor). A CA-issued
   * certificate therefore admits no other holder of a certificate from the same CA, and no CA key is
   * needed for the cluster. Host names are not checked (nodes are addressed by IP; the pin is stronger).
   */
  public static void eventBus(EventBusOptions eb, PemMaterial m) {
    String leaf;
    try {
      leaf = "-----BEGIN CERTIFICATE-----\n"
          + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(m.leaf().getEncoded())
          + "\n-----END CERTIFICATE-----\n";
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
    eb.setSsl(true)
        .setSslEngineOptions(TlsEngine.options())
        .setKeyCertOptions(m.keyCertOptions())
        .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(leaf)))
        .setClientAuth(ClientAuth.REQUIRED)
        .setEnabledSecureTransportProtocols(PROTOCOLS);
    CIPHER_SUITES.forEach(eb::addEnabledCipherSuite);
  }
}
