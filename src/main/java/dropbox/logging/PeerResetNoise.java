package dropbox.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Drops the ERROR lines Vert.x itself prints when the peer of a connection goes away: a TCP client that
 * closes in the middle of a download larger than one sendfile region ({@code VertxConnection} logs every
 * failed region with its stack, whatever handler the socket has), and a cluster member killed while the
 * event bus was connected to it ({@code ConnectionBase} logs a reset on a connection without an exception
 * handler, which the clustered event bus's are). Both are routine, a client can cause the first at will
 * (a log flood), and ERROR pages an operator. What the server does about them is logged by our code at
 * the right level: the download's end as one WARN line, a lost member by the cluster's own messages.
 * Only those two loggers, at ERROR, for a reset or a broken pipe; any other failure there still logs.
 * Installed by logback.xml on the appender, not as a turbo filter: a turbo filter runs on every level
 * check of every logger (Vert.x's router asks isTraceEnabled for each route of each request), this one
 * only for lines that are really written.
 */
public final class PeerResetNoise extends Filter<ILoggingEvent> {
  private static final String CONNECTION = "io.vertx.core.net.impl.VertxConnection";
  private static final String CONNECTION_BASE = "io.vertx.core.net.impl.ConnectionBase";

  @Override
  public FilterReply decide(ILoggingEvent event) {
    if (event.getLevel() != Level.ERROR) return FilterReply.NEUTRAL;
    String name = event.getLoggerName();
    if (!CONNECTION.equals(name) && !CONNECTION_BASE.equals(name)) return FilterReply.NEUTRAL;
    IThrowableProxy t = event.getThrowableProxy();
    return isPeerGone(t != null ? t.getMessage() : event.getMessage()) ? FilterReply.DENY : FilterReply.NEUTRAL;
  }

  /** Netty's native transport words it "...failed with error(-104): Connection reset by peer" (-32: broken pipe). */
  public static boolean isPeerGone(String message) {
    return message != null && (message.endsWith("Connection reset by peer") || message.endsWith("Broken pipe"));
  }
}
