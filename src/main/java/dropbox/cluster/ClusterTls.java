package dropbox.cluster;

import dropbox.tls.ServerTls;
import dropbox.tls.TlsOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With TLS configured, the event bus between nodes (file commands and their bytes, events) runs over
 * mutual TLS with the node's own PEM pair, every node trusting exactly that certificate (see
 * {@link TlsOptions#eventBus}). Hazelcast's membership traffic is not covered (docs/deploy.md).
 */
final class ClusterTls {
  private static final Logger log = LoggerFactory.getLogger(ClusterTls.class);

  private ClusterTls() {}

  /** Blocking (reads the PEM files, may generate the self-signed pair): called before Vert.x exists. */
  static void configure(EventBusOptions eb, JsonObject config) throws IOException {
    ServerTls tls = ServerTls.resolve(config);
    if (tls == null) return;
    TlsOptions.eventBus(eb, tls.material());
    log.info("cluster: event bus over mutual TLS, peers must present the certificate with SHA-256 {}",
        tls.material().fingerprint());
  }
}
