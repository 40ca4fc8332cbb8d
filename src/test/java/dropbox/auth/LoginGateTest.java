package dropbox.auth;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The entry point's sequence with stand-in checks: what is waited, refused, checked and counted. */
@ExtendWith(VertxExtension.class)
class LoginGateTest {
  static final AuthException WRONG = new AuthException(AuthException.Reason.INVALID_CREDENTIALS, "wrong");

  final AtomicInteger checks = new AtomicInteger();

  /** A check that takes {@code millis} and then fails as a wrong password. */
  Supplier<Future<String>> wrongAfter(Vertx vertx, long millis) {
    return () -> {
      checks.incrementAndGet();
      Promise<String> p = Promise.promise();
      vertx.setTimer(millis, id -> p.fail(WRONG));
      return p.future();
    };
  }

  Supplier<Future<String>> right() {
    return () -> {
      checks.incrementAndGet();
      return Future.succeededFuture("ok");
    };
  }

  static AuthException failure(Future<?> f) throws Exception {
    Throwable t = f.map(v -> (Throwable) null).otherwise(e -> e).await(60, SECONDS);
    return assertInstanceOf(AuthException.class, t, "expected an AuthException, got " + t);
  }

  @Test
  void waitHoldsTheAttemptThenChecksIt(Vertx vertx) throws Exception {
    LoginGate gate = new LoginGate(vertx, new LoginThrottle(vertx));
    Caller http = Caller.refused("192.0.2.1");
    for (int i = 0; i < 5; i++) assertEquals(AuthException.Reason.INVALID_CREDENTIALS, failure(gate.attempt(http, "u", wrongAfter(vertx, 1))).reason());
    long t0 = System.nanoTime();
    String who = gate.attempt(Caller.waiting("192.0.2.1", null), "U", right()).await(30, SECONDS);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertEquals("ok", who);
    assertTrue(ms >= 900, "5 failures: held for 1 s, took " + ms + " ms");
    assertEquals(6, checks.get());
  }

  @Test
  void refuseAnswersAtOnceWithTheTimeLeftAndChecksNothing(Vertx vertx) throws Exception {
    LoginGate gate = new LoginGate(vertx, new LoginThrottle(vertx));
    Caller http = Caller.refused("192.0.2.2");
    for (int i = 0; i < 7; i++) failure(gate.attempt(http, "v", wrongAfter(vertx, 1)));
    assertEquals(5, checks.get(), "the 6th and 7th came before their wait was over");
    AuthException e = failure(gate.attempt(http, "v", right()));
    assertEquals(AuthException.Reason.THROTTLED, e.reason());
    assertTrue(e.retryAfterMillis() > 0 && e.retryAfterMillis() <= 1000, "" + e.retryAfterMillis());
    assertEquals(5, checks.get());
    Thread.sleep(e.retryAfterMillis() + 50);
    assertEquals("ok", gate.attempt(http, "v", right()).await(30, SECONDS), "waiting Retry-After is enough");
  }

