package dropbox.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import java.util.List;

/**
 * Vert.x's HTTP/1 request decoder, stricter on two points that make request smuggling, both refused by
 * {@link RequestHeadCheck} (400, the connection closed, nothing after it read):
 * <ul>
 *   <li>A Content-Length sent beside "Transfer-Encoding: chunked" stays in the request's headers. Netty
 *       drops it and frames the body as chunked (RFC 9112 6.3 allows it, but then the connection must be
 *       closed after the answer); Vert.x kept the connection, so the bytes a proxy that frames by
 *       Content-Length took for the body were served as a second request. The body is still framed as
 *       chunked here; only the header comes back.</li>
 *   <li>A head with an obs-fold (a header line continued on the next line, which starts with a space or
 *       a tab) is marked refused. Netty joins the lines, so {@code Transfer-Encoding:\r\n chunked} was
 *       framed as chunked while a proxy that does not unfold sees no coding (or, for
 *       {@code X-A: b\r\n Transfer-Encoding: chunked}, the reverse). RFC 9112 5.2 lets a server reject
 *       any obs-fold with 400; it is obsolete, and no client we serve sends one.</li>
 * </ul>
 * The fold is found by scanning each head's bytes once, before Netty parses them: the decoder's own
 * header parsing is private. A head ends at its blank line; the next one starts where the decoder
 * emitted the previous request's last content.
 */
final class StrictFramingDecoder extends VertxHttpRequestDecoder {
  /** The next bytes belong to a request head (not to a body). */
  private boolean inHead = true;
  /** Bytes after the reader index that the head scan has already seen. */
  private int scanned;
  /** The scan is past the control bytes and spaces Netty skips before a request line. */
  private boolean pastLeading;
  /** The scan is at the first byte of a line after the request line. */
  private boolean headerLineStart;
  /** The current line has had no byte but CR so far. */
  private boolean lineEmpty;
  /** This head has an obs-fold: its request is refused once the decoder emits it. */
  private boolean folded;

  StrictFramingDecoder(HttpServerOptions options) {
    super(options);
  }

  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    List<String> lengths = message.headers().getAll(HttpHeaderNames.CONTENT_LENGTH);
    super.handleTransferEncodingChunkedWithContentLength(message);
    message.headers().set(HttpHeaderNames.CONTENT_LENGTH, lengths);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
    if (inHead) scanHead(in);
    int start = in.readerIndex();
    int emitted = out.size();
    super.decode(ctx, in, out);
    scanned = Math.max(0, scanned - (in.readerIndex() - start));
    for (int i = emitted; i < out.size(); i++) {
      Object o = out.get(i);
      if (o instanceof HttpRequest r) {
        if (folded && r.decoderResult().isSuccess()) {
          r.setDecoderResult(DecoderResult.failure(new RequestHeadCheck.RefusedHead(
              "A header line may not be continued on the next line (obs-fold)")));
        }
        folded = false;
      }
      // The decoder returns after a request's last content: what follows is the next head.
      if (o instanceof LastHttpContent) startHead();
    }
  }

  private void startHead() {
    inHead = true;
    scanned = 0;
    pastLeading = false;
    headerLineStart = false;
    lineEmpty = false;
  }

  /** Scans the head's bytes not yet seen, up to its blank line (then the body follows: stop). */
  private void scanHead(ByteBuf in) {
    int end = in.writerIndex();
    for (int i = in.readerIndex() + scanned; i < end; i++) {
      byte b = in.getByte(i);
      scanned++;
      if (!pastLeading) {
        if ((b & 0xff) <= ' ') continue; // Netty skips these before the request line
        pastLeading = true;
      }
      if (b == '\n') {
        if (lineEmpty && headerLineStart) { // the blank line: the head is complete
          inHead = false;
          return;
        }
        headerLineStart = true;
        lineEmpty = true;
        continue;
      }
      if (lineEmpty && headerLineStart && (b == ' ' || b == '\t')) folded = true;
      if (b != '\r') lineEmpty = false;
    }
  }
}
