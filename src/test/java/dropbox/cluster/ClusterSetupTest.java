package dropbox.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dropbox.Config;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Hazelcast configuration a node is built with, read back without starting a member. */
class ClusterSetupTest {
  private static JsonObject settings(String host) {
    JsonObject c = Config.load(List.of(), Map.of());
    Config.put(c, "cluster.host", host);
    Config.put(c, "cluster.port", 5801);
    Config.put(c, "cluster.members", "127.0.0.1:5801, 127.0.0.1:5802");
    return c;
  }

  @Test
  void joinsOnlyTheListedMembersOnItsOwnAddressWithoutHazelcastsMetrics() {
    com.hazelcast.config.Config hz = ClusterSetup.hazelcastConfig(settings("127.0.0.1"));
    assertEquals(List.of("127.0.0.1:5801", "127.0.0.1:5802"), hz.getNetworkConfig().getJoin().getTcpIpConfig().getMembers());
    assertFalse(hz.getNetworkConfig().getJoin().getMulticastConfig().isEnabled());
    assertEquals(5801, hz.getNetworkConfig().getPort());
    assertEquals("false", hz.getProperty("hazelcast.socket.bind.any"));
    assertFalse(hz.getMetricsConfig().isEnabled(), "no Management Center metrics collector");
  }

  @Test
  void aWildcardHostIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> ClusterSetup.hazelcastConfig(settings("0.0.0.0")));
  }
}
