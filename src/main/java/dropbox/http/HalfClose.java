package dropbox.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannelConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Answers a client that sends its requests and then shuts down its sending side (a half-close:
 * {@code nc -N}, {@code shutdown(SHUT_WR)}), as RFC 9112 9.6 asks, and closes the connection once every
 * request read before the end of its input is answered. Netty closed such a connection at the end of its
 * input, so the request was carried out (a PUT stored) but its answer never sent.
 *
 * <p>With half-closure allowed, the end of the input is an event here instead of a close. Then: a request
 * whose body is still incomplete can never be completed, so the connection is closed at once, as before
 * (an upload aborts as on any disconnect); with nothing owed it is closed at once too; otherwise it is
 * closed when the last owed answer has been written. A client that closed completely is found by the
 * first answer written to it (a reset), which closes the connection as before. An event stream
 * (text/event-stream) is never answered to its end, and its clients (EventSource) never half-close: the end
 * of its input is the client gone, so it closes at once and gives the stream's slot back, rather than at the
 * second heartbeat after (the first write only draws the reset). Plain HTTP/1.x only: a
 * TLS connection ends with its own close_notify. Sits right before Vert.x's handler, on the connection's
 * event loop.
 */
final class HalfClose extends ChannelDuplexHandler {
  static final String NAME = "dropbox-half-close";

  /** Requests read whose final answer has not been written to its end. */
  private int owed;
  /** A request head was read whose body has not ended. */
  private boolean bodyOpen;
  /** The client sent its last byte. */
  private boolean inputEnded;
  /** The answer being written is an event stream, which has no end to wait for. */
  private boolean endless;

  /** Lets this connection outlive the end of its input, and installs the handler that ends it. */
  static void install(ChannelPipeline p, String vertxHandlerName) {
    if (!(p.channel().config() instanceof SocketChannelConfig config)) return;
    config.setAllowHalfClosure(true);
    p.addBefore(vertxHandlerName, NAME, new HalfClose());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof HttpRequest) {
      owed++;
      bodyOpen = true;
    }
    if (msg instanceof LastHttpContent) bodyOpen = false;
    super.channelRead(ctx, msg);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof ChannelInputShutdownEvent && !inputEnded) {
      inputEnded = true;
      if (bodyOpen || owed == 0 || endless) ctx.close();
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
    boolean interim = msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    ChannelPromise p = promise;
    if (msg instanceof HttpResponse r && isEventStream(r)) {
      endless = true;
      if (inputEnded) {
        p = promise.unvoid();
        p.addListener(written -> ctx.close());
      }
    }
    if (!interim && msg instanceof LastHttpContent && owed > 0) {
      owed--;
      if (inputEnded && owed == 0) {
        p = promise.unvoid();
        p.addListener(written -> ctx.close());
      }
    }
    super.write(ctx, msg, p);
  }

  private static boolean isEventStream(HttpResponse r) {
    String type = r.headers().get(HttpHeaderNames.CONTENT_TYPE);
    return type != null && type.regionMatches(true, 0, "text/event-stream", 0, 17);
  }
}
