package dropbox.auth;

import dropbox.cluster.SharedMaps;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.AsyncMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failed-attempt counters per (user name, client address) in a shared AsyncMap, so every node of a
 * cluster sees the same count. A value is "count:expiresAtMillis": the expiry travels with the count
 * as well as in the map's TTL (which only reaps), so a late eviction never revives an old count.
 * Each failure pushes the expiry 15 minutes out, so the window slides while attempts keep coming.
 */
final class LoginThrottle {
  static final String MAP_NAME = "dropbox.auth.throttle";
  static final long WINDOW_MILLIS = 15 * 60 * 1000L;
  static final int FREE_FAILURES = 5;
  static final long MAX_DELAY_MILLIS = 30_000L;
  /** Each lost compare-and-set means another caller's increment landed, so this many rounds is plenty. */
  private static final int MAX_ROUNDS = 1000;
  /** Keys are bounded even when a malformed auth line carries a huge "name". */
  private static final int MAX_KEY_PART = 128;

  private static final Logger LOG = LoggerFactory.getLogger(LoginThrottle.class);

  private final Vertx vertx;
  private final LongSupplier clock;

  LoginThrottle(Vertx vertx) {
    this(vertx, System::currentTimeMillis);
  }

  LoginThrottle(Vertx vertx, LongSupplier clock) {
    this.vertx = vertx;
    this.clock = clock;
  }

  /** 0 while k < 5, then min(2^(k-5), 30) seconds. */
  static long delayFor(long failures) {
    if (failures < FREE_FAILURES) return 0;
    long exp = failures - FREE_FAILURES;
    return exp >= 5 ? MAX_DELAY_MILLIS : Math.min((1L << exp) * 1000, MAX_DELAY_MILLIS);
  }

  Future<Long> delayMillis(String username, String address) {
    String key = key(username, address);
    return map().compose(m -> m.get(key)).map(v -> delayFor(liveCount(v)));
  }

  /** Recent failures for the pair (0 when none or expired). */
  Future<Long> failures(String username, String address) {
    String key = key(username, address);
    return map().compose(m -> m.get(key)).map(this::liveCount);
  }

  Future<Void> recordFailure(String username, String address) {
    String key = key(username, address);
    return map().compose(m -> increment(m, key, 0));
  }

  Future<Void> clear(String username, String address) {
    String key = key(username, address);
    return map().compose(m -> m.remove(key)).mapEmpty();
  }

  private Future<AsyncMap<String, String>> map() {
    return vertx.sharedData().<String, String>getAsyncMap(MAP_NAME);
  }

  private Future<Void> increment(AsyncMap<String, String> m, String key, int round) {
    if (round >= MAX_ROUNDS) {
      LOG.warn("throttle counter for {} is too contended; one failure was not counted", key);
      return Future.succeededFuture();
    }
    long now = clock.getAsLong();
    return m.get(key).compose(old -> {
      long count = old == null ? 1 : parseCount(old, now) + 1;
      String next = count + ":" + (now + WINDOW_MILLIS);
      Future<Boolean> cas = old == null
          ? m.putIfAbsent(key, next, WINDOW_MILLIS).map(prev -> prev == null)
          : replace(m, key, old, next);
      return cas.compose(ok -> ok ? Future.<Void>succeededFuture() : increment(m, key, round + 1));
    });
  }

  private Future<Boolean> replace(AsyncMap<String, String> m, String key, String old, String next) {
    return SharedMaps.replaceIfPresent(vertx, MAP_NAME, m, key, old, next, WINDOW_MILLIS);
  }

  private long liveCount(String value) {
    return value == null ? 0 : parseCount(value, clock.getAsLong());
  }

  /** The count of a stored value, or 0 if it expired (or is unreadable, which only a foreign writer could cause). */
  private static long parseCount(String value, long now) {
    int colon = value.indexOf(':');
    try {
      long count = Long.parseLong(value.substring(0, colon));
      long expiresAt = Long.parseLong(value.substring(colon + 1));
      return expiresAt <= now ? 0 : Math.max(0, count);
    } catch (RuntimeException e) {
      return 0;
    }
  }

  static String key(String username, String address) {
    return bound(username == null ? "" : Usernames.key(username)) + "|" + bound(address == null ? "" : address);
  }

  private static String bound(String s) {
    return s.length() <= MAX_KEY_PART ? s : s.substring(0, MAX_KEY_PART);
  }
}
