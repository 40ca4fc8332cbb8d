package dropbox.auth;

/** Why an authentication or sign-up failed. The message is safe to show the user. */
public class AuthException extends RuntimeException {
  public enum Reason { INVALID_CREDENTIALS, INVALID_USERNAME, INVALID_PASSWORD, EXISTS, DISABLED, INTERNAL }

  private final Reason reason;

  public AuthException(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public Reason reason() { return reason; }
}
