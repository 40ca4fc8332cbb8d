package dropbox.bus;

/**
 * A storage failure with its code and a message that is safe to show a user (no paths, no stack traces).
 * Carries no stack trace of its own: it is an expected outcome, not a bug.
 */
public class StorageException extends RuntimeException {
  private final ErrorCode code;

  public StorageException(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public ErrorCode code() { return code; }

  public static StorageException of(ErrorCode code, String message) { return new StorageException(code, message); }
}
