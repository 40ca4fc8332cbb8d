package dropbox.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Marks HTTP/1.x request heads whose version is not 1.0 or 1.1 as invalid, so they reach the server's
 * invalid-request handler ({@link ConnectionGuard#invalidRequest}) instead of Vert.x's built-in 501:
 * "HTTP/1.2" or "HTTP/3.0" is an unsupported version (505), "HTTX/1.1" a malformed request line (400).
 * The version is reset to 1.1 so the answer's status line is one the client can read.
 */
final class VersionCheck extends ChannelInboundHandlerAdapter {
  static final String NAME = "dropbox-version-check";

  /** The cause of a request head that named an HTTP version we do not speak. */
  static final class UnsupportedVersion extends RuntimeException {
    UnsupportedVersion(String version) { super("HTTP version not supported: " + version, null, false, false); }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof HttpRequest r && r.decoderResult().isSuccess()) {
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
      }
    }
    super.channelRead(ctx, msg);
  }
}
