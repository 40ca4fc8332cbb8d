package dropbox.tcp;

import dropbox.Config;
import dropbox.auth.AuthService;
import dropbox.bus.StorageClient;
import dropbox.storage.LocalLockManager;
import dropbox.storage.StorageVerticle;
import dropbox.testing.ClassicClient;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A real node for TCP tests: storage workers on a temp root plus two TCP verticle instances on a free port. */
final class TcpNode implements AutoCloseable {
  final Vertx vertx = Vertx.vertx();
  final JsonObject config;
  final AtomicInteger connections = new AtomicInteger();
  final StorageClient storage;
  final AuthService auth;
  private final String tcpDeployment;
  private final String storageDeployment;
  final int port;

  TcpNode(Path root, JsonObject overrides) throws Exception {
    port = freePort();
    config = new JsonObject();
    Config.put(config, "host", "127.0.0.1");
    Config.put(config, "tcp.port", port);
    Config.put(config, "storage.root", root.toString());
    Config.put(config, "storage.fsync", false);
    Config.put(config, "quota.defaultBytes", 10_000_000L);
    Config.put(config, "workers.threads", 4);
    Config.put(config, "auth.usersFile", root.resolve("no-users.properties").toString());
    overrides.forEach(e -> Config.put(config, e.getKey(), e.getValue()));
    storageDeployment = vertx.deployVerticle(() -> new StorageVerticle(new LocalLockManager(vertx), true),
        new DeploymentOptions().setConfig(config)).await(20, TimeUnit.SECONDS);
    storage = new StorageClient(vertx, 20_000);
    auth = TestAccounts.create(vertx, config);
    tcpDeployment = vertx.deployVerticle(() -> new TcpVerticle(storage, auth, connections),
        new DeploymentOptions().setConfig(config).setInstances(2)).await(20, TimeUnit.SECONDS);
  }

  ClassicClient client() throws IOException {
    return ClassicClient.connect(port);
  }

  ClassicClient login(String user) throws IOException {
    return client().signupOrLogin(user, "pass");
  }

  /** Storage gone: every command gets the busy reply (no handler on the bus). */
  void stopStorage() throws Exception {
    vertx.undeploy(storageDeployment).await(40, TimeUnit.SECONDS);
  }

  void stopTcp() throws Exception {
    vertx.undeploy(tcpDeployment).await(40, TimeUnit.SECONDS);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws Exception {
    vertx.close().await(40, TimeUnit.SECONDS);
  }
}
