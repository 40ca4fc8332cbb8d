package dropbox.auth;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.auth.LoginThrottle.Keys;
import dropbox.auth.LoginThrottle.Outcome;
import dropbox.auth.ThrottleRule.Decision;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class LoginThrottleTest {
  final AtomicLong now = new AtomicLong(1_000_000_000L);

  static void fail(LoginThrottle t, String user, String address) throws Exception {
    Keys k = LoginThrottle.keys(user, address);
    Decision d = t.admit(k).await(10, SECONDS);
    assertTrue(d.admitted(), "admitted " + user + "@" + address + ": " + d);
    t.finish(k, Outcome.FAILURE).await(10, SECONDS);
  }

  static long pair(LoginThrottle t, String user, String address) throws Exception {
    return t.read(LoginThrottle.keys(user, address).pairKey()).await(10, SECONDS).failures();
  }

  @Test
  void countsPerFoldedNameAndAddress(Vertx vertx) throws Exception {
    LoginThrottle t = new LoginThrottle(vertx, now::get);
    for (int i = 0; i < 5; i++) fail(t, i % 2 == 0 ? "Alice" : "alice", "10.0.0.1");
    assertEquals(5L, pair(t, "ALICE", "10.0.0.1"));
    assertEquals(1000L, t.waitMillis("alice", "10.0.0.1").await(10, SECONDS));
    assertEquals(0L, t.waitMillis("alice", "10.0.0.2").await(10, SECONDS), "another address has its own counter");
    assertEquals(0L, t.waitMillis("bob", "10.0.0.1").await(10, SECONDS), "another user has its own counter");
    // A success resets the pair only: the user counter keeps the failures.
    now.addAndGet(1000);
    Keys k = LoginThrottle.keys("aLiCe", "10.0.0.1");
    assertTrue(t.admit(k).await(10, SECONDS).admitted());
    t.finish(k, Outcome.SUCCESS).await(10, SECONDS);
    assertEquals(0L, pair(t, "alice", "10.0.0.1"));
    assertEquals(5L, t.read(k.userKey()).await(10, SECONDS).failures());
  }

  @Test
  void theWaitIsMeasuredFromTheLastFailure(Vertx vertx) throws Exception {
    LoginThrottle t = new LoginThrottle(vertx, now::get);
    for (int i = 0; i < 5; i++) fail(t, "dan", "a");
    assertEquals(1000L, t.waitMillis("dan", "a").await(10, SECONDS));
    now.addAndGet(400);
    assertEquals(600L, t.waitMillis("dan", "a").await(10, SECONDS));
    Decision early = t.admit(LoginThrottle.keys("dan", "a")).await(10, SECONDS);
    assertEquals(new Decision(600, false), early);
    now.addAndGet(600);
    fail(t, "dan", "a"); // the 6th: 2 s from now
    assertEquals(2000L, t.waitMillis("dan", "a").await(10, SECONDS));
    now.addAndGet(2000);
    assertEquals(0L, t.waitMillis("dan", "a").await(10, SECONDS), "every wait ends");
  }

  @Test
  void attemptsInFlightCountBeforeTheirOutcome(Vertx vertx) throws Exception {
    LoginThrottle t = new LoginThrottle(vertx, now::get);
    Keys k = LoginThrottle.keys("mallory", "192.0.2.7");
    for (int i = 0; i < 4; i++) assertTrue(t.admit(k).await(10, SECONDS).admitted(), "in flight " + i);
    assertTrue(t.admit(k).await(10, SECONDS).admitted(), "4 failures would still need no wait");
    Decision sixth = t.admit(k).await(10, SECONDS);
    assertEquals(new Decision(1000, true), sixth, "5 in flight: a wait if they all fail, so wait for them");
    for (int i = 0; i < 5; i++) t.finish(k, Outcome.FAILURE).await(10, SECONDS);
    assertEquals(new Decision(1000, false), t.admit(k).await(10, SECONDS), "now the real count decides");
    now.addAndGet(1000);
    assertTrue(t.admit(k).await(10, SECONDS).admitted());
    assertEquals(new Decision(1000, true), t.admit(k).await(10, SECONDS), "one in flight at 5 failures");
    t.finish(k, Outcome.SUCCESS).await(10, SECONDS);
    assertTrue(t.admit(k).await(10, SECONDS).admitted(), "the success reset the pair");
  }

  @Test
  void theRightPasswordOnTenConnectionsOnlyWaitsForTheFirstChecks(Vertx vertx) throws Exception {
    LoginThrottle t = new LoginThrottle(vertx, now::get);
    Keys k = LoginThrottle.keys("erin", "a");
    int admitted = 0;
    for (int i = 0; i < 10; i++) if (t.admit(k).await(10, SECONDS).admitted()) admitted++;
    assertEquals(5, admitted);
    for (int i = 0; i < 5; i++) t.finish(k, Outcome.SUCCESS).await(10, SECONDS);
    for (int i = 0; i < 5; i++) assertTrue(t.admit(k).await(10, SECONDS).admitted(), "the rest go through");
  }

  @Test
  void theUserCounterSpansAddresses(Vertx vertx) throws Exception {
    LoginThrottle t = new LoginThrottle(vertx, now::get);
    for (int i = 0; i < 20; i++) fail(t, "Gina", "10.1.0." + i);
    assertEquals(1000L, t.waitMillis("gina", "10.9.9.9").await(10, SECONDS), "20 user failures: 1 s anywhere");
    now.addAndGet(1000);
    fail(t, "gina", "10.9.9.9");
    assertEquals(2000L, t.waitMillis("GINA", "10.8.8.8").await(10, SECONDS));
    // In flight counts for the user too: 20 guesses from 20 addresses at once, the 21st waits.
    LoginThrottle fresh = new LoginThrottle(vertx, now::get);
    for (int i = 0; i < 20; i++) assertTrue(fresh.admit(LoginThrottle.keys("hal", "10.2.0." + i)).await(10, SECONDS).admitted());
    Decision d = fresh.admit(LoginThrottle.keys("hal", "10.3.0.1")).await(10, SECONDS);
    assertEquals(new Decision(1000, true), d);
    assertEquals(0L, fresh.read(LoginThrottle.keys("hal", "10.3.0.1").pairKey()).await(10, SECONDS).inFlight(),
        "a refused user admission gives the pair's mark back");
  }

  @Test
  void concurrentFailuresAreAllCounted(Vertx vertx) throws Exception {
    LoginThrottle t = new LoginThrottle(vertx);
    Keys k = LoginThrottle.keys("mallory", "192.0.2.8");
    List<Future<Void>> all = Collections.synchronizedList(new ArrayList<>());
    // Issued from plain threads (each call gets its own context, spread over the event loops) so
    // the read-modify-write steps of different calls really interleave.
    ExecutorService threads = Executors.newFixedThreadPool(8);
    CountDownLatch go = new CountDownLatch(1);
    try {
      for (int i = 0; i < 200; i++) {
        threads.execute(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          all.add(t.finish(k, Outcome.FAILURE));
        });
      }
      go.countDown();
      threads.shutdown();
      assertTrue(threads.awaitTermination(30, SECONDS));
    } finally {
      threads.shutdownNow();
    }
    assertEquals(200, all.size());
    Future.all(new ArrayList<>(all)).await(30, SECONDS);
    assertEquals(200L, t.read(k.pairKey()).await(10, SECONDS).failures());
    assertEquals(200L, t.read(k.userKey()).await(10, SECONDS).failures());
  }

  @Test
  void failuresExpireFifteenMinutesAfterTheLastOne(Vertx vertx) throws Exception {
    LoginThrottle t = new LoginThrottle(vertx, now::get);
    for (int i = 0; i < 6; i++) {
      fail(t, "eve", "a");
      now.addAndGet(60_000);
    }
    // The window slides: 14 minutes after the last failure the count still stands.
    now.addAndGet(13 * 60_000L);
    assertEquals(6L, pair(t, "eve", "a"));
    now.addAndGet(60_000L);
    assertEquals(0L, pair(t, "eve", "a"));
    assertEquals(0L, t.waitMillis("eve", "a").await(10, SECONDS));
    fail(t, "eve", "a");
    assertEquals(1L, pair(t, "eve", "a"), "an expired count starts over");
  }

  @Test
  void inFlightMarksOfANodeThatDiedExpire(Vertx vertx) throws Exception {
    LoginThrottle t = new LoginThrottle(vertx, now::get);
    Keys k = LoginThrottle.keys("ivy", "a");
    for (int i = 0; i < 5; i++) t.admit(k).await(10, SECONDS); // never finished
    assertEquals(new Decision(1000, true), t.admit(k).await(10, SECONDS));
    now.addAndGet(FailureCount.LEASE_MILLIS);
    assertTrue(t.admit(k).await(10, SECONDS).admitted());
  }

  @Test
  void keysAreBoundedAndJunkNamesHaveNoUserCounter() {
    Keys k = LoginThrottle.keys("x".repeat(100_000), "y".repeat(100_000));
    assertEquals(2 + 128 + 1 + 128, k.pairKey().length());
    assertNull(k.userKey(), "not a valid name: no account to protect, nobody else to slow down");
    assertNull(LoginThrottle.keys("", "a").userKey());
    assertNull(LoginThrottle.keys(null, "a").userKey());
    assertEquals("u|alice", LoginThrottle.keys("ALICE", "a").userKey());
  }
}
