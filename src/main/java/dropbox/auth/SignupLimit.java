package dropbox.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.LongSupplier;

/**
 * At most auth.signupsPerHour accounts created per client address per hour, counted cluster-wide.
 * The hour starts with the address's first sign-up; once it is full, the next sign-up may come when
 * that hour ends. A slot is reserved before the account is created and given back if creation fails,
 * so parallel sign-ups cannot overshoot. Stored as "count:windowStart" with the window as TTL.
 */
final class SignupLimit {
  static final String MAP_NAME = "dropbox.auth.signups";
  static final long WINDOW_MILLIS = 60 * 60 * 1000L;
  static final String TOO_MANY = "Too many sign-ups, try again later";
  private static final int MAX_KEY = 128;

  private final CasMap map;
  private final int perHour;
  private final LongSupplier clock;

  SignupLimit(Vertx vertx, int perHour) {
    this(vertx, perHour, System::currentTimeMillis);
  }

  SignupLimit(Vertx vertx, int perHour, LongSupplier clock) {
    this.map = new CasMap(vertx, MAP_NAME);
    this.perHour = perHour;
    this.clock = clock;
  }

  /** Takes one slot, or fails with TOO_MANY_SIGNUPS and the time until the address's hour ends. 0 means no limit. */
  Future<Void> reserve(String address) {
    if (perHour <= 0) return Future.succeededFuture();
    return map.update(key(address), old -> {
      long now = clock.getAsLong();
      long[] w = parse(old, now);
      if (w[0] >= perHour) return CasMap.Step.keep(w[1] + WINDOW_MILLIS - now);
      long start = w[0] == 0 ? now : w[1];
      return CasMap.Step.put((w[0] + 1) + ":" + start, Math.max(1000, start + WINDOW_MILLIS - now), 0L);
    }).compose(wait -> wait > 0
        ? Future.failedFuture(new AuthException(AuthException.Reason.TOO_MANY_SIGNUPS, TOO_MANY, wait))
        : Future.succeededFuture());
  }

  /** Gives a reserved slot back (the account was not created). */
  Future<Void> release(String address) {
    if (perHour <= 0) return Future.succeededFuture();
    return map.update(key(address), old -> {
      long now = clock.getAsLong();
      long[] w = parse(old, now);
      if (w[0] <= 1) return CasMap.Step.<Void>remove(null);
      return CasMap.Step.<Void>put((w[0] - 1) + ":" + w[1], Math.max(1000, w[1] + WINDOW_MILLIS - now), null);
    });
  }

  /** {count, windowStart} of the live window, {0, 0} when none (or unreadable). */
  private static long[] parse(String v, long now) {
    if (v == null) return new long[] {0, 0};
    int colon = v.indexOf(':');
    try {
      long count = Long.parseLong(v.substring(0, colon));
      long start = Long.parseLong(v.substring(colon + 1));
      return start + WINDOW_MILLIS > now && count > 0 ? new long[] {count, start} : new long[] {0, 0};
    } catch (RuntimeException e) {
      return new long[] {0, 0};
    }
  }

  private static String key(String address) {
    String a = address == null ? "" : address;
    return a.length() <= MAX_KEY ? a : a.substring(0, MAX_KEY);
  }
}
