package dropbox.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.auth.ThrottleRule.Decision;
import org.junit.jupiter.api.Test;

/** The spec's formula, term by term. */
class ThrottleRuleTest {
  static final long T = 1_000_000L;

  static FailureCount failures(long n, long last) {
    return new FailureCount(n, last, 0, 0);
  }

  @Test
  void pairTermIsFreeForFourThenDoublesUpToThirtySeconds() {
    long[] expected = {0, 0, 0, 0, 0, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
    for (int p = 0; p < expected.length; p++) {
      assertEquals(expected[p], ThrottleRule.delayFor(p, ThrottleRule.PAIR_FREE), "p=" + p);
    }
    assertEquals(30000, ThrottleRule.delayFor(10_000, ThrottleRule.PAIR_FREE));
  }

  @Test
  void userTermStartsAtTwenty() {
    assertEquals(0, ThrottleRule.delayFor(19, ThrottleRule.USER_FREE));
    assertEquals(1000, ThrottleRule.delayFor(20, ThrottleRule.USER_FREE));
    assertEquals(16000, ThrottleRule.delayFor(24, ThrottleRule.USER_FREE));
    assertEquals(30000, ThrottleRule.delayFor(25, ThrottleRule.USER_FREE));
  }

  @Test
  void theLongerTermWinsEachFromItsOwnLastFailure() {
    // Pair: 7 failures (4 s) last at T; user: 22 failures (4 s) last at T + 3 s.
    FailureCount pair = failures(7, T);
    FailureCount user = failures(22, T + 3000);
    assertEquals(new Decision(4000, false), ThrottleRule.decide(pair, FailureCount.NONE, T));
    assertEquals(new Decision(7000, false), ThrottleRule.decide(pair, user, T));
    assertEquals(new Decision(3000, false), ThrottleRule.decide(pair, user, T + 4000));
    assertTrue(ThrottleRule.decide(pair, user, T + 7000).admitted());
    assertTrue(ThrottleRule.decide(pair, user, T + 60_000).admitted(), "a wait always ends");
  }

  @Test
  void inFlightCountsAsFailuresOnlyWhileSomethingIsInFlight() {
    assertTrue(ThrottleRule.decide(new FailureCount(0, 0, 4, T + 1), FailureCount.NONE, T).admitted());
    assertEquals(new Decision(1000, true), ThrottleRule.decide(new FailureCount(0, 0, 5, T + 1), FailureCount.NONE, T));
    assertEquals(new Decision(1000, true), ThrottleRule.decide(new FailureCount(4, T - 10, 1, T + 1), FailureCount.NONE, T));
    assertTrue(ThrottleRule.decide(failures(5, T - 1000), FailureCount.NONE, T).admitted(), "waited: nothing in flight");
    assertEquals(new Decision(1000, true), ThrottleRule.decide(FailureCount.NONE, new FailureCount(15, T - 10, 5, T + 1), T));
    assertTrue(ThrottleRule.decide(FailureCount.NONE, new FailureCount(15, T - 10, 4, T + 1), T).admitted());
  }

  @Test
  void storedValuesRoundTripAndExpire() {
    FailureCount c = new FailureCount(7, T, 2, T + FailureCount.LEASE_MILLIS);
    assertEquals(c, FailureCount.parse(c.encode(), T));
    assertEquals(new FailureCount(7, T, 0, 0), FailureCount.parse(c.encode(), T + FailureCount.LEASE_MILLIS));
    assertEquals(FailureCount.NONE, FailureCount.parse(c.encode(), T + FailureCount.WINDOW_MILLIS + FailureCount.LEASE_MILLIS));
    assertEquals(FailureCount.NONE, FailureCount.parse("garbage", T));
    assertEquals(FailureCount.NONE, FailureCount.parse("1:2:x:4", T));
    assertEquals(FailureCount.WINDOW_MILLIS, new FailureCount(1, T, 0, 0).ttlMillis(T));
  }
}
