package dropbox.tcp;

import dropbox.Config;
import dropbox.auth.Accounts;
import dropbox.auth.AuthService;
import dropbox.bus.StorageClient;
import dropbox.storage.LocalLockManager;
import dropbox.storage.StorageVerticle;
import dropbox.testing.ClassicClient;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real node for TCP tests: storage workers and accounts on a temp root plus two TCP verticle instances on a
 * free port, assembled here (not through Server) so a test can stop storage or the front end on its own.
 */
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
    auth = Accounts.create(vertx, config).await(20, TimeUnit.SECONDS);
    tcpDeployment = vertx.deployVerticle(() -> new TcpVerticle(storage, auth, connections, false),
        new DeploymentOptions().setConfig(config).setInstances(2)).await(20, TimeUnit.SECONDS);
  }

  ClassicClient client() throws IOException {
    return ClassicClient.connect(port);
  }

  /**
   * A logged-in client: LOGIN first, SIGNUP only for a new name. (Trying SIGNUP first, as
   * ClassicClient.signupOrLogin does, counts a failed attempt per connection and parallel
   * clients would then trip the login throttle.)
   */
  ClassicClient login(String user) throws IOException {
    ClassicClient c = client();
    c.readUntil(ClassicClient.AUTH_PROMPT);
    c.sendLine("LOGIN " + user + " pass");
    String reply = c.readLine();
    if (reply.startsWith("LOGIN_FAILED")) {
      c.readUntil(ClassicClient.AUTH_PROMPT);
      c.sendLine("SIGNUP " + user + " pass");
      reply = c.readLine();
      if (reply.contains("already exists")) { // another client signed the name up meanwhile
        c.readUntil(ClassicClient.AUTH_PROMPT);
        c.sendLine("LOGIN " + user + " pass");
        reply = c.readLine();
      }
    }
    if (!reply.startsWith("LOGIN_SUCCESS") && !reply.startsWith("SIGNUP_SUCCESS")) {
      c.close();
      throw new IOException("cannot log in " + user + ": " + reply);
    }
    c.readUntil("> ");
    return c;
  }

  /** Storage gone: every command gets the busy reply (no handler on the bus). */
  void stopStorage() throws Exception {
    vertx.undeploy(storageDeployment).await(40, TimeUnit.SECONDS);
  }

  void stopTcp() throws Exception {
    vertx.undeploy(tcpDeployment).await(40, TimeUnit.SECONDS);
  }

  static int freePort() throws IOException {
    return dropbox.testing.FreePorts.reserve();
  }

  @Override
  public void close() throws Exception {
    vertx.close().await(40, TimeUnit.SECONDS);
  }
}
