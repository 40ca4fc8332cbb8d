package dropbox.cluster;

import dropbox.testing.FreePorts;
import dropbox.testing.PostgresServer;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** Clustered Vert.x instances on loopback for tests: free ports, a cluster name of their own. */
public final class ClusterTestSupport {
  private ClusterTestSupport() {}

  /** A loopback port for a member that binds later: see FreePorts for why not the ephemeral range. */
  public static int freePort() {
    return FreePorts.reserve();
  }

  public static String newClusterName() { return "test-" + UUID.randomUUID(); }

  /** The config of one member: our settings, as Main would read them. */
  public static JsonObject config(String clusterName, int port, String members) {
    return new JsonObject()
        .put("cluster", new JsonObject().put("enabled", true).put("name", clusterName).put("host", "127.0.0.1")
            .put("port", port).put("members", members))
        .put("metrics", new JsonObject().put("enabled", false));
  }

  /**
   * The db settings of the PostgreSQL every member of one test cluster shares: a clustered start on the
   * default engine (v2) needs one, SQLite is refused. schema: a fresh one per cluster (pg.newSchema()).
   */
  public static JsonObject database(PostgresServer pg, String schema) {
    return new JsonObject().put("db", new JsonObject().put("url", pg.url(schema)).put("user", PostgresServer.USER));
  }

  public static Vertx start(String clusterName, int port, String members) throws Exception {
    return ClusterSetup.startClustered(config(clusterName, port, members), new VertxOptions())
        .await(60, TimeUnit.SECONDS);
  }

  public static String members(int... ports) {
    StringBuilder sb = new StringBuilder();
    for (int p : ports) sb.append(sb.length() == 0 ? "" : ",").append("127.0.0.1:").append(p);
    return sb.toString();
  }
}
