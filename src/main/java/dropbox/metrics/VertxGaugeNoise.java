package dropbox.metrics;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Drops one WARN that every start printed and that is no fault of ours: vertx-micrometer caches its meters
 * per thread (MeterCacheImpl is a thread-local map), so the first event-bus consumer registered on each
 * further thread registers the "vertx.eventbus.handlers" gauge again, and Micrometer warns "This Gauge has
 * been already registered ... the registration will be ignored". Nothing is lost: the gauge already
 * registered is the one that reports. Only Vert.x's own gauges ("vertx." names) are filtered; a double
 * registration of one of our meters would still be logged. Installed by logback.xml.
 */
public final class VertxGaugeNoise extends TurboFilter {
  private static final String REGISTRY_LOGGER = "io.micrometer.core.instrument.MeterRegistry";
  private static final String MESSAGE = "This Gauge has been already registered (MeterId{name='vertx.";

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (level == Level.WARN && format != null && REGISTRY_LOGGER.equals(logger.getName())
        && format.startsWith(MESSAGE)) {
      return FilterReply.DENY;
    }
    return FilterReply.NEUTRAL;
  }
}
