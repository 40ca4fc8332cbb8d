package dropbox.auth;

import io.vertx.core.Future;

/**
 * Who makes an authentication attempt and how its front end serves a throttle wait: the client
 * address (from {@link ClientAddress}) and the mode. The throttle rule is the same for both modes;
 * only what happens while the wait lasts differs.
 *
 * @param address the client address the counters are kept for
 * @param onThrottle WAIT holds the attempt until its wait is over (TCP: the reply comes late);
 *     REFUSE fails it at once with {@link AuthException.Reason#THROTTLED} and the time left (HTTP 429)
 * @param gone completes when the client has hung up (WAIT only, may be null): a held attempt then
 *     ends with {@link AuthException.Reason#GONE} instead of being waited for
 */
public record Caller(String address, OnThrottle onThrottle, Future<?> gone) {
  public enum OnThrottle { WAIT, REFUSE }

  public Caller {
    if (address == null || address.isEmpty()) address = "unknown";
  }

  /** A TCP client: waits are held; {@code gone} ends them early when the client hangs up. */
  public static Caller waiting(String address, Future<?> gone) {
    return new Caller(address, OnThrottle.WAIT, gone);
  }

  /** An HTTP client: a needed wait is refused at once with the time left. */
  public static Caller refused(String address) {
    return new Caller(address, OnThrottle.REFUSE, null);
  }

  boolean hungUp() {
    return gone != null && gone.isComplete();
  }
}
