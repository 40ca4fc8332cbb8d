package dropbox.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.json.JsonObject;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;

/**
 * Answers an HTTP/1.x request whose chunked body cannot be decoded (a chunk size that is not hex, data
 * not followed by CRLF, a chunk line or trailer beyond the decoder's bounds) with 400 and the spec's JSON
 * error, then closes the connection (RFC 9112 7.1: the body's framing is lost, nothing after it can be
 * read). Vert.x closes such a connection without a word: it fails the connection on the decoder's result
 * before any handler of ours could answer.
 *
 * <p>The answer is written here, in the pipeline, only when it cannot interleave with another: the failed
 * request is the only one owed an answer on this connection and none of its answer was written yet.
 * Otherwise the failure goes on to Vert.x as before (the close alone). The failed content never reaches
 * Vert.x, so what was receiving the body sees the connection close, as when a client leaves mid-body: an
 * upload is aborted, its staging file and reservation released, nothing stored. Whatever Vert.x writes
 * after the answer is dropped. Sits right before Vert.x's handler, after the encoder, on the connection's
 * event loop.
 */
final class BodyFramingCheck extends ChannelDuplexHandler {
  static final String NAME = "dropbox-body-framing-check";

  /** Strict-Transport-Security's value on a TLS connection, else null. */
  private final String hsts;
  /** Requests whose answer has not been written to its end (more than one when a client pipelines). */
  private int owed;
  /** A final (not 1xx) response head went out whose end has not. */
  private boolean answering;
  /** This handler answered: the connection is closing and nothing more is read or written. */
  private boolean answered;

  BodyFramingCheck(String hsts) { this.hsts = hsts; }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (answered) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest r && r.decoderResult().isSuccess()) owed++;
    if (msg instanceof HttpContent c && !(msg instanceof HttpRequest) && c.decoderResult().isFailure()
        && owed == 1 && !answering) {
      ReferenceCountUtil.release(msg);
      answered = true;
      ctx.writeAndFlush(badRequest()).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    super.channelRead(ctx, msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
    if (answered) {
      ReferenceCountUtil.release(msg);
      promise.setFailure(new ClosedChannelException());
      return;
    }
    if (msg instanceof HttpResponse r && r.status().codeClass() != HttpStatusClass.INFORMATIONAL) answering = true;
    if (msg instanceof LastHttpContent && answering) {
      answering = false;
      if (owed > 0) owed--;
    }
    super.write(ctx, msg, promise);
  }

  private FullHttpResponse badRequest() {
    byte[] body = new JsonObject().put("error", "bad_request")
        .put("message", "The chunked request body is malformed").encode().getBytes(StandardCharsets.UTF_8);
    ByteBuf content = Unpooled.wrappedBuffer(body);
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST, content);
    HttpHeaders h = r.headers();
    h.set("Date", HttpDate.now()); // the names as the server's other answers spell them
    h.set("Content-Type", "application/json; charset=utf-8");
    h.set("Content-Length", body.length);
    h.set("X-Content-Type-Options", "nosniff");
    h.set("Connection", "close");
    if (hsts != null) h.set("Strict-Transport-Security", hsts);
    return r;
  }
}
