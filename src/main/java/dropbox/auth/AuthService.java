package dropbox.auth;

import io.vertx.core.Future;

/**
 * Accounts as both front ends see them: provisioned users (conf/users.properties) chained with
 * self-service sign-ups. Names are unique ignoring case; every method that succeeds yields the
 * canonical user name (the spelling the account was created with).
 *
 * Every method is the whole sequence for one attempt: throttle (tcp-protocol.md "Throttling", the
 * same counters for every protocol and node), then the check, then the count. How a needed wait is
 * served is the {@link Caller}'s mode: WAIT holds the attempt (TCP), REFUSE fails it with THROTTLED
 * and the time left (HTTP 429). Failures are {@link AuthException} with a reason; nothing else escapes.
 */
public interface AuthService {

  /** Checks a password (TCP LOGIN, POST /api/login, a Basic header). */
  Future<String> login(String username, String password, Caller caller);

  /** Creates an account and yields its name; fails EXISTS / INVALID_USERNAME / INVALID_PASSWORD / DISABLED / TOO_MANY_SIGNUPS. */
  Future<String> signup(String username, String password, Caller caller);

  /**
   * A malformed auth attempt (a TCP auth line that is neither LOGIN nor SIGNUP with two arguments):
   * throttled and counted like a wrong password; fails INVALID_CREDENTIALS once it has been counted.
   * {@code username} is whatever name the line carried, or "".
   */
  Future<Void> malformed(String username, Caller caller);
}
