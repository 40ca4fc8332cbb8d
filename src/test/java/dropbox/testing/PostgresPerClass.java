package dropbox.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real PostgreSQL for a test class (tests take a schema each with {@code server().newSchema()}):
 * {@code @RegisterExtension static final PostgresPerClass PG = new PostgresPerClass();}. Started before the
 * first test, stopped after the last, so the contract subclasses need no start/stop code of their own.
 */
public final class PostgresPerClass implements BeforeAllCallback, AfterAllCallback {
  private PostgresServer server;

  public PostgresServer server() {
    if (server == null) throw new IllegalStateException("PostgreSQL is started before the class's first test");
    return server;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    server = PostgresServer.start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (server != null) server.close();
    server = null;
  }
}
