package dropbox.auth;

import io.vertx.core.Future;

/**
 * Accounts as both front ends see them: provisioned users (conf/users.properties) chained with
 * self-service sign-ups, plus the login throttle. Names are unique ignoring case; every method that
 * succeeds yields the canonical user name (the spelling the account was created with).
 *
 * Failures are {@link AuthException} with a reason; nothing else escapes.
 */
public interface AuthService {

  /**
   * How long the next attempt for (username, clientAddress) must be delayed, in milliseconds:
   * 0 below 5 recent failures, else min(2^(k-5), 30) s with k = failures in the last 15 minutes.
   * Cluster-wide when clustered. TCP waits this long before replying; HTTP answers 429 instead.
   */
  Future<Long> throttleDelayMillis(String username, String clientAddress);

  /** Checks a password. Records a failure (or clears the counter on success) for the throttle. */
  Future<String> login(String username, String password, String clientAddress);

  /** Creates an account (fails EXISTS / INVALID_USERNAME / INVALID_PASSWORD / DISABLED) and counts failures. */
  Future<String> signup(String username, String password, String clientAddress);

  /** Counts a malformed auth attempt (e.g. a bad TCP auth line) against the throttle. */
  Future<Void> recordFailure(String username, String clientAddress);
}
