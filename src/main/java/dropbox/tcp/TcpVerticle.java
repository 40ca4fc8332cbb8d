package dropbox.tcp;

import dropbox.Config;
import dropbox.auth.AuthService;
import dropbox.bus.LocalInbox;
import dropbox.bus.SmallUploads;
import dropbox.bus.StorageClient;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.ServerSSLOptions;
import dropbox.tls.TlsOptions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The raw TCP front end (tcp-protocol.md). Deployed as many event-loop instances sharing one port;
 * each instance owns the sessions it accepted. The connection counter is shared by all instances so
 * tcp.maxConnections bounds the node, not one instance.
 *
 * One deployment serves either the plain port (tcp.port) or the implicit-TLS port (tcp.tlsPort); the
 * plain one refuses LOGIN and SIGNUP when auth.allowPlaintextLogin is false.
 *
 * Config (the node's Config JsonObject): host, tcp.port, tcp.tlsPort, tcp.maxConnections,
 * tcp.idleTimeoutSeconds, tcp.loginTimeoutSeconds, tcp.noDelay, auth.allowPlaintextLogin.
 */
public class TcpVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(TcpVerticle.class);
  /** How long stop() lets commits and aborts in flight finish before the server closes anyway. */
  static final long STOP_GRACE_MS = 30_000;

  private final StorageClient storage;
  private final AuthService auth;
  private final AtomicInteger openConnections;
  private final boolean tls;
  /** The TLS listener's certificate and protocols (null on the plain port). */
  private final ServerSSLOptions ssl;
  private final Set<TcpSession> sessions = new LinkedHashSet<>();
  private NetServer server;
  private int maxConnections;
  private long idleTimeoutMs;
  private long loginTimeoutMs;
  /** tcp.listPageEntries: the entries a streamed LIST reads per page, each page one database snapshot. */
  private int listPage;
  private TcpTransport transport;
  /** storage.engine=v2: the folder extension is on (tcp-protocol.md "Paths and folders"). */
  private boolean folders;
  /** Which uploads go to storage in one command with their bytes. */
  private SmallUploads small;
  private LocalInbox inbox;
  private long timeoutTimer = -1;
  private boolean stopping;

  /** tls: this deployment is the implicit-TLS listener (tcp.tlsPort); its server options carry the TLS setup. */
  public TcpVerticle(StorageClient storage, AuthService auth, AtomicInteger openConnections, boolean tls) {
    this.storage = storage;
    this.auth = auth;
    this.openConnections = openConnections;
    this.tls = tls;
    this.ssl = null;
  }

  /** The implicit-TLS listener (tcp.tlsPort) presenting this certificate. */
  public TcpVerticle(StorageClient storage, AuthService auth, AtomicInteger openConnections, ServerSSLOptions ssl) {
    this.storage = storage;
    this.auth = auth;
    this.openConnections = openConnections;
    this.tls = true;
    this.ssl = ssl;
  }

  /** New handshakes use these options (certificate rotation); open sessions keep theirs. */
  public Future<Boolean> updateSSLOptions(ServerSSLOptions options) {
    return server == null ? Future.succeededFuture(false) : server.updateSSLOptions(options);
  }

  /** The port actually bound (useful with tcp.port = 0), or 0 before start. */
  public int actualPort() {
    return server == null ? 0 : server.actualPort();
  }

  @Override
  public Future<?> start() {
    JsonObject cfg = config();
    maxConnections = Config.integer(cfg, "tcp.maxConnections");
    idleTimeoutMs = TimeUnit.SECONDS.toMillis(Config.integer(cfg, "tcp.idleTimeoutSeconds"));
    loginTimeoutMs = TimeUnit.SECONDS.toMillis(Config.integer(cfg, "tcp.loginTimeoutSeconds"));
    // Paths and MKDIR/MOVE/COPY/RMDIR/LIST <folder> are the v2 extension; on v1 the protocol stays classic.
    folders = "v2".equals(Config.string(cfg, "storage.engine"));
    // Storage serves pages of 1 to 10 000 entries; an out-of-range setting is brought into it.
    listPage = Math.max(1, Math.min(10_000, Config.integer(cfg, "tcp.listPageEntries")));
    small = new SmallUploads(Config.inlineMaxBytes(cfg), Config.quotaPolicy(cfg));
    transport = new TcpTransport(tls, Config.bool(cfg, "auth.allowPlaintextLogin"), Config.integer(cfg, "tcp.tlsPort"));
    String host = Config.string(cfg, "host");
    int port = Config.integer(cfg, tls ? "tcp.tlsPort" : "tcp.port");
    NetServerOptions options = new NetServerOptions()
        .setHost(host)
        .setPort(port)
        .setTcpNoDelay(Config.bool(cfg, "tcp.noDelay"));
    if (tls) {
      if (ssl == null) return Future.failedFuture(new IllegalStateException("the TLS port needs a certificate"));
      TlsOptions.apply(options, ssl);
    }
    server = vertx.createNetServer(options);
    server.connectHandler(this::onConnect);
    long shortest = Math.min(positiveOrMax(idleTimeoutMs), positiveOrMax(loginTimeoutMs));
    if (shortest != Long.MAX_VALUE) {
      // One timer per instance scanning its sessions: cheaper than a timer per connection. A timeout
      // fires within a quarter of itself (at most a second) after it is due.
      long period = Math.max(50, Math.min(1000, shortest / 4));
      timeoutTimer = vertx.setPeriodic(period, id -> List.copyOf(sessions).forEach(this::checkTimeouts));
    }
    // Once listening (a failed start leaves no inbox behind): this instance's commands reach the node's
    // storage workers without a hop (LocalInbox).
    return server.listen(port, host).onSuccess(s -> inbox = LocalInbox.bind(vertx));
  }

  /** 0 (or less) switches a timeout off. */
  private static long positiveOrMax(long ms) {
    return ms > 0 ? ms : Long.MAX_VALUE;
  }

  private void checkTimeouts(TcpSession s) {
    s.checkLogin();
    if (idleTimeoutMs > 0) s.checkIdle(idleTimeoutMs);
  }

  private void onConnect(NetSocket socket) {
    if (stopping) {
      socket.end(Buffer.buffer(TcpReplies.SHUTTING_DOWN));
      return;
    }
    if (openConnections.incrementAndGet() > maxConnections) {
      openConnections.decrementAndGet();
      socket.end(Buffer.buffer(TcpReplies.BUSY));
      return;
    }
    TcpSession session;
    try {
      session = new TcpSession(vertx, socket, storage, auth, HalfCloseHandler.install(socket), transport, folders,
          listPage, small, loginTimeoutMs);
    } catch (RuntimeException e) {
      openConnections.decrementAndGet();
      log.error("cannot set up a session", e);
      socket.close();
      return;
    }
    sessions.add(session);
    session.finished().onComplete(v -> {
      sessions.remove(session);
      openConnections.decrementAndGet();
    });
    session.start();
  }

  /** Goodbye to idle sessions, data phases closed (uploads rolled back), work in flight finishes; then close. */
  @Override
  public Future<?> stop() {
    stopping = true;
    if (timeoutTimer >= 0) vertx.cancelTimer(timeoutTimer);
    List<Future<Void>> done = new ArrayList<>();
    for (TcpSession s : List.copyOf(sessions)) {
      done.add(s.finished());
      s.shutdown();
    }
    return Future.join(done)
        .timeout(STOP_GRACE_MS, TimeUnit.MILLISECONDS)
        .transform(ar -> {
          if (ar.failed()) log.warn("TCP sessions still busy after {} ms; closing anyway", STOP_GRACE_MS);
          return server.close();
        })
        .onComplete(v -> {
          if (inbox != null) inbox.close();
        });
  }
}
