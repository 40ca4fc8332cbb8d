package dropbox.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import java.util.List;

/**
 * Vert.x's HTTP/1 request decoder, but a Content-Length sent beside "Transfer-Encoding: chunked" stays in
 * the request's headers, so {@link RequestHeadCheck} refuses the request (400, the connection closed,
 * nothing after it read) as it refuses every other ambiguous framing. Netty drops that Content-Length
 * and frames the body as chunked (RFC 9112 6.3 allows it, but then the connection must be closed after
 * the answer); Vert.x kept the connection, so the bytes a proxy that frames by Content-Length took for
 * the body were served as a second request: a request smuggled past the proxy. The body is still framed
 * as chunked here; only the header comes back.
 */
final class StrictFramingDecoder extends VertxHttpRequestDecoder {
  StrictFramingDecoder(HttpServerOptions options) {
    super(options);
  }

  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    List<String> lengths = message.headers().getAll(HttpHeaderNames.CONTENT_LENGTH);
    super.handleTransferEncodingChunkedWithContentLength(message);
    message.headers().set(HttpHeaderNames.CONTENT_LENGTH, lengths);
  }
}
