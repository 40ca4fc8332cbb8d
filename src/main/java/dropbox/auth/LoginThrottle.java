package dropbox.auth;

import dropbox.auth.ThrottleRule.Decision;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.LongSupplier;

/**
 * The throttle's counters in one shared map, so every node of a cluster and both protocols see the
 * same numbers: a pair counter per (user name ignoring case, client address) and a user counter per
 * user name over all addresses. An attempt is admitted (marked in flight on both counters) only when
 * {@link ThrottleRule} allows it; its outcome then ends the in-flight mark and counts a failure, or
 * resets the pair on success.
 */
final class LoginThrottle {
  static final String MAP_NAME = "dropbox.auth.failures";
  /** Keys are bounded even when a malformed auth line carries a huge "name". */
  private static final int MAX_KEY_PART = 128;

  /** How an admitted attempt ended, as the counters see it. */
  enum Outcome { SUCCESS, FAILURE, NEUTRAL }

  /** The counters one attempt touches; {@code userKey} is null for a name no account can have. */
  record Keys(String pairKey, String userKey) {}

  private final CasMap map;
  private final LongSupplier clock;

  LoginThrottle(Vertx vertx) {
    this(vertx, System::currentTimeMillis);
  }

  LoginThrottle(Vertx vertx, LongSupplier clock) {
    this.map = new CasMap(vertx, MAP_NAME);
    this.clock = clock;
  }

  static Keys keys(String username, String address) {
    String name = username == null ? "" : Usernames.key(username);
    String pair = "p|" + bound(name) + "|" + bound(address == null ? "" : address);
    // Only a valid name can be an account; junk from malformed lines must not slow anyone else down.
    return new Keys(pair, Usernames.isValid(username) ? "u|" + name : null);
  }

  /**
   * Admits the attempt (both counters then hold it in flight) or says how long it must wait. The user
   * counter is read first and decided again when it is marked, so the answer reflects both counters.
   */
  Future<Decision> admit(Keys k) {
    Future<FailureCount> user = k.userKey() == null ? Future.succeededFuture(FailureCount.NONE) : read(k.userKey());
    return user.compose(u -> map.update(k.pairKey(), old -> {
      long now = clock.getAsLong();
      FailureCount p = FailureCount.parse(old, now);
      Decision d = ThrottleRule.decide(p, u, now);
      if (!d.admitted()) return CasMap.Step.keep(d);
      FailureCount next = p.admitted(now);
      return CasMap.Step.put(next.encode(), next.ttlMillis(now), d);
    })).compose(d -> {
      if (!d.admitted() || k.userKey() == null) return Future.succeededFuture(d);
      return map.update(k.userKey(), old -> {
        long now = clock.getAsLong();
        FailureCount u = FailureCount.parse(old, now);
        Decision du = ThrottleRule.decide(FailureCount.NONE, u, now);
        if (!du.admitted()) return CasMap.Step.keep(du);
        FailureCount next = u.admitted(now);
        return CasMap.Step.put(next.encode(), next.ttlMillis(now), du);
      }).compose(du -> du.admitted() ? Future.succeededFuture(du)
          // The user counter changed under us: give the pair's mark back and wait like everyone else.
          : end(k.pairKey(), Outcome.NEUTRAL, true).map(du));
    });
  }

  /** Ends an admitted attempt: its in-flight marks go, a failure is counted, a success resets the pair. */
  Future<Void> finish(Keys k, Outcome outcome) {
    Future<Void> pair = end(k.pairKey(), outcome, true);
    return k.userKey() == null ? pair : pair.compose(v -> end(k.userKey(), outcome, false));
  }

  /** How long an attempt for (username, address) would have to wait now, without touching the counters. */
  Future<Long> waitMillis(String username, String address) {
    Keys k = keys(username, address);
    Future<FailureCount> user = k.userKey() == null ? Future.succeededFuture(FailureCount.NONE) : read(k.userKey());
    return user.compose(u -> read(k.pairKey()).map(p -> {
      Decision d = ThrottleRule.decide(p, u, clock.getAsLong());
      return d.admitted() ? 0L : d.waitMillis();
    }));
  }

  /** The live counter for a key of {@link #keys}; for tests and diagnostics. */
  Future<FailureCount> read(String key) {
    return map.get(key).map(v -> FailureCount.parse(v, clock.getAsLong()));
  }

  private Future<Void> end(String key, Outcome outcome, boolean isPair) {
    return map.update(key, old -> {
      long now = clock.getAsLong();
      FailureCount next = FailureCount.parse(old, now)
          .finished(outcome == Outcome.FAILURE, isPair && outcome == Outcome.SUCCESS, now);
      return next.isEmpty() ? CasMap.Step.<Void>remove(null) : CasMap.Step.<Void>put(next.encode(), next.ttlMillis(now), null);
    });
  }

  private static String bound(String s) {
    return s.length() <= MAX_KEY_PART ? s : s.substring(0, MAX_KEY_PART);
  }
}
