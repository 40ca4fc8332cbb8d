package dropbox.tls;

import io.netty.handler.ssl.OpenSsl;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which TLS implementation the node's endpoints use, chosen once per JVM: Netty's BoringSSL
 * (netty-tcnative, shipped for linux-x86_64) when its native library loads — it encrypts several times
 * faster than the JDK's engine — and the JDK's engine otherwise (another platform, or
 * -Dio.netty.handler.ssl.noOpenSsl=true). Either way the same protocols, ALPN and rotation apply.
 */
public final class TlsEngine {
  private static final Logger log = LoggerFactory.getLogger(TlsEngine.class);
  private static volatile SSLEngineOptions chosen;

  private TlsEngine() {}

  /** A fresh copy each call (Vert.x options are mutable); the first call logs the choice. */
  public static SSLEngineOptions options() {
    SSLEngineOptions c = chosen;
    if (c == null) {
      synchronized (TlsEngine.class) {
        c = chosen;
        if (c == null) chosen = c = choose();
      }
    }
    return c.copy();
  }

  /** True when {@link #options()} is BoringSSL. */
  public static boolean isOpenSsl() { return options() instanceof OpenSSLEngineOptions; }

  private static SSLEngineOptions choose() {
    // ALPN is needed for HTTP/2; BoringSSL always has it, the check keeps a foreign OpenSSL build honest.
    if (OpenSSLEngineOptions.isAvailable() && OpenSSLEngineOptions.isAlpnAvailable()) {
      log.info("tls: engine OpenSSL ({})", OpenSsl.versionString());
      return new OpenSSLEngineOptions();
    }
    Throwable why = OpenSsl.unavailabilityCause();
    log.info("tls: engine JDK (native OpenSSL not usable: {})",
        why == null ? "no ALPN" : why.getMessage() == null ? why.toString() : why.getMessage());
    return new JdkSSLEngineOptions();
  }
}
