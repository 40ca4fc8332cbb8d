package dropbox.cluster;

import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.SplitBrainProtectionConfig;
import dropbox.Config;
import dropbox.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a node's Vert.x: plain, or clustered with Hazelcast configured in code from our own settings
 * (no cluster.xml to keep in sync). The join is TCP/IP on the members the operator listed, never
 * multicast or cloud discovery, and every port is exactly the one configured.
 */
public final class ClusterSetup {
  private static final String QUORUM = "dropbox-quorum";
  /** The map of storage's cluster-wide locks (storage/ClusterLockManager); the quorum guards it. */
  public static final String LOCKS_MAP = "dropbox.locks";

  private ClusterSetup() {}

  /** Clustered when cluster.enabled, metrics per metrics.enabled. Main's one way to get a Vert.x. */
  public static Future<Vertx> createVertx(JsonObject config) {
    VertxOptions opts = Metrics.configure(new VertxOptions().setPreferNativeTransport(true), config);
    if (!Config.bool(config, "cluster.enabled")) {
      return Future.succeededFuture(Metrics.builder(Vertx.builder().with(opts), config).build());
    }
    return startClustered(config, opts);
  }

  /** A clustered Vert.x joined to the members in cluster.members; fails if Hazelcast cannot start. */
  public static Future<Vertx> startClustered(JsonObject config, VertxOptions opts) {
    com.hazelcast.config.Config hz;
    try {
      hz = hazelcastConfig(config);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    String host = Config.string(config, "cluster.host");
    EventBusOptions eb = opts.getEventBusOptions();
    eb.setHost(host).setPort(Config.integer(config, "cluster.busPort"));
    try {
      ClusterTls.configure(eb, config);
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
    VertxBuilder b = Vertx.builder().with(opts).withClusterManager(new HazelcastClusterManager(hz));
    return Metrics.builder(b, config).buildClustered();
  }

  /**
   * The Hazelcast config of one node (a fresh object each call: the cluster manager mutates it).
   * Starts from vertx-hazelcast's default so its __vertx.* maps keep their settings.
   */
  public static com.hazelcast.config.Config hazelcastConfig(JsonObject config) {
    String host = Config.string(config, "cluster.host");
    if (host.isBlank() || host.equals("0.0.0.0") || host.equals("::")) {
      throw new IllegalArgumentException("cluster.host must be this node's address as the other members reach it,"
          + " not a wildcard: " + host);
    }
    int port = Config.integer(config, "cluster.port");
    List<String> members = members(Config.string(config, "cluster.members"));
    if (members.isEmpty()) throw new IllegalArgumentException("cluster.members is empty");

    com.hazelcast.config.Config hz = ConfigUtil.loadConfig();
    hz.setClusterName(Config.string(config, "cluster.name"));
    // The first member starts at once instead of waiting 5 s for others.
    hz.setProperty("hazelcast.wait.seconds.before.join", "0");
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.setProperty("hazelcast.logging.type", "slf4j");
    // Listen on cluster.host only, not on every interface.
    hz.setProperty("hazelcast.socket.bind.any", "false");
    // Hazelcast's own metrics feed its Management Center, which we do not run (ours are Micrometer's on
    // /metrics); their collector woke every 5 s and, interrupted by a clean stop, printed a stack trace.
    hz.getMetricsConfig().setEnabled(false);

    NetworkConfig net = hz.getNetworkConfig();
    net.setPort(port).setPortAutoIncrement(false);
    net.getInterfaces().setEnabled(true).setInterfaces(List.of(ipOf(host)));
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(members);

    // After a network split each side would form a cluster of its own and hand out the same locks.
    // With a quorum, the side with fewer members refuses lock operations (its commands answer "busy").
    int quorum = Config.integer(config, "cluster.quorum");
    if (quorum > 1) {
      hz.addSplitBrainProtectionConfig(new SplitBrainProtectionConfig(QUORUM, true, quorum));
      hz.getMapConfig(LOCKS_MAP).setSplitBrainProtectionName(QUORUM);
    }
    return hz;
  }

  /** Hazelcast matches interfaces by IP address; a host name is resolved once, at startup. */
  private static String ipOf(String host) {
    try {
      return InetAddress.getByName(host).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("cluster.host cannot be resolved: " + host);
    }
  }

  static List<String> members(String list) {
    List<String> out = new ArrayList<>();
    for (String m : list.split(",")) {
      if (!m.isBlank()) out.add(m.trim());
    }
    return out;
  }
}
