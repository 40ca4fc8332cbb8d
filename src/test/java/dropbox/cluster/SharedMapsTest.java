package dropbox.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.http.TokenStore;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** TTL-keeping replaces on a clustered map (and the vertx-hazelcast behaviour that makes them necessary). */
class SharedMapsTest {
  private static final long TTL = 3000;
  private static Vertx vertx;
  private static AsyncMap<String, String> map;

  @BeforeAll
  static void start() throws Exception {
    int port = ClusterTestSupport.freePort();
    vertx = ClusterTestSupport.start(ClusterTestSupport.newClusterName(), port, ClusterTestSupport.members(port));
    map = vertx.sharedData().<String, String>getAsyncMap("test.ttl").await(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx != null) vertx.close().await(30, TimeUnit.SECONDS);
  }

  @Test
  void replacesKeepTheEntryAliveAndItExpiresOnceTheyStop() throws Exception {
    String a = "a-" + UUID.randomUUID();
    String b = "b-" + UUID.randomUUID();
    map.put(a, "0", TTL).await(10, TimeUnit.SECONDS);
    map.put(b, "0", TTL).await(10, TimeUnit.SECONDS);
    for (int i = 1; i <= 4; i++) {
      Thread.sleep(TTL / 3);
      assertEquals(String.valueOf(i - 1), SharedMaps.replace(vertx, "test.ttl", map, a, String.valueOf(i), TTL)
          .await(10, TimeUnit.SECONDS));
      assertTrue(SharedMaps.replaceIfPresent(vertx, "test.ttl", map, b, String.valueOf(i - 1), String.valueOf(i), TTL)
          .await(10, TimeUnit.SECONDS));
    }
    assertEquals("4", get(a), "alive past its first TTL while replaced");
    assertEquals("4", get(b));
    Thread.sleep(TTL + 2000);
    assertNull(get(a), "expired after the last replace");
    assertNull(get(b));
  }

  @Test
  void replacingAnAbsentOrChangedEntryChangesNothing() throws Exception {
    String k = "c-" + UUID.randomUUID();
    assertNull(SharedMaps.replace(vertx, "test.ttl", map, k, "x", TTL).await(10, TimeUnit.SECONDS));
    assertNull(get(k), "replace must not create");
    map.put(k, "1", TTL).await(10, TimeUnit.SECONDS);
    assertFalse(SharedMaps.replaceIfPresent(vertx, "test.ttl", map, k, "other", "2", TTL).await(10, TimeUnit.SECONDS));
    assertEquals("1", get(k));
  }

  /** Why SharedMaps exists; if this starts failing, vertx-hazelcast changed and SharedMaps can be simplified. */
  @Test
  void vertxHazelcastDropsTheTtlOnAPlainReplace() throws Exception {
    String k = "d-" + UUID.randomUUID();
    map.put(k, "1", TTL).await(10, TimeUnit.SECONDS);
    map.replace(k, "2").await(10, TimeUnit.SECONDS);
    Thread.sleep(TTL + 2000);
    assertEquals("2", get(k), "the entry outlived its TTL");
    map.remove(k).await(10, TimeUnit.SECONDS);
  }

  @Test
  void httpSessionTokensWorkOnAClusteredNode() throws Exception {
    TokenStore tokens = new TokenStore(vertx, TokenStore.SESSIONS, 60_000, true);
    TokenStore.Entry e = tokens.create(new JsonObject().put("user", "alice")).await(10, TimeUnit.SECONDS);
    TokenStore.Entry used = tokens.use(e.token()).await(10, TimeUnit.SECONDS);
    assertNotNull(used);
    assertEquals("alice", used.value().getString("user"));
    tokens.revoke(e.token()).await(10, TimeUnit.SECONDS);
    assertNull(tokens.use(e.token()).await(10, TimeUnit.SECONDS));
  }

  private static String get(String k) throws Exception {
    return map.get(k).await(10, TimeUnit.SECONDS);
  }
}
