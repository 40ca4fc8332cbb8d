package dropbox;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * One running node: storage workers plus the TCP and HTTP front ends, deployed from one config.
 * Used by Main and by tests (start on free ports with tcp.port/http.port = 0).
 */
public final class Server {
  private final Vertx vertx;
  private final JsonObject config;
  private int tcpPort;
  private int httpPort;

  private Server(Vertx vertx, JsonObject config) {
    this.vertx = vertx;
    this.config = config;
  }

  /** Deploys everything on the given Vert.x; the config is Config.load's shape (missing keys take defaults). */
  public static Future<Server> start(Vertx vertx, JsonObject config) {
    Server s = new Server(vertx, config);
    return s.deploy().map(v -> s);
  }

  private Future<Void> deploy() {
    // Filled in as the storage, TCP and HTTP verticles land.
    tcpPort = Config.integer(config, "tcp.port");
    httpPort = Config.integer(config, "http.port");
    return Future.succeededFuture();
  }

  public int tcpPort() { return tcpPort; }

  public int httpPort() { return httpPort; }

  public Vertx vertx() { return vertx; }

  public JsonObject config() { return config; }

  /** Front ends first (they say goodbye and roll back uploads), then storage finishes its queue. */
  public Future<Void> stop() {
    return Future.succeededFuture();
  }
}
