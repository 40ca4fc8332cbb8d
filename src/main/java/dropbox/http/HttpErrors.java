package dropbox.http;

import dropbox.auth.AuthException;
import dropbox.bus.ErrorCode;
import dropbox.bus.StorageClient;
import dropbox.bus.StorageException;
import io.netty.handler.codec.DecoderException;
import io.vertx.core.Future;
import io.vertx.core.VertxException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
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

  /** A switch expression without default: a new ErrorCode does not compile until it is mapped here. */
  public static Mapped of(ErrorCode c) {
    return switch (c) {
      case INVALID_NAME, BAD_REQUEST -> new Mapped(400, "bad_request");
      case NOT_FOUND -> new Mapped(404, "not_found");
      case PRECONDITION_FAILED -> new Mapped(412, "precondition_failed");
      case TOO_LARGE -> new Mapped(413, "too_large");
      case QUOTA_EXCEEDED -> new Mapped(507, "quota_exceeded");
      case BUSY, SHUTTING_DOWN -> new Mapped(503, "busy");
      case TIMEOUT -> new Mapped(504, "timeout");
      case INTERNAL -> new Mapped(500, "internal");
      case PATH_CONFLICT, TARGET_EXISTS, IS_FOLDER -> new Mapped(409, "conflict");
      case INVALID_MOVE -> new Mapped(400, "bad_request");
      case FOLDER_NOT_FOUND -> new Mapped(404, "not_found");
      case LOCKED -> new Mapped(423, "locked");
      case STORAGE_FULL -> new Mapped(507, "storage_full");
    };
  }

  /** Exhaustive like {@link #of(ErrorCode)}: every reason has exactly one answer. */
  public static Mapped of(AuthException.Reason r) {
    return switch (r) {
      case INVALID_CREDENTIALS -> new Mapped(401, "unauthorized");
      case INVALID_USERNAME, INVALID_PASSWORD -> new Mapped(400, "bad_request");
      case EXISTS -> new Mapped(409, "conflict");
      case DISABLED -> new Mapped(403, "forbidden");
      case THROTTLED, TOO_MANY_SIGNUPS -> new Mapped(429, "too_many_requests");
      case BUSY -> new Mapped(503, "busy");
      // Only a held (TCP) attempt can end this way; should one ever reach HTTP, nobody is listening.
      case GONE -> new Mapped(503, "busy");
      case INTERNAL -> new Mapped(500, "internal");
    };
  }

  /** The failure as status + code + safe message; anything unexpected is logged and becomes a bare 500. */
  public static HttpFailure toFailure(Throwable err) {
    if (err instanceof HttpFailure hf) return hf;
    if (err instanceof AuthException ae) {
      Mapped m = of(ae.reason());
      String msg = ae.reason() == AuthException.Reason.INTERNAL ? "Internal error" : ae.getMessage();
      // 429: the seconds left of the wait (rounded up); 503: busy for a moment.
      long retry = m.status() == 429 ? ae.retryAfterSeconds() : m.status() == 503 ? 1 : -1;
      return new HttpFailure(m.status(), m.code(), msg, retry);
    }
    if (err instanceof DecoderException) {
      // The client's framing broke mid-body (a bad chunk line): its fault, and its connection is done.
      log.warn("malformed request body: {}", err.toString());
      return HttpFailure.badRequest("Malformed request body");
    }
    StorageException se = StorageClient.toStorageException(err);
    if (isDisconnect(err)) {
      // The client went away (reset, closed mid-body): routine on the internet, not a server bug.
      log.warn("client connection lost during a request: {}", err.toString());
    } else if (!(err instanceof StorageException) && !(err instanceof io.vertx.core.eventbus.ReplyException)) {
      log.error("unexpected failure in HTTP handler", err);
    }
    Mapped m = of(se.code());
    long retry = m.status() == 503 ? 1 : -1;
    String msg = se.code() == ErrorCode.INTERNAL ? "Internal error" : se.getMessage();
    return new HttpFailure(m.status(), m.code(), msg, retry);
  }

  /** A failure of the client's connection rather than of our code: reset, closed, broken pipe. */
  static boolean isDisconnect(Throwable err) {
    return err instanceof IOException || err instanceof HttpClosedException
        || (err instanceof VertxException && "Connection was closed".equals(err.getMessage()));
  }

  /** Answers with the JSON error body (unless the response already started, then it just closes). */
  public static Future<Void> send(RoutingContext ctx, Throwable err) {
    return send(ctx.response(), toFailure(err));
  }

  public static Future<Void> send(HttpServerResponse resp, HttpFailure f) {
    if (resp.ended() || resp.closed()) return Future.succeededFuture();
    if (resp.headWritten()) {
      resp.reset();
      return Future.succeededFuture();
    }
    resp.setStatusCode(f.status).putHeader("Content-Type", "application/json; charset=utf-8");
    if (f.retryAfterSeconds >= 0) resp.putHeader("Retry-After", Long.toString(f.retryAfterSeconds));
    return Json.end(resp, body(f.code, f.getMessage()));
  }

  static String body(String code, String message) {
    return new JsonObject().put("error", code).put("message", message).encode();
  }
}
