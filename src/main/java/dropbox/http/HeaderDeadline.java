package dropbox.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Slowloris defence for one HTTP/1.x connection: a request head must be complete within the deadline,
 * counted from the connection's start, and for every later request from its first byte; else the
 * connection is closed. Vert.x only learns of a request once its head is complete, so a client
 * trickling header bytes is only visible in the Netty pipeline: one handler in front of the request
 * decoder sees raw bytes arrive, one behind it sees complete heads and the ends of responses. While a
 * request is being answered (an upload, an event stream) no deadline runs; an idle kept-alive
 * connection is left to the idle timeout, so a client reusing it never races a deadline close.
 *
 * <p>A request answered before its body arrived (a 401 to a PUT without credentials, a refused upload)
 * gets {@code answeredMillis} more for the rest of its body, which is only discarded, then the connection
 * is closed; such a connection also counts as idle when the node is at its connection cap. Without it a
 * client with no account held a connection for as long as it trickled a byte now and then into a body
 * announced as 1 GB, and enough of them took every connection slot (503 for everyone else).
 * All of it runs on the connection's event loop.
 */
final class HeaderDeadline {
  static final String RAW = "dropbox-header-deadline-raw";
  static final String DECODED = "dropbox-header-deadline";

  private final long millis;
  private final long answeredMillis;
  private ChannelHandlerContext ctx;
  private ScheduledFuture<?> timer;
  /** A request head arrived whose body has not been read to its end. */
  private boolean requestOpen;
  /** Responses not yet written to their end (more than one when a client pipelines). */
  private int responsesOwed;
  /** A connection younger than this (or a head begun less long ago) is not evicted at the cap. */
  static final long EVICT_AFTER_NANOS = TimeUnit.SECONDS.toNanos(2);
  private final long createdNanos = System.nanoTime();
  /** Bytes of a request head arrived on an idle connection, and when; the head is not complete yet. */
  private boolean headStarted;
  private long headStartedNanos;
  /** At least one answer was written to its end: a kept-alive connection, not one about to speak. */
  private boolean answeredOne;

  private HeaderDeadline(long millis, long answeredMillis) {
    this.millis = millis;
    this.answeredMillis = answeredMillis;
  }

  /**
   * Adds one handler in front of the HTTP/1 request decoder and one right before Vert.x's own handler
   * (where requests arrive decoded and responses leave not yet encoded), and starts the first deadline.
   */
  static HeaderDeadline install(ChannelPipeline p, String decoderName, String vertxHandlerName, long millis,
                                long answeredMillis) {
    HeaderDeadline d = new HeaderDeadline(millis, answeredMillis);
    p.addBefore(decoderName, RAW, d.new Raw());
    p.addBefore(vertxHandlerName, DECODED, d.new Decoded());
    return d;
  }

  /** No request being received or answered: a kept-alive connection between requests (or before its first). */
  boolean idle() { return !requestOpen && responsesOwed == 0; }

  /**
   * May be closed to make room at the connection cap: between requests, and either kept alive after an
   * answer or silent (or trickling a head) for EVICT_AFTER_NANOS. A connection just accepted is about to
   * send its request: in a burst over the cap, new clients evicted each other before their first request
   * was read, and got a reset instead of an answer (now the newcomer gets the 503).
   */
  boolean evictable() {
    if (!idle()) return false;
    long now = System.nanoTime();
    if (headStarted) return now - headStartedNanos > EVICT_AFTER_NANOS;
    return answeredOne || now - createdNanos > EVICT_AFTER_NANOS;
  }

  /** Every answer is out, but a request's body is still arriving: what remains is only discarded. */
  boolean answeredButReading() { return requestOpen && responsesOwed == 0; }

  private void arm() { arm(millis); }

  private void arm(long after) {
    if (timer != null || ctx == null) return;
    timer = ctx.executor().schedule(() -> { ctx.channel().close(); }, after, TimeUnit.MILLISECONDS);
  }

  private void disarm() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  /** In front of the decoder: the first bytes of a request head on an idle connection start its deadline. */
  private final class Raw extends ChannelInboundHandlerAdapter {
    @Override
    public void handlerAdded(ChannelHandlerContext c) {
      ctx = c;
      arm(); // the first request's deadline runs from the connection's start
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext c) { disarm(); }

    @Override
    public void channelInactive(ChannelHandlerContext c) throws Exception {
      disarm();
      super.channelInactive(c);
    }

    @Override
    public void channelRead(ChannelHandlerContext c, Object msg) throws Exception {
      if (msg instanceof ByteBuf b && b.isReadable() && idle()) {
        arm();
        if (!headStarted) {
          headStarted = true;
          headStartedNanos = System.nanoTime();
        }
      }
      super.channelRead(c, msg);
    }
  }

  /** Behind the decoder: a complete head stops the deadline; request and response ends track idleness. */
  private final class Decoded extends ChannelDuplexHandler {
    @Override
    public void channelRead(ChannelHandlerContext c, Object msg) throws Exception {
      if (msg instanceof HttpRequest) {
        disarm();
        headStarted = false;
        requestOpen = true;
        responsesOwed++;
      }
      if (msg instanceof LastHttpContent) {
        requestOpen = false;
        if (responsesOwed == 0) disarm(); // the answered request's body ended in time
      }
      super.channelRead(c, msg);
    }

    @Override
    public void write(ChannelHandlerContext c, Object msg, ChannelPromise promise) throws Exception {
      // "100 Continue" is not the answer: the body and the real response are still to come.
      boolean interim = msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
      if (!interim && msg instanceof LastHttpContent && responsesOwed > 0) {
        responsesOwed--;
        answeredOne = true;
      }
      super.write(c, msg, promise);
      if (answeredButReading()) arm(answeredMillis);
    }
  }
}
