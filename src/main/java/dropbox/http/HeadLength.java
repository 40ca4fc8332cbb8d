package dropbox.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * For handlers that answer HEAD by ending with the GET's body (Vert.x drops it): the Content-Length of that
 * body, which Vert.x leaves out for a HEAD (rest-api.md: a JSON answer carries Content-Length, also to a
 * HEAD). Our own routes set it themselves; this is for the stock ones (health checks, Prometheus).
 */
final class HeadLength {
  private HeadLength() {}

  /** Put before such a handler on its route. */
  static void fromBody(RoutingContext ctx) {
    if (ctx.request().method() == HttpMethod.HEAD) {
      HttpServerResponse resp = ctx.response();
      // Runs when the headers are written, which end(body) does after counting the body's bytes.
      ctx.addHeadersEndHandler(v -> {
        if (!resp.headers().contains(HttpHeaders.CONTENT_LENGTH) && !resp.isChunked()) {
          resp.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(resp.bytesWritten()));
        }
      });
    }
    ctx.next();
  }
}
