package dropbox.tcp;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a client half-close (`printf 'LOGIN ..\nLIST\n' | nc -N host 8080`): its FIN ends the input but not
 * the connection, so the session can still answer what it received. Netty closes the whole channel on
 * end of input unless ALLOW_HALF_CLOSURE is set, and Vert.x 5 has no option for it, so it is set per
 * channel here.
 *
 * The end of input must reach the session after every byte read before it, and Vert.x may still hold
 * such bytes in its inbound queue (the session pauses the socket between commands). A Netty user event
 * would overtake them, so the end is passed down the same read path as the data: as an empty buffer,
 * which Netty never delivers for a real read. {@link #isEndOfInput} tells the session it is the marker.
 */
final class HalfCloseHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(HalfCloseHandler.class);
  private volatile boolean inputShutdown;
  private volatile Runnable onInputShutdown;

  /**
   * Enables half-closure on the socket's channel. Returns the handler, or null where that cannot be done
   * (then a FIN closes the connection as Vert.x does by default: the session still works, minus half-close).
   */
  static HalfCloseHandler install(NetSocket socket) {
    if (!(socket instanceof NetSocketInternal internal)) return null;
    try {
      ChannelHandlerContext vertxHandler = internal.channelHandlerContext();
      HalfCloseHandler h = new HalfCloseHandler();
      vertxHandler.pipeline().addBefore(vertxHandler.name(), "dropbox-half-close", h);
      if (vertxHandler.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true)) return h;
      vertxHandler.pipeline().remove(h);
    } catch (RuntimeException e) {
      log.debug("no half-closure for {}: {}", socket.remoteAddress(), e.toString());
    }
    return null;
  }

  /** Called (on the channel's event loop) as soon as the FIN is read, ahead of bytes still queued before it. */
  void onInputShutdown(Runnable hook) {
    onInputShutdown = hook;
  }

  /** The client sent its FIN; known at once, even while earlier bytes still wait in Vert.x's queue. */
  boolean inputShutdown() {
    return inputShutdown;
  }

  /** True for the marker this handler sent down the read path (a real read is never empty). */
  boolean isEndOfInput(Buffer chunk) {
    return chunk.length() == 0 && inputShutdown;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    boolean end = evt instanceof ChannelInputShutdownEvent || evt instanceof ChannelInputShutdownReadComplete;
    if (end && !inputShutdown) {
      inputShutdown = true;
      ctx.fireChannelRead(Unpooled.EMPTY_BUFFER);
      // Vert.x holds back writes made during a read until read-complete; this read had none of its own.
      ctx.fireChannelReadComplete();
      Runnable hook = onInputShutdown;
      if (hook != null) hook.run();
    }
    super.userEventTriggered(ctx, evt);
  }
}
