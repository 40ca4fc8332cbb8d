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
 *
 * <p>An address the user logged in from successfully within {@link #KNOWN_MILLIS} is exempt from the
 * user counter (its own pair counter still applies): the user counter's wait ends at the same moment
 * for every address, so an attacker polling from addresses of its own (one guess every 30 s is enough)
 * always took the moment first and kept the real user waiting for ever, against the promise that an
 * attacker can slow a user but not lock them out. Found by a black-box pass. From the addresses it
 * knows, the user now waits for their own failures only; a new address still shares the user counter.
 */
final class LoginThrottle {
  static final String MAP_NAME = "dropbox.auth.failures";
  /** Keys are bounded even when a malformed auth line carries a huge "name". */
  private static final int MAX_KEY_PART = 128;

  /** How an admitted attempt ended, as the counters see it. */
  enum Outcome { SUCCESS, FAILURE, NEUTRAL }

  /**
   * The counters one attempt touches; {@code userKey} is null for a name no account can have and for an
   * address the user is known at; {@code knownKey} marks the address as known (null for invalid names).
   */
  record Keys(String pairKey, String userKey, String knownKey) {}

  /** How long a successful login makes its address known to the throttle. */
  static final long KNOWN_MILLIS = 30L * 24 * 3600 * 1000;

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
    String nameAndAddress = bound(name) + "|" + bound(address == null ? "" : address);
    // Only a valid name can be an account; junk from malformed lines must not slow anyone else down.
    boolean valid = Usernames.isValid(username);
    return new Keys("p|" + nameAndAddress, valid ? "u|" + name : null, valid ? "k|" + nameAndAddress : null);
  }

  /** The keys of {@link #keys}, without the user counter when the user is known at this address. */
  Future<Keys> keysFor(String username, String address) {
    Keys k = keys(username, address);
    if (k.knownKey() == null) return Future.succeededFuture(k);
    return map.get(k.knownKey()).map(v -> v == null ? k : new Keys(k.pairKey(), null, k.knownKey()));
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
    Future<Void> both = k.userKey() == null ? pair : pair.compose(v -> end(k.userKey(), outcome, false));
    if (outcome != Outcome.SUCCESS || k.knownKey() == null) return both;
    return both.compose(v -> map.update(k.knownKey(), old -> CasMap.Step.<Void>put("1", KNOWN_MILLIS, null)));
  }

  /** How long an attempt for (username, address) would have to wait now, without touching the counters. */
  Future<Long> waitMillis(String username, String address) {
    return keysFor(username, address).compose(k -> {
      Future<FailureCount> user = k.userKey() == null ? Future.succeededFuture(FailureCount.NONE) : read(k.userKey());
      return user.compose(u -> read(k.pairKey()).map(p -> {
        Decision d = ThrottleRule.decide(p, u, clock.getAsLong());
        return d.admitted() ? 0L : d.waitMillis();
      }));
    });
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
