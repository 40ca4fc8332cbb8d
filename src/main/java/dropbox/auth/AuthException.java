package dropbox.auth;

/** Why an authentication or sign-up failed. The message is safe to show the user. */
public class AuthException extends RuntimeException {
  public enum Reason {
    INVALID_CREDENTIALS, INVALID_USERNAME, INVALID_PASSWORD, EXISTS, DISABLED,
    /** Too many failed attempts: try again after {@link #retryAfterMillis()} (only for {@link Caller.OnThrottle#REFUSE}). */
    THROTTLED,
    /** This client address created auth.signupsPerHour accounts within the hour; retry after {@link #retryAfterMillis()}. */
    TOO_MANY_SIGNUPS,
    /** The hashing pool is saturated: not the client's fault, try again shortly. */
    BUSY,
    /** The client hung up while its attempt was held back by the throttle; nobody is left to answer. */
    GONE,
    INTERNAL
  }

  private final Reason reason;
  private final long retryAfterMillis;

  public AuthException(Reason reason, String message) {
    this(reason, message, 0);
  }

  public AuthException(Reason reason, String message, long retryAfterMillis) {
    super(message, null, false, false);
    this.reason = reason;
    this.retryAfterMillis = retryAfterMillis;
  }

  public Reason reason() { return reason; }

  /** How long the client should wait before trying again (THROTTLED, TOO_MANY_SIGNUPS), else 0. */
  public long retryAfterMillis() { return retryAfterMillis; }

  /** Whole seconds for a Retry-After header: the time left rounded up, at least 1. */
  public long retryAfterSeconds() { return Math.max(1, (retryAfterMillis + 999) / 1000); }
}
