package dropbox.cluster;

import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.concurrent.TimeUnit;

/**
 * Updates of SharedData AsyncMap entries that keep a TTL, in both modes. vertx-hazelcast 5.0.7 does not
 * implement {@code replace(k, v, ttl)} / {@code replaceIfPresent(k, old, new, ttl)} (they fail with
 * UnsupportedOperationException), and its plain replace drops the entry's TTL: the entry then never
 * expires (measured; SharedMapsTest keeps checking it). So when clustered we replace through
 * Vert.x (same value encoding as every other access) and then set the TTL on Hazelcast's map directly.
 * setTtl never creates an entry, so an entry removed in between (a logout) stays removed.
 */
public final class SharedMaps {
  private SharedMaps() {}

  /** Like {@code m.replace(key, value, ttlMs)}: the previous value, or null (and no change) if absent. */
  public static <V> Future<V> replace(Vertx vertx, String mapName, AsyncMap<String, V> m, String key, V value,
                                      long ttlMs) {
    IMap<String, Object> hz = hazelcastMap(vertx, mapName);
    if (hz == null) return m.replace(key, value, ttlMs);
    return m.replace(key, value).compose(prev -> prev == null ? Future.succeededFuture((V) null)
        : setTtl(vertx, hz, key, ttlMs).map(v -> prev));
  }

  /** Like {@code m.replaceIfPresent(key, old, value, ttlMs)}: true if it was replaced. */
  public static <V> Future<Boolean> replaceIfPresent(Vertx vertx, String mapName, AsyncMap<String, V> m, String key,
                                                     V old, V value, long ttlMs) {
    IMap<String, Object> hz = hazelcastMap(vertx, mapName);
    if (hz == null) return m.replaceIfPresent(key, old, value, ttlMs);
    return m.replaceIfPresent(key, old, value).compose(ok -> !ok ? Future.succeededFuture(false)
        : setTtl(vertx, hz, key, ttlMs).map(v -> true));
  }

  private static Future<Void> setTtl(Vertx vertx, IMap<String, Object> hz, String key, long ttlMs) {
    // Hazelcast keeps entry times in whole seconds: round up so an entry never expires early.
    long ttl = Math.max(1000, ttlMs);
    return vertx.executeBlocking(() -> {
      hz.setTtl(key, ttl, TimeUnit.MILLISECONDS);
      return null;
    }, false);
  }

  private static IMap<String, Object> hazelcastMap(Vertx vertx, String mapName) {
    if (vertx instanceof VertxInternal vi && vi.clusterManager() instanceof HazelcastClusterManager hz) {
      return hz.getHazelcastInstance().getMap(mapName);
    }
    return null;
  }
}
