package dropbox;

import dropbox.auth.Accounts;
import dropbox.auth.AuthService;
import dropbox.bus.StorageClient;
import dropbox.http.HttpLimits;
import dropbox.dav.DavMount;
import dropbox.http.HttpVerticle;
import dropbox.storage.ClusterLockManager;
import dropbox.storage.LocalLockManager;
import dropbox.storage.LockManager;
import dropbox.storage.StorageVerticle;
import dropbox.tcp.TcpVerticle;
import dropbox.tls.CertReloader;
import dropbox.tls.ServerTls;
import dropbox.tls.TlsOptions;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.ServerSSLOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One running node: storage workers plus the TCP and HTTP front ends, deployed from one config.
 * Used by Main and by tests (tcp.port / http.port = 0 picks free ports).
 */
public final class Server {
  private final Vertx vertx;
  private final JsonObject config;
  private final List<String> frontEnds = new ArrayList<>();
  private String storageDeployment;
  /** One instance per node; set by the deployment's factory. */
  private volatile StorageVerticle storageVerticle;
  private AuthService auth;
  private StorageClient storage;
  private int tcpPort;
  private int tlsPort = -1;
  private int httpPort;
  /** Null when TLS is off. */
  private ServerTls tls;
  private CertReloader reloader;

  private Server(Vertx vertx, JsonObject config) {
    this.vertx = vertx;
    this.config = config.copy();
  }

  /** Deploys everything on the given Vert.x; the config is Config.load's shape (missing keys take defaults). */
  public static Future<Server> start(Vertx vertx, JsonObject config) {
    Server s = new Server(vertx, config);
    return s.deploy().map(v -> s);
  }

  private Future<Void> deploy() {
    boolean clustered = vertx.isClustered();
    LockManager locks = clustered
        ? new ClusterLockManager(vertx, Config.integer(config, "locks.ttlMillis"))
        : new LocalLockManager(vertx);
    // Reads the PEM files (or generates the self-signed pair): blocking, so on a worker.
    return vertx.executeBlocking(() -> ServerTls.resolve(config))
        .compose(t -> {
          tls = t;
          if (t != null) t.logCertificate("tls: certificate");
          return vertx.deployVerticle(() -> storageVerticle = new StorageVerticle(locks, !clustered),
              new DeploymentOptions().setConfig(config));
        })
        .onSuccess(id -> storageDeployment = id)
        // On v2 the sign-ups share the storage engine's database and pool (null on v1: account files).
        .compose(id -> Accounts.create(vertx, config, storageVerticle.signups()))
        .compose(a -> {
          auth = a;
          storage = new StorageClient(vertx);
          return deployFrontEnds();
        });
  }

  private Future<Void> deployFrontEnds() {
    // Chosen only now, right before the listeners bind: a port found free and released stays unclaimed only
    // while nothing else takes it, and any outgoing connection (the database pool's, Hazelcast's) may draw
    // it as its source port. Opening storage and the accounts took seconds of that window before.
    tcpPort = choosePort("tcp.port");
    tlsPort = choosePort("tcp.tlsPort");
    httpPort = choosePort("http.port");
    if (tls != null) reloader = new CertReloader(vertx, tls);
    return deployTcp().compose(v -> deployHttp()).onSuccess(v -> {
      if (reloader != null) reloader.start();
    });
  }

  /**
   * http.instances event-loop instances share the port; they reach files and accounts like TCP does.
   * With TLS the port is HTTPS only, and every instance is told about a new certificate.
   */
  private Future<Void> deployHttp() {
    HttpLimits httpLimits = new HttpLimits();
    ServerSSLOptions ssl = tls == null ? null : TlsOptions.server(tls.material(), true);
    return vertx.deployVerticle(() -> {
          HttpVerticle v = new HttpVerticle(storage, auth, httpLimits, ssl, List.of(new DavMount(storage)));
          if (reloader != null) reloader.add(v::updateSSLOptions, true);
          return v;
        }, new DeploymentOptions().setConfig(config).setInstances(Config.integer(config, "http.instances")))
        .onSuccess(frontEnds::add)
        .mapEmpty();
  }

  /**
   * tcp.instances event-loop instances share the port; one counter bounds the node's connections.
   * tcp.port = -1: no plain listener.
   */
  private Future<Void> deployTcp() {
    AtomicInteger tcpConnections = new AtomicInteger();
    DeploymentOptions opts = new DeploymentOptions().setConfig(config).setInstances(Config.integer(config, "tcp.instances"));
    Future<Void> plain = tcpPort < 0 ? Future.succeededFuture()
        : vertx.deployVerticle(() -> new TcpVerticle(storage, auth, tcpConnections, false), opts)
            .onSuccess(frontEnds::add)
            .mapEmpty();
    if (tls == null) return plain;
    // The implicit-TLS listener beside it: same protocol, same connection bound, rotated certificates.
    ServerSSLOptions ssl = TlsOptions.server(tls.material(), false);
    return plain.compose(v -> vertx.deployVerticle(() -> {
          TcpVerticle t = new TcpVerticle(storage, auth, tcpConnections, ssl);
          reloader.add(t::updateSSLOptions, false);
          return t;
        }, opts))
        .onSuccess(frontEnds::add)
        .mapEmpty();
  }

  /** Port 0 means "any free port": resolved here once so every verticle instance shares the same one. */
  private int choosePort(String key) {
    int port = Config.integer(config, key);
    if (port == 0) {
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Config.put(config, key, port);
    }
    return port;
  }

  /** The plain TCP port, or -1 when it is switched off (tcp.port = -1). */
  public int tcpPort() { return tcpPort; }

  /** The TCP protocol's implicit-TLS port, or -1 when TLS is off. */
  public int tlsPort() { return tls == null ? -1 : tlsPort; }

  public int httpPort() { return httpPort; }

  /** The certificate in use, or null when TLS is off. */
  public ServerTls tls() { return tls; }

  public Vertx vertx() { return vertx; }

  public JsonObject config() { return config; }

  public AuthService auth() { return auth; }

  public StorageClient storage() { return storage; }

  /** Front ends first (they say goodbye and roll back uploads), then storage finishes its running work. */
  public Future<Void> stop() {
    if (reloader != null) reloader.stop();
    Future<Void> f = Future.succeededFuture();
    for (String id : frontEnds) f = f.compose(v -> vertx.undeploy(id).recover(e -> Future.succeededFuture()));
    if (storageDeployment != null) f = f.compose(v -> vertx.undeploy(storageDeployment));
    if (auth instanceof Accounts a) f = f.compose(v -> a.close());
    return f;
  }
}
