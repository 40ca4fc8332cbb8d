package dropbox.testing;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Treats a Vert.x blocked-thread warning as a test failure: the logback appender (logback-test.xml) collects
 * every warning of Vert.x's BlockedThreadChecker, and this extension (auto-registered for every test class)
 * fails the class during which one was logged.
 */
public final class BlockedThreadGuard extends AppenderBase<ILoggingEvent> implements AfterAllCallback {
  private static final List<String> WARNINGS = new ArrayList<>();

  @Override
  protected void append(ILoggingEvent e) {
    if (e.getLoggerName().contains("BlockedThreadChecker")) {
      synchronized (WARNINGS) {
        WARNINGS.add(e.getFormattedMessage());
      }
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    List<String> seen;
    synchronized (WARNINGS) {
      seen = new ArrayList<>(WARNINGS);
      WARNINGS.clear();
    }
    if (!seen.isEmpty()) {
      throw new AssertionError("an event loop or worker was blocked during " + context.getDisplayName() + ": " + seen.get(0));
    }
  }
}
