package dropbox.http;

import dropbox.auth.AuthException;
import dropbox.bus.ErrorCode;
import dropbox.bus.StorageClient;
import dropbox.bus.StorageException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP answers: {@link ErrorCode} and {@link AuthException.Reason}
 * each map through exactly one switch to a status and the spec's {"error","message"} body.
 */
public final class HttpErrors {
  private static final Logger log = LoggerFactory.getLogger(HttpErrors.class);

  /** A status with the spec's error code word. */
  public record Mapped(int status, String code) {}

  private HttpErrors() {}

  public static Mapped of(ErrorCode c) {
    switch (c) {
      case INVALID_NAME: return new Mapped(400, "bad_request");
      case BAD_REQUEST: return new Mapped(400, "bad_request");
      case NOT_FOUND: return new Mapped(404, "not_found");
      case PRECONDITION_FAILED: return new Mapped(412, "precondition_failed");
      case TOO_LARGE: return new Mapped(413, "too_large");
      case QUOTA_EXCEEDED: return new Mapped(507, "quota_exceeded");
      case BUSY: return new Mapped(503, "busy");
      case SHUTTING_DOWN: return new Mapped(503, "busy");
      case TIMEOUT: return new Mapped(504, "timeout");
      case INTERNAL: return new Mapped(500, "internal");
      default: throw new IllegalArgumentException("unmapped error code " + c);
    }
  }

  public static Mapped of(AuthException.Reason r) {
    switch (r) {
      case INVALID_CREDENTIALS: return new Mapped(401, "unauthorized");
      case INVALID_USERNAME: return new Mapped(400, "bad_request");
      case INVALID_PASSWORD: return new Mapped(400, "bad_request");
      case EXISTS: return new Mapped(409, "conflict");
      case DISABLED: return new Mapped(403, "forbidden");
      case THROTTLED: return new Mapped(429, "too_many_requests");
      case TOO_MANY_SIGNUPS: return new Mapped(429, "too_many_requests");
      case BUSY: return new Mapped(503, "busy");
      // Only a held (TCP) attempt can end this way; should one ever reach HTTP, nobody is listening.
      case GONE: return new Mapped(503, "busy");
      case INTERNAL: return new Mapped(500, "internal");
      default: throw new IllegalArgumentException("unmapped auth reason " + r);
    }
  }

  /** The failure as status + code + safe message; anything unexpected is logged and becomes a bare 500. */
  static HttpFailure toFailure(Throwable err) {
    if (err instanceof HttpFailure hf) return hf;
    if (err instanceof AuthException ae) {
      Mapped m = of(ae.reason());
      String msg = ae.reason() == AuthException.Reason.INTERNAL ? "Internal error" : ae.getMessage();
      // 429: the seconds left of the wait (rounded up); 503: busy for a moment.
      long retry = m.status() == 429 ? ae.retryAfterSeconds() : m.status() == 503 ? 1 : -1;
      return new HttpFailure(m.status(), m.code(), msg, retry);
    }
    StorageException se = StorageClient.toStorageException(err);
    if (!(err instanceof StorageException) && !(err instanceof io.vertx.core.eventbus.ReplyException)) {
      log.error("unexpected failure in HTTP handler", err);
    }
    Mapped m = of(se.code());
    long retry = m.status() == 503 ? 1 : -1;
    String msg = se.code() == ErrorCode.INTERNAL ? "Internal error" : se.getMessage();
    return new HttpFailure(m.status(), m.code(), msg, retry);
  }

  /** Answers with the JSON error body (unless the response already started, then it just closes). */
  static Future<Void> send(RoutingContext ctx, Throwable err) {
    return send(ctx.response(), toFailure(err));
  }

  static Future<Void> send(HttpServerResponse resp, HttpFailure f) {
    if (resp.ended() || resp.closed()) return Future.succeededFuture();
    if (resp.headWritten()) {
      resp.reset();
      return Future.succeededFuture();
    }
    resp.setStatusCode(f.status).putHeader("Content-Type", "application/json; charset=utf-8");
    if (f.retryAfterSeconds >= 0) resp.putHeader("Retry-After", Long.toString(f.retryAfterSeconds));
    return resp.end(body(f.code, f.getMessage()));
  }

  static String body(String code, String message) {
    return new JsonObject().put("error", code).put("message", message).encode();
  }
}
