package dropbox.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.spi.FilterReply;
import dropbox.testing.ProductionLogging;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Only Vert.x's own double-registered gauges are silenced, and the filter is what logback.xml installs. */
class VertxGaugeNoiseTest {
  private final VertxGaugeNoise filter = new VertxGaugeNoise();
  private final LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();

  @Test
  void vertxGaugeDoubleRegistrationIsDroppedOthersPass() {
    var registry = ctx.getLogger("io.micrometer.core.instrument.MeterRegistry");
    String vertx = "This Gauge has been already registered (MeterId{name='vertx.eventbus.handlers', tags=[]}), "
        + "the registration will be ignored. Note that subsequent logs will be logged at debug level.";
    String ours = "This Gauge has been already registered (MeterId{name='dropbox.storage.queue', tags=[]}), "
        + "the registration will be ignored.";
    assertEquals(FilterReply.DENY, filter.decide(event(registry, Level.WARN, vertx)));
    assertEquals(FilterReply.NEUTRAL, filter.decide(event(registry, Level.WARN, ours)));
    assertEquals(FilterReply.NEUTRAL, filter.decide(event(ctx.getLogger("dropbox.Main"), Level.WARN, vertx)));
    assertEquals(FilterReply.NEUTRAL, filter.decide(event(registry, Level.ERROR, vertx)));
  }

  @Test
  void theProductionLogbackXmlInstallsIt() throws Exception {
    ProductionLogging.Setup setup = ProductionLogging.read();
    assertTrue(setup.appenderFilters().stream().anyMatch(f -> f instanceof VertxGaugeNoise),
        "logback.xml does not install the filter");
    // A turbo filter would run on every level check of every logger, i.e. several times per request.
    assertEquals(0, setup.turboFilters(), "logback.xml installs turbo filters");
  }

  /** Micrometer's real message, from a real double registration, has the shape the filter looks for. */
  @Test
  void micrometersOwnMessageHasTheShapeTheFilterMatches() {
    var appender = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
    appender.start();
    var logger = ctx.getLogger("io.micrometer.core.instrument.MeterRegistry");
    Level before = logger.getLevel();
    logger.setLevel(Level.DEBUG); // Micrometer warns once per JVM, then logs the same at DEBUG
    logger.addAppender(appender);
    try {
      SimpleMeterRegistry r = new SimpleMeterRegistry();
      Gauge.builder("vertx.noise.probe", () -> 1).register(r);
      Gauge.builder("vertx.noise.probe", () -> 2).register(r);
      assertEquals(1, appender.list.size(), "no double-registration message: " + appender.list);
      var event = appender.list.get(0);
      assertEquals(FilterReply.DENY, filter.decide(event), event.getMessage());
    } finally {
      logger.detachAppender(appender);
      logger.setLevel(before);
    }
  }

  private static ILoggingEvent event(ch.qos.logback.classic.Logger logger, Level level, String message) {
    return new LoggingEvent(VertxGaugeNoiseTest.class.getName(), logger, level, message, null, null);
  }
}
