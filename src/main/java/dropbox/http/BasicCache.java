package dropbox.http;

import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Remembers successful Basic checks for a short while (rest-api.md allows 60 s) so Basic clients do not
 * pay a slow password hash per request, and lets concurrent requests with the same credentials share one
 * check. One per verticle instance, used only from its event loop, so no locking; bounded LRU.
 *
 * <p>Entries are keyed by an HMAC of the credentials under a random key made at start, never by the
 * password or a plain hash of it: a heap dump holds nothing a dictionary attack can be run against, and
 * the map lookup's timing tells nothing about a password. Only successes are kept; a wrong password is
 * always checked (and counted) again, so the login throttle sees every distinct guess.
 *
 * <p>Sharing a check in flight is what a sync client needs: its first burst (one request per parallel
 * connection, all with the same Basic header) used to reach the login throttle as that many attempts in
 * flight at once, and since attempts in flight count as failures until they end, all but the first few
 * got 429. Now the burst is one attempt per instance. A check is shared only between requests from the
 * same client address, so no request ever skips its own address's throttle.
 */
final class BasicCache {
  static final long TTL_MILLIS = 60_000;
  private static final int MAX_ENTRIES = 10_000;

  private record Hit(String user, long until) {}

  private final Map<String, Hit> entries = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Hit> eldest) { return size() > MAX_ENTRIES; }
  };
  /** Checks in flight, by credentials and client address; an entry lives only until its check ends. */
  private final Map<String, Future<String>> inFlight = new HashMap<>();
  private final Mac mac;

  BasicCache() {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    try {
      mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
    }
  }

  /** The cache key of these credentials (an HMAC; usernames are case-insensitive upstream, keys are exact). */
  String key(String username, String password) {
    mac.update(username.getBytes(StandardCharsets.UTF_8));
    mac.update((byte) 0);
    // doFinal resets the Mac for the next key.
    return Base64.getEncoder().encodeToString(mac.doFinal(password.getBytes(StandardCharsets.UTF_8)));
  }

  /** The canonical user of a cached success under this key, or null. */
  String get(String key) {
    Hit h = entries.get(key);
    if (h == null) return null;
    if (h.until < System.currentTimeMillis()) {
      entries.remove(key);
      return null;
    }
    return h.user;
  }

  /**
   * After a miss ({@link #get}): the result of the check already in flight for this key and address, else
   * a new {@code check}, whose success is then cached.
   */
  Future<String> check(String key, String address, Supplier<Future<String>> check) {
    String flightKey = key + '|' + address;
    Future<String> running = inFlight.get(flightKey);
    if (running != null) return running;
    Future<String> f;
    try {
      f = check.get();
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    if (f.isComplete()) return remember(key, f);
    Future<String> started = f;
    inFlight.put(flightKey, started);
    // Runs on the event loop that asked (the verticle's context), so both maps stay single-threaded.
    return started.andThen(ar -> {
      inFlight.remove(flightKey);
      remember(key, started);
    });
  }

  private Future<String> remember(String key, Future<String> f) {
    if (f.succeeded()) entries.put(key, new Hit(f.result(), System.currentTimeMillis() + TTL_MILLIS));
    return f;
  }

  /** Checks in flight now (tests). */
  int inFlight() { return inFlight.size(); }
}
