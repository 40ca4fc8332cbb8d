package dropbox.http;

import dropbox.Config;
import dropbox.Server;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** A whole node (storage, accounts, HTTP) on free loopback ports over a temp storage root. */
final class TestNode implements AutoCloseable {
  final Vertx vertx;
  final Server server;
  final Path root;
  final Http http;

  private TestNode(Vertx vertx, Server server, Path root) {
    this.vertx = vertx;
    this.server = server;
    this.root = root;
    this.http = new Http(server.httpPort());
  }

  static TestNode start(Path root, Consumer<JsonObject> tweak) throws Exception {
    JsonObject cfg = Config.load(List.of(), Map.of());
    Config.put(cfg, "host", "127.0.0.1");
    Config.put(cfg, "tcp.port", 0);
    Config.put(cfg, "http.port", 0);
    Config.put(cfg, "http.instances", 2);
    Config.put(cfg, "storage.root", root.resolve("store").toString());
    Config.put(cfg, "storage.fsync", false);
    Config.put(cfg, "auth.usersFile", root.resolve("no-users.properties").toString());
    Config.put(cfg, "quota.defaultBytes", 1_000_000L);
    // Test classes sign many users up from 127.0.0.1; the per-address limit has its own tests.
    Config.put(cfg, "auth.signupsPerHour", 1000);
    tweak.accept(cfg);
    Vertx vertx = Vertx.vertx();
    Server server = Server.start(vertx, cfg).await(60, TimeUnit.SECONDS);
    return new TestNode(vertx, server, root);
  }

  int port() { return server.httpPort(); }

  /** Signs up and logs in; returns the Bearer token. */
  String account(String user, String password) throws Exception {
    Http.Resp r = http.json("POST", "/api/signup", null, new JsonObject().put("username", user).put("password", password));
    if (r.status() != 201) throw new AssertionError("signup " + r);
    return login(user, password);
  }

  String login(String user, String password) throws Exception {
    Http.Resp r = http.json("POST", "/api/login", null, new JsonObject().put("username", user).put("password", password));
    if (r.status() != 200) throw new AssertionError("login " + r);
    return r.json().getString("token");
  }

  @Override
  public void close() throws Exception {
    try {
      server.stop().await(30, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }
}
