package dropbox.auth;

import dropbox.auth.LoginThrottle.Outcome;
import dropbox.auth.ThrottleRule.Decision;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way into an account, for every protocol: throttle, then check, then count.
 *
 * <ol>
 *   <li>Throttle: the attempt is admitted only when {@link ThrottleRule} allows it. Otherwise the
 *       caller's mode decides: WAIT holds it (a timer, never a blocked thread) and asks again once
 *       the wait is over or, when it waits for attempts in flight, every {@link #IN_FLIGHT_POLL_MILLIS};
 *       REFUSE fails it at once with THROTTLED and the time left.</li>
 *   <li>Check: the password check (or sign-up) runs only once admitted.</li>
 *   <li>Count: the outcome ends the in-flight marks; a failure of the client's making counts, a
 *       success resets the pair, a server-side failure (busy, internal) counts for nothing.</li>
 * </ol>
 */
final class LoginGate {
  /** How often a held attempt looks again whether the attempts in flight before it have finished. */
  static final long IN_FLIGHT_POLL_MILLIS = 100;
  static final String GONE = "The client left during its throttle wait";
  static final String INTERNAL = "Internal error";

  private static final Logger LOG = LoggerFactory.getLogger(LoginGate.class);

  private final Vertx vertx;
  private final LoginThrottle throttle;
  private final AtomicLong admitted = new AtomicLong();

  LoginGate(Vertx vertx, LoginThrottle throttle) {
    this.vertx = vertx;
    this.throttle = throttle;
  }

  /** Runs {@code check} for (username, caller) under the throttle; the check fails with AuthException only. */
  <T> Future<T> attempt(Caller caller, String username, Supplier<Future<T>> check) {
    return throttle.keysFor(username, caller.address()).compose(keys -> admission(caller, keys).compose(v -> {
      admitted.incrementAndGet();
      Future<T> result;
      try {
        result = check.get();
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      return result.transform(ar -> throttle.finish(keys, outcome(ar))
          .transform(done -> {
            if (done.failed()) LOG.warn("cannot record the outcome of a login attempt: {}", done.cause().toString());
            return ar.succeeded() ? Future.succeededFuture(ar.result()) : Future.<T>failedFuture(ar.cause());
          }));
    }));
  }

  /** Attempts admitted so far (each got its check): how tests and operators see what the throttle let through. */
  long admitted() {
    return admitted.get();
  }

  /** Completes once the attempt is admitted (after any waits); fails THROTTLED, GONE or INTERNAL. */
  private Future<Void> admission(Caller caller, LoginThrottle.Keys keys) {
    Promise<Void> admitted = Promise.promise();
    tryAdmit(caller, keys, null, admitted);
    return admitted.future();
  }

  /**
   * One look at the counters; a held attempt looks again from its timer (a fresh stack each time,
   * however long it waits). Its {@link Hold} is made at its first wait, most attempts need none.
   */
  private void tryAdmit(Caller caller, LoginThrottle.Keys keys, Hold held, Promise<Void> admitted) {
    throttle.admit(keys).onComplete(ar -> {
      if (ar.failed()) {
        // Without counters there is no throttle: refuse rather than let guesses through unchecked.
        LOG.error("login throttle unavailable: {}", ar.cause().toString());
        admitted.fail(new AuthException(AuthException.Reason.INTERNAL, INTERNAL));
        return;
      }
      Decision d = ar.result();
      if (d.admitted()) {
        admitted.complete();
      } else if (caller.onThrottle() == Caller.OnThrottle.REFUSE) {
        long seconds = Math.max(1, (d.waitMillis() + 999) / 1000);
        admitted.fail(new AuthException(AuthException.Reason.THROTTLED,
            "Too many failed attempts; try again in " + seconds + " s", d.waitMillis()));
      } else {
        Hold hold = held != null ? held : new Hold(caller.gone());
        hold.sleep(pause(d)).onComplete(slept -> {
          if (slept.succeeded()) tryAdmit(caller, keys, hold, admitted);
          else admitted.fail(slept.cause());
        });
      }
    });
  }

  private static long pause(Decision d) {
    return d.forInFlight() ? IN_FLIGHT_POLL_MILLIS : d.waitMillis();
  }

  /** How the counters see an outcome: only a failure the client caused is one. */
  static Outcome outcome(AsyncResult<?> ar) {
    if (ar.succeeded()) return Outcome.SUCCESS;
    if (!(ar.cause() instanceof AuthException ae)) return Outcome.NEUTRAL;
    return switch (ae.reason()) {
      case INVALID_CREDENTIALS, INVALID_USERNAME, INVALID_PASSWORD, EXISTS, DISABLED -> Outcome.FAILURE;
      case THROTTLED, TOO_MANY_SIGNUPS, BUSY, GONE, INTERNAL -> Outcome.NEUTRAL;
    };
  }

  /** The waits of one held attempt; the client hanging up ends the current one (and any later one) at once. */
  private final class Hold {
    private final Future<?> gone;
    private Promise<Void> sleeping;
    private long timer = -1;

    Hold(Future<?> gone) {
      this.gone = gone;
      if (gone != null) gone.onComplete(x -> wake());
    }

    synchronized Future<Void> sleep(long millis) {
      if (gone != null && gone.isComplete()) return goneFailure();
      Promise<Void> p = Promise.promise();
      sleeping = p;
      timer = vertx.setTimer(Math.max(1, millis), id -> fire(p));
      return p.future();
    }

    private void fire(Promise<Void> p) {
      synchronized (this) {
        if (sleeping == p) {
          sleeping = null;
          timer = -1;
        }
      }
      p.tryComplete();
    }

    private void wake() {
      Promise<Void> p;
      synchronized (this) {
        if (sleeping == null) return;
        vertx.cancelTimer(timer);
        p = sleeping;
        sleeping = null;
        timer = -1;
      }
      p.tryFail(new AuthException(AuthException.Reason.GONE, GONE));
    }

    private Future<Void> goneFailure() {
      return Future.failedFuture(new AuthException(AuthException.Reason.GONE, GONE));
    }
  }
}
