package dropbox.http;

import dropbox.cluster.SharedMaps;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Opaque random tokens in a SharedData AsyncMap with a TTL, so every node of a cluster accepts them
 * and a logout is seen everywhere. Session tokens slide (each use re-puts them with a fresh TTL);
 * download-link tokens do not.
 */
public final class TokenStore {
  public static final String SESSIONS = "dropbox.http.tokens";
  public static final String LINKS = "dropbox.http.links";

  private static final SecureRandom RANDOM = new SecureRandom();

  /** A stored token: value holds what it grants, expiresAt is epoch millis. */
  public record Entry(String token, JsonObject value, long expiresAt) {}

  private final Vertx vertx;
  private final String mapName;
  private final long ttlMillis;
  private final boolean sliding;

  public TokenStore(Vertx vertx, String mapName, long ttlMillis, boolean sliding) {
    this.vertx = vertx;
    this.mapName = mapName;
    this.ttlMillis = ttlMillis;
    this.sliding = sliding;
  }

  /** 256 random bits, URL-safe. */
  static String newToken() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private Future<AsyncMap<String, JsonObject>> map() {
    return vertx.sharedData().getAsyncMap(mapName);
  }

  public Future<Entry> create(JsonObject value) {
    String token = newToken();
    long expiresAt = System.currentTimeMillis() + ttlMillis;
    JsonObject stored = value.copy().put("expiresAt", expiresAt);
    return map().compose(m -> m.put(token, stored, ttlMillis)).map(v -> new Entry(token, value, expiresAt));
  }

  /** The entry, or null when unknown or expired; a sliding token's lifetime is extended by this use. */
  public Future<Entry> use(String token) {
    if (token == null || token.isEmpty() || token.length() > 200) return Future.succeededFuture(null);
    return map().compose(m -> m.get(token).compose(stored -> {
      if (stored == null) return Future.succeededFuture(null);
      long now = System.currentTimeMillis();
      long expiresAt = stored.getLong("expiresAt", 0L);
      // The map's TTL is authoritative; this guards a store whose eviction runs late.
      if (expiresAt <= now) return Future.succeededFuture(null);
      JsonObject value = stored.copy();
      value.remove("expiresAt");
      if (!sliding) return Future.succeededFuture(new Entry(token, value, expiresAt));
      long next = now + ttlMillis;
      // replace (not put) so that a use racing a logout cannot bring the token back.
      return SharedMaps.replace(vertx, mapName, m, token, value.copy().put("expiresAt", next), ttlMillis)
          .map(prev -> prev != null ? new Entry(token, value, next) : null);
    }));
  }

  /** Whether the token is still valid, without extending it (an open event stream is not a use). */
  public Future<Boolean> alive(String token) {
    return expiresAt(token).map(at -> at > System.currentTimeMillis());
  }

  /** When the token expires unless it is used again (epoch ms; 0 when there is no such token). Not a use. */
  public Future<Long> expiresAt(String token) {
    return map().compose(m -> m.get(token)).map(stored -> stored == null ? 0L : stored.getLong("expiresAt", 0L));
  }

  /**
   * Removes the token and tells every node (published on {@link #revokedAddress()}), so what it holds
   * open, such as event streams, ends at once instead of at the next liveness check.
   */
  public Future<Void> revoke(String token) {
    return map().compose(m -> m.remove(token))
        .onSuccess(v -> vertx.eventBus().publish(revokedAddress(), token))
        .mapEmpty();
  }

  /** Where revocations of this store's tokens are published (the token as a string). */
  public String revokedAddress() { return mapName + ".revoked"; }
}
