package dropbox.http;

/**
 * An HTTP-level refusal that does not come from storage (401, 405, 429, ...): status, the spec's
 * error code and a message safe to show. Carries no stack trace: it is an answer, not a bug.
 */
public final class HttpFailure extends RuntimeException {
  final int status;
  final String code;
  /** Seconds for Retry-After, or -1. */
  final long retryAfterSeconds;

  public HttpFailure(int status, String code, String message) {
    this(status, code, message, -1);
  }

  public int status() { return status; }

  public String code() { return code; }

  HttpFailure(int status, String code, String message, long retryAfterSeconds) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public static HttpFailure badRequest(String message) { return new HttpFailure(400, "bad_request", message); }

  static HttpFailure unauthorized(String message) { return new HttpFailure(401, "unauthorized", message); }
}
