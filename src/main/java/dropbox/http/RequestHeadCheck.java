package dropbox.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.Locale;

/**
 * Marks HTTP/1.x request heads that Vert.x would otherwise serve wrongly as invalid, so they reach the
 * server's invalid-request handler ({@link ConnectionGuard#invalidRequest}: the JSON error, then the
 * connection closed, nothing after it on that connection served):
 * <ul>
 *   <li>a version other than 1.0 or 1.1: "HTTP/1.2" or "HTTP/3.0" is an unsupported version (505),
 *       "HTTX/1.1" a malformed request line (400). The version is reset to 1.1 so the answer's status line
 *       is one the client can read.</li>
 *   <li>a body whose framing is ambiguous (RFC 9112 6.1, 6.3; 400): a {@code Transfer-Encoding} other than
 *       exactly {@code chunked}, one together with a {@code Content-Length}, or one in an HTTP/1.0 request.
 *       Netty frames an unknown coding such as {@code gzip} by the Content-Length, or as no body at all, so
 *       a PUT stored a truncated file and the body's bytes were read as a second request: what request
 *       smuggling through a proxy that honours the coding is made of.</li>
 *   <li>more than one {@code Host} field (RFC 9112 3.2: 400): which one names the origin is then anyone's
 *       guess, and the cross-origin check reads it.</li>
 * </ul>
 */
final class RequestHeadCheck extends ChannelInboundHandlerAdapter {
  static final String NAME = "dropbox-request-head-check";

  /** The cause of a request head that named an HTTP version we do not speak. */
  static final class UnsupportedVersion extends RuntimeException {
    UnsupportedVersion(String version) { super("HTTP version not supported: " + version, null, false, false); }
  }

  /** The cause of a request head we refuse (its framing, its Host); the message is what the client is told. */
  static final class RefusedHead extends RuntimeException {
    RefusedHead(String message) { super(message, null, false, false); }
  }

  /**
   * Set once a head is refused here: what the decoder reads after it is dropped, never served. Netty's own
   * decoding failures stop its parser; ours do not, and Vert.x would serve a request pipelined behind the
   * refused one (the body of a {@code Transfer-Encoding: gzip} PUT is parsed as such a request) before
   * the connection closes after the error.
   */
  private boolean refused;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (refused) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest r && r.decoderResult().isFailure()) {
      // Netty's stand-in for a head it could not decode says HTTP/1.0, which the error's status line would
      // repeat; the client may be anything, and 1.1 is what this server speaks.
      r.setProtocolVersion(HttpVersion.HTTP_1_1);
      refused = true;
    } else if (msg instanceof HttpRequest r && r.decoderResult().isSuccess()) {
      HttpVersion v = r.protocolVersion();
      // Netty hands out its HTTP_1_1/HTTP_1_0 instances only for the exact texts; Vert.x compares by
      // identity and answers anything else 501. "http/1.1" is equal() to HTTP_1_1 (Netty upper-cases the
      // name) but is not that instance, so it slipped past an equals() test into Vert.x's 501. The
      // HTTP-name is case-sensitive (RFC 9112 2.3): such a line is malformed, 400.
      if (v != HttpVersion.HTTP_1_1 && v != HttpVersion.HTTP_1_0) {
        String text = v.text();
        boolean knownNumber = v.equals(HttpVersion.HTTP_1_1) || v.equals(HttpVersion.HTTP_1_0);
        r.setProtocolVersion(HttpVersion.HTTP_1_1);
        r.setDecoderResult(DecoderResult.failure("HTTP".equals(v.protocolName()) && !knownNumber
            ? new UnsupportedVersion(text) : new IllegalArgumentException("malformed request line")));
      } else {
        String problem = framingProblem(r.headers(), v);
        if (problem == null && r.headers().getAll(HttpHeaderNames.HOST).size() > 1) {
          problem = "A request carries one Host header";
        }
        if (problem != null) r.setDecoderResult(DecoderResult.failure(new RefusedHead(problem)));
      }
      refused = r.decoderResult().isFailure();
    }
    super.channelRead(ctx, msg);
  }

  /** Why the body of a request with these headers cannot be framed unambiguously; null when it can. */
  static String framingProblem(HttpHeaders headers, HttpVersion version) {
    List<String> codings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (codings.isEmpty()) return null;
    if (version == HttpVersion.HTTP_1_0) return "Transfer-Encoding is not allowed in an HTTP/1.0 request";
    if (headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
      return "A request may carry Content-Length or Transfer-Encoding, not both";
    }
    // Netty may have removed a Content-Length sent beside "chunked" already; what is left must be one coding.
    String joined = String.join(",", codings).trim().toLowerCase(Locale.ROOT);
    if (!joined.equals("chunked")) return "Transfer-Encoding must be chunked (or send a Content-Length)";
    return null;
  }
}
