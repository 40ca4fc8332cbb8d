package dropbox.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Tells the storage side when another member leaves (crash or clean stop), so survivors can tidy up
 * after it without waiting for the next periodic maintenance. Listens on Hazelcast directly: the
 * ClusterManager's own node listener slot belongs to Vert.x.
 */
public final class Membership {
  private Membership() {}

  /** This node's id in the cluster (what ClusterManager.getNodes() lists), or null when not clustered. */
  public static String localNodeId(Vertx vertx) {
    return vertx instanceof VertxInternal vi && vi.clusterManager() != null ? vi.clusterManager().getNodeId() : null;
  }

  /** The ids of the current members (this one included); null when not clustered or the cluster is gone. */
  public static Set<String> liveNodeIds(Vertx vertx) {
    if (!(vertx instanceof VertxInternal vi) || vi.clusterManager() == null) return null;
    try {
      List<String> nodes = vi.clusterManager().getNodes();
      return nodes == null ? null : Set.copyOf(nodes);
    } catch (RuntimeException e) {
      return null; // shutting down
    }
  }

  /** Runs onLeft (on a Hazelcast thread: keep it short, e.g. set a timer) whenever a member leaves. */
  public static Runnable onMemberLeft(Vertx vertx, Runnable onLeft) {
    if (!(vertx instanceof VertxInternal vi) || !(vi.clusterManager() instanceof HazelcastClusterManager hz)) {
      return () -> { };
    }
    var cluster = hz.getHazelcastInstance().getCluster();
    UUID id = cluster.addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent e) { }

      @Override
      public void memberRemoved(MembershipEvent e) { onLeft.run(); }
    });
    return () -> {
      try {
        cluster.removeMembershipListener(id);
      } catch (RuntimeException ignored) {
        // Hazelcast already shut down
      }
    };
  }
}
