package dropbox.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.UUID;

/**
 * Tells the storage side when another member leaves (crash or clean stop), so survivors can tidy up
 * after it without waiting for the next periodic maintenance. Listens on Hazelcast directly: the
 * ClusterManager's own node listener slot belongs to Vert.x.
 */
public final class Membership {
  private Membership() {}

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
