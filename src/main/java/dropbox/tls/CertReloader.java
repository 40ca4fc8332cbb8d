package dropbox.tls;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.ServerSSLOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Certificate rotation without restart. Every {@link #PERIOD_MS} a worker reads both PEM files (a few
 * KB) and compares them with what the servers use; a change that has been stable for one period (so a
 * pair caught half-copied is not tried) is parsed and checked, then handed to every server through
 * Vert.x's updateSSLOptions: new handshakes get the new certificate, open connections keep theirs. A
 * broken or mismatched pair is reported once as a WARN and the servers keep the old certificate. The
 * clustered event bus is not reloaded (Vert.x has no API for it): it keeps the pair read at startup.
 */
public final class CertReloader {
  private static final Logger log = LoggerFactory.getLogger(CertReloader.class);
  static final long PERIOD_MS = 2000;

  /** A server endpoint whose certificate can be replaced; alpn as it was created with. */
  public interface Endpoint {
    Future<Boolean> updateSSLOptions(ServerSSLOptions options);
  }

  private record Target(Endpoint endpoint, boolean alpn) {}

  private final Vertx vertx;
  private final ServerTls tls;
  private final List<Target> targets = new CopyOnWriteArrayList<>();
  private final AtomicBoolean busy = new AtomicBoolean();
  private long timer = -1;
  /** What the files held at the last look, when it differs from what the servers use. */
  private volatile byte[][] candidate;
  /** The content last reported as broken, so it is reported once and not every period. */
  private volatile byte[][] reported;

  public CertReloader(Vertx vertx, ServerTls tls) {
    this.vertx = vertx;
    this.tls = tls;
  }

  public void add(Endpoint e, boolean alpn) { targets.add(new Target(e, alpn)); }

  public void start() {
    timer = vertx.setPeriodic(PERIOD_MS, id -> {
      if (!busy.compareAndSet(false, true)) return;
      vertx.executeBlocking(this::check, false).compose(this::apply).onComplete(ar -> {
        busy.set(false);
        if (ar.failed()) log.warn("tls: certificate check failed: {}", ar.cause().toString());
      });
    });
  }

  public void stop() {
    if (timer >= 0) vertx.cancelTimer(timer);
    timer = -1;
  }

  /** Runs on a worker, at most one at a time; returns a checked new pair to apply, or null. */
  private Candidate check() {
    byte[][] now;
    try {
      now = new byte[][] {Files.readAllBytes(tls.certFile()), Files.readAllBytes(tls.keyFile())};
    } catch (IOException e) {
      byte[][] missing = {new byte[0], e.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)};
      warnOnce(missing, "tls: cannot read the certificate files (" + e.getMessage() + "); keeping the current certificate");
      return null;
    }
    PemMaterial current = tls.material();
    if (Arrays.equals(now[0], current.cert()) && Arrays.equals(now[1], current.key())) {
      candidate = null;
      reported = null; // back to what the servers use: a later failure is news again
      return null;
    }
    if (candidate == null || !same(candidate, now)) {
      candidate = now; // changed since the last look: wait one period for the copy to settle
      return null;
    }
    if (reported != null && same(reported, now)) return null;
    PemMaterial next;
    try {
      next = PemMaterial.read(tls.certFile(), tls.keyFile());
    } catch (IOException e) {
      warnOnce(now, "tls: the new certificate files are not usable (" + e.getMessage() + "); keeping the current certificate");
      return null;
    }
    if (!Arrays.equals(next.cert(), now[0]) || !Arrays.equals(next.key(), now[1])) return null; // changed again meanwhile
    return new Candidate(next, now);
  }

  private record Candidate(PemMaterial material, byte[][] seen) {}

  /** Every server gets the pair; only when all took it does it become the current one. */
  private Future<Void> apply(Candidate c) {
    if (c == null) return Future.succeededFuture();
    List<Future<Boolean>> updates = new ArrayList<>();
    for (Target t : targets) updates.add(t.endpoint().updateSSLOptions(TlsOptions.server(c.material(), t.alpn())));
    return Future.all(updates).transform(ar -> {
      if (ar.failed()) {
        warnOnce(c.seen(), "tls: the servers refused the new certificate (" + ar.cause().getMessage()
            + "); keeping the current one");
        return Future.succeededFuture();
      }
      tls.material(c.material());
      candidate = null;
      reported = null;
      tls.logCertificate("tls: reloaded certificate");
      return Future.succeededFuture();
    });
  }

  private void warnOnce(byte[][] content, String message) {
    if (reported != null && same(reported, content)) return;
    reported = content;
    log.warn(message);
  }

  private static boolean same(byte[][] a, byte[][] b) {
    return Arrays.equals(a[0], b[0]) && Arrays.equals(a[1], b[1]);
  }
}
