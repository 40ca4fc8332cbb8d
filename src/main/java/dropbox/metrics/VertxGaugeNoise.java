package dropbox.metrics;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Drops one WARN that every start printed and that is no fault of ours: vertx-micrometer caches its meters
 * per thread (MeterCacheImpl is a thread-local map), so the first event-bus consumer registered on each
 * further thread registers the "vertx.eventbus.handlers" gauge again, and Micrometer warns "This Gauge has
 * been already registered ... the registration will be ignored". Nothing is lost: the gauge already
 * registered is the one that reports. Only Vert.x's own gauges ("vertx." names) are filtered; a double
 * registration of one of our meters would still be logged. Installed by logback.xml on the appender (a
 * turbo filter would run on every level check of every logger, not only for lines really written).
 */
public final class VertxGaugeNoise extends Filter<ILoggingEvent> {
  private static final String REGISTRY_LOGGER = "io.micrometer.core.instrument.MeterRegistry";
  private static final String MESSAGE = "This Gauge has been already registered (MeterId{name='vertx.";

  @Override
  public FilterReply decide(ILoggingEvent event) {
    String message = event.getMessage();
    if (event.getLevel() == Level.WARN && message != null && REGISTRY_LOGGER.equals(event.getLoggerName())
        && message.startsWith(MESSAGE)) {
      return FilterReply.DENY;
    }
    return FilterReply.NEUTRAL;
  }
}
