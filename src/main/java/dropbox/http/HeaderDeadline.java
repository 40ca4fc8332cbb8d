package dropbox.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Slowloris defence for one HTTP/1.x connection, in its Netty pipeline right behind the request decoder:
 * whenever the connection waits for a request head (after connecting, and again once the previous
 * exchange is over in both directions) the head must be complete within the deadline, else the
 * connection is closed. Vert.x only learns of a request once its head is complete, so a client trickling
 * header bytes is invisible above this level. While a request is being answered (an upload, an event
 * stream) no deadline runs: those are bounded by the idle timeout.
 */
final class HeaderDeadline extends ChannelDuplexHandler {
  static final String NAME = "dropbox-header-deadline";

  private final long millis;
  private ScheduledFuture<?> timer;
  /** A request head arrived whose body has not been read to its end. */
  private boolean requestOpen;
  /** Responses not yet written to their end (more than one when a client pipelines). */
  private int responsesOwed;

  HeaderDeadline(long millis) { this.millis = millis; }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) { arm(ctx); }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) { disarm(); }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    disarm();
    super.channelInactive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof HttpRequest) {
      disarm();
      requestOpen = true;
      responsesOwed++;
    }
    if (msg instanceof LastHttpContent) {
      requestOpen = false;
      if (responsesOwed == 0) arm(ctx);
    }
    super.channelRead(ctx, msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
    // "100 Continue" is not the answer: the body (and the real response) are still to come.
    boolean interim = msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL
        && r.status().code() != HttpResponseStatus.SWITCHING_PROTOCOLS.code();
    super.write(ctx, msg, promise);
    if (!interim && msg instanceof LastHttpContent && responsesOwed > 0) {
      responsesOwed--;
      if (responsesOwed == 0 && !requestOpen) arm(ctx);
    }
  }

  private void arm(ChannelHandlerContext ctx) {
    disarm();
    timer = ctx.executor().schedule(() -> { ctx.channel().close(); }, millis, TimeUnit.MILLISECONDS);
  }

  private void disarm() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
