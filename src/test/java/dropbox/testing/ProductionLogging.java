package dropbox.testing;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.filter.Filter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** What the jar's logback.xml sets up, read in a context of its own (the tests log through logback-test.xml). */
public final class ProductionLogging {
  private ProductionLogging() {}

  /** The filters on the root logger's appenders, in order, and how many turbo filters it installs. */
  public record Setup(List<Filter<ILoggingEvent>> appenderFilters, int turboFilters) {}

  public static Setup read() throws Exception {
    LoggerContext production = new LoggerContext();
    try {
      JoranConfigurator joran = new JoranConfigurator();
      joran.setContext(production);
      joran.doConfigure(ProductionLogging.class.getClassLoader().getResource("logback.xml"));
      List<Filter<ILoggingEvent>> filters = new ArrayList<>();
      Iterator<Appender<ILoggingEvent>> it = production.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).iteratorForAppenders();
      while (it.hasNext()) filters.addAll(it.next().getCopyOfAttachedFiltersList());
      return new Setup(List.copyOf(filters), production.getTurboFilterList().size());
    } finally {
      production.stop();
    }
  }
}
