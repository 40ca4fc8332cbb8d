package dropbox.testing;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.turbo.TurboFilter;
import java.util.List;

/** What the jar's logback.xml sets up, read in a context of its own (the tests log through logback-test.xml). */
public final class ProductionLogging {
  private ProductionLogging() {}

  /** The turbo filters logback.xml installs, in order. */
  public static List<TurboFilter> turboFilters() throws Exception {
    LoggerContext production = new LoggerContext();
    try {
      JoranConfigurator joran = new JoranConfigurator();
      joran.setContext(production);
      joran.doConfigure(ProductionLogging.class.getClassLoader().getResource("logback.xml"));
      return List.copyOf(production.getTurboFilterList());
    } finally {
      production.stop();
    }
  }
}
