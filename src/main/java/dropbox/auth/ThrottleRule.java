package dropbox.auth;

/**
 * The login throttle's formula (tcp-protocol.md "Throttling"), free of storage so it can be read and
 * tested as the spec states it. With p pair failures and u user failures an attempt waits
 * d = max(p >= 5 ? min(2^(p-5), 30) : 0, u >= 20 ? min(2^(u-20), 30) : 0) seconds, each term counted
 * from its own counter's last failure, so every wait ends: a client is slowed, never locked out.
 */
final class ThrottleRule {
  static final int PAIR_FREE = 5;
  static final int USER_FREE = 20;
  static final long MAX_DELAY_MILLIS = 30_000L;

  private ThrottleRule() {}

  /** What the throttle says about one attempt. */
  record Decision(long waitMillis, boolean forInFlight) {
    static final Decision ADMIT = new Decision(0, false);

    boolean admitted() {
      return waitMillis <= 0;
    }
  }

  /** 0 while failures < free, then min(2^(failures-free), 30) seconds. */
  static long delayFor(long failures, int free) {
    if (failures < free) return 0;
    long exp = failures - free;
    return exp >= 5 ? MAX_DELAY_MILLIS : Math.min((1L << exp) * 1000, MAX_DELAY_MILLIS);
  }

  /** What is left at {@code now} of one counter's wait, measured from its last failure. */
  static long remaining(FailureCount c, int free, long now) {
    if (c.failures() == 0) return 0;
    return Math.max(0, c.lastFailure() + delayFor(c.failures(), free) - now);
  }

  /**
   * The real wait first (the longer of the two). Then attempts in flight count as failures: if the
   * counter would need a wait once they all failed, this attempt waits for them to finish. Nothing in
   * flight means the real counts alone decide, so a success or a finished wait always gets through.
   */
  static Decision decide(FailureCount pair, FailureCount user, long now) {
    long wait = Math.max(remaining(pair, PAIR_FREE, now), remaining(user, USER_FREE, now));
    if (wait > 0) return new Decision(wait, false);
    if (wouldWait(pair, PAIR_FREE) || wouldWait(user, USER_FREE)) return new Decision(1000, true);
    return Decision.ADMIT;
  }

  private static boolean wouldWait(FailureCount c, int free) {
    return c.inFlight() > 0 && delayFor(c.failures() + c.inFlight(), free) > 0;
  }
}
