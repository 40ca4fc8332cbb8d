package dropbox.auth;

/**
 * One throttle counter (a (user, address) pair or a user) as it is stored in the shared map:
 * recent failures with the time of the last one, and the attempts in flight (admitted, outcome not
 * known yet) with a lease. Stored as "failures:lastFailure:inFlight:inFlightUntil" (epoch millis).
 *
 * Expiry travels inside the value as well as in the map's TTL (which only reaps), so a late eviction
 * never revives an old count: failures are forgotten {@link #WINDOW_MILLIS} after the last one, and
 * in-flight marks {@link #LEASE_MILLIS} after the latest admission, so a node that dies mid-check
 * cannot hold other attempts back for longer than that.
 */
record FailureCount(long failures, long lastFailure, int inFlight, long inFlightUntil) {
  static final long WINDOW_MILLIS = 15 * 60 * 1000L;
  /** Far longer than a check takes even with a full hashing queue; bounds the damage of a crashed node. */
  static final long LEASE_MILLIS = 60_000L;
  static final FailureCount NONE = new FailureCount(0, 0, 0, 0);

  /** The live state of a stored value at {@code now}: expired parts read as zero, so does anything unreadable. */
  static FailureCount parse(String value, long now) {
    if (value == null) return NONE;
    String[] f = value.split(":", -1);
    if (f.length != 4) return NONE;
    try {
      long failures = Long.parseLong(f[0]);
      long last = Long.parseLong(f[1]);
      int inFlight = Integer.parseInt(f[2]);
      long until = Long.parseLong(f[3]);
      boolean failuresLive = failures > 0 && last + WINDOW_MILLIS > now;
      boolean inFlightLive = inFlight > 0 && until > now;
      return new FailureCount(failuresLive ? failures : 0, failuresLive ? last : 0,
          inFlightLive ? inFlight : 0, inFlightLive ? until : 0);
    } catch (NumberFormatException e) {
      return NONE;
    }
  }

  String encode() {
    return failures + ":" + lastFailure + ":" + inFlight + ":" + inFlightUntil;
  }

  boolean isEmpty() {
    return failures == 0 && inFlight == 0;
  }

  /** How long the map must keep this value from {@code now}: until both its parts have expired. */
  long ttlMillis(long now) {
    long until = Math.max(failures > 0 ? lastFailure + WINDOW_MILLIS : 0, inFlight > 0 ? inFlightUntil : 0);
    return Math.max(1000, until - now);
  }

  /** One more attempt in flight; the lease restarts. */
  FailureCount admitted(long now) {
    return new FailureCount(failures, lastFailure, inFlight + 1, now + LEASE_MILLIS);
  }

  /**
   * One in-flight attempt ended: a failure adds to the count (and is now the last one), a reset
   * clears the count (a success on the pair), anything else only ends the in-flight mark.
   */
  FailureCount finished(boolean failed, boolean reset, long now) {
    int left = Math.max(0, inFlight - 1);
    long until = left == 0 ? 0 : inFlightUntil;
    if (reset) return new FailureCount(0, 0, left, until);
    if (failed) return new FailureCount(failures + 1, now, left, until);
    return new FailureCount(failures, lastFailure, left, until);
  }
}
