package dropbox.dav;

import dropbox.http.HttpErrors;
import dropbox.http.HttpFailure;
import dropbox.http.HttpVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

/**
 * Reads a (paused) request's XML body, at most {@link #LIMIT} bytes. A larger announced Content-Length is
 * refused with 413 before a byte is read, a chunked body as soon as it passes the limit; either way the
 * connection is then closed (HTTP/1.1) or the stream reset (HTTP/2), so the rest is never read.
 */
final class XmlBody {
  static final int LIMIT = 1 << 20;

  /** Thrown through the future once the 413 has been answered: the caller has nothing more to do. */
  static final class Answered extends RuntimeException {
    Answered() { super(null, null, false, false); }
  }

  private XmlBody() {}

  /** The body (empty when there is none); fails with Answered after a 413. */
  static Future<byte[]> read(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    String cl = req.getHeader("Content-Length");
    if (cl != null) {
      long n;
      try {
        n = Long.parseLong(cl.trim());
      } catch (NumberFormatException e) {
        n = -1;
      }
      if (n < 0) {
        HttpVerticle.refuse(ctx, HttpFailure.badRequest("Invalid Content-Length"));
        return Future.failedFuture(new Answered());
      }
      if (n > LIMIT) return tooLarge(ctx);
      if (n == 0 && req.getHeader("Transfer-Encoding") == null) return Future.succeededFuture(new byte[0]);
    }
    Promise<byte[]> done = Promise.promise();
    Buffer body = Buffer.buffer();
    req.handler(b -> {
      if (done.future().isComplete()) return;
      if (body.length() + b.length() > LIMIT) {
        req.pause();
        tooLarge(ctx);
        done.tryFail(new Answered());
        return;
      }
      body.appendBuffer(b);
    });
    req.exceptionHandler(done::tryFail);
    req.endHandler(v -> done.tryComplete(body.getBytes()));
    req.resume();
    return done.future();
  }

  private static Future<byte[]> tooLarge(RoutingContext ctx) {
    HttpFailure f = new HttpFailure(413, "too_large", "XML request bodies are limited to 1 MiB");
    HttpServerRequest req = ctx.request();
    if (req.version() == HttpVersion.HTTP_2) {
      HttpVerticle.refuse(ctx, f);
    } else {
      // Not drained (as REST does for small refused uploads): the point is to never read it.
      ctx.response().putHeader("Connection", "close");
      HttpErrors.send(ctx.response(), f).onComplete(v -> req.connection().close());
    }
    return Future.failedFuture(new Answered());
  }
}