  @Test
  void aHeldAttemptEndsAtOnceWhenItsClientGoes(Vertx vertx) throws Exception {
    AtomicLong now = new AtomicLong(System.currentTimeMillis());
    LoginGate gate = new LoginGate(vertx, new LoginThrottle(vertx, now::get));
    for (int i = 0; i < 10; i++) {
      failure(gate.attempt(Caller.refused("192.0.2.3"), "w", wrongAfter(vertx, 1)));
      now.addAndGet(ThrottleRule.MAX_DELAY_MILLIS); // each failure after its wait
    }
    now.addAndGet(-ThrottleRule.MAX_DELAY_MILLIS);
    // 10 failures: a 30 s wait (measured from the last one).
    Promise<Void> gone = Promise.promise();
    long t0 = System.nanoTime();
    Future<String> held = gate.attempt(Caller.waiting("192.0.2.3", gone.future()), "w", right());
    vertx.setTimer(300, id -> gone.complete());
    assertEquals(AuthException.Reason.GONE, failure(held).reason());
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms < 20_000, "not waited for: " + ms + " ms");
    assertEquals(10, checks.get(), "never checked");
    assertEquals(AuthException.Reason.GONE, failure(gate.attempt(Caller.waiting("192.0.2.3", gone.future()), "w", right())).reason(),
        "a client already gone is not waited for either");
  }

  /**
   * The lock-out a black-box pass found: an attacker guessing from addresses of its own whenever the user
   * counter's wait ends (one guess every 30 s) took that moment first every time, so the real user, who
   * waited Retry-After, was refused for ever. An address the user logged in from is exempt from the
   * user counter; a new address still shares it.
   */
  @Test
  void anAttackerOnOtherAddressesCannotLockTheUserOutOfAnAddressTheyUse(Vertx vertx) throws Exception {
    AtomicLong now = new AtomicLong(System.currentTimeMillis());
    LoginGate gate = new LoginGate(vertx, new LoginThrottle(vertx, now::get));
    assertEquals("ok", gate.attempt(Caller.refused("192.0.2.10"), "frank", right()).await(30, SECONDS));
    // 30 failures from 30 addresses of the attacker's (one each: no pair counter ever waits): u = 30.
    for (int i = 0; i < 30; i++) {
      failure(gate.attempt(Caller.refused("198.51.100." + i), "frank", wrongAfter(vertx, 1)));
      now.addAndGet(ThrottleRule.MAX_DELAY_MILLIS);
    }
    now.addAndGet(-ThrottleRule.MAX_DELAY_MILLIS + 1000); // 1 s after the attacker's last guess
    AuthException fresh = failure(gate.attempt(Caller.refused("203.0.113.7"), "frank", right()));
    assertEquals(AuthException.Reason.THROTTLED, fresh.reason(), "a new address still shares the user counter");
    int before = checks.get();
    assertEquals("ok", gate.attempt(Caller.refused("192.0.2.10"), "frank", right()).await(30, SECONDS),
        "from the address the user logged in from: no wait");
    assertEquals(before + 1, checks.get());
    // There only its own failures count: five free, then the pair's wait.
    for (int i = 0; i < 5; i++) failure(gate.attempt(Caller.refused("192.0.2.10"), "frank", wrongAfter(vertx, 1)));
    assertEquals(AuthException.Reason.THROTTLED,
        failure(gate.attempt(Caller.refused("192.0.2.10"), "frank", right())).reason());
  }

  @Test
  void sixtyParallelAttemptsAreNotAllChecked(Vertx vertx) throws Exception {
    LoginGate gate = new LoginGate(vertx, new LoginThrottle(vertx));
    Promise<Void> gone = Promise.promise();
    List<Future<String>> all = new ArrayList<>();
    for (int i = 0; i < 60; i++) all.add(gate.attempt(Caller.waiting("192.0.2.4", gone.future()), "x", wrongAfter(vertx, 50)));
    Thread.sleep(2500);
    // 5 at once; once they failed, one more 1 s after the last of them; the next 2 s after that one.
    int checked = checks.get();
    assertTrue(checked >= 5 && checked <= 6, checked + " of 60 checked within 2.5 s");
    gone.complete();
    Future.join(all).otherwise(v -> null).await(30, SECONDS);
    assertEquals(checked, checks.get(), "the held ones ended unchecked when their clients went");
    assertEquals(checked, gate.admitted());

    List<Future<String>> refused = new ArrayList<>();
    for (int i = 0; i < 60; i++) refused.add(gate.attempt(Caller.refused("192.0.2.5"), "y", wrongAfter(vertx, 50)));
    Future.join(refused).otherwise(v -> null).await(30, SECONDS);
    int throttled = 0;
    for (Future<String> f : refused) {
      AuthException e = (AuthException) f.cause();
      if (e.reason() == AuthException.Reason.THROTTLED) {
        throttled++;
        assertEquals(1000, e.retryAfterMillis(), "waiting for attempts in flight: Retry-After 1");
      }
    }
    assertEquals(55, throttled);
  }

  @Test
  void serverTroubleCountsForNothing(Vertx vertx) throws Exception {
    LoginThrottle throttle = new LoginThrottle(vertx);
    LoginGate gate = new LoginGate(vertx, throttle);
    Caller c = Caller.refused("192.0.2.6");
    for (int i = 0; i < 8; i++) {
      assertEquals(AuthException.Reason.BUSY, failure(gate.attempt(c, "z", () ->
          Future.failedFuture(new AuthException(AuthException.Reason.BUSY, "busy")))).reason());
    }
    assertEquals(AuthException.Reason.INTERNAL, failure(gate.attempt(c, "z", () -> {
      throw new AuthException(AuthException.Reason.INTERNAL, "bug");
    })).reason());
    LoginThrottle.Keys k = LoginThrottle.keys("z", "192.0.2.6");
    assertEquals(FailureCount.NONE, throttle.read(k.pairKey()).await(10, SECONDS));
    assertEquals(FailureCount.NONE, throttle.read(k.userKey()).await(10, SECONDS));
  }
}
