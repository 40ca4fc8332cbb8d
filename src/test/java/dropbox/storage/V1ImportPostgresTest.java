package dropbox.storage;

import dropbox.storage.meta.MetadataStore;
import dropbox.storage.meta.MetadataStores;
import dropbox.testing.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Everything V1ImportTest proves, on a real PostgreSQL: one server for the class, a schema per test. */
class V1ImportPostgresTest extends V1ImportTest {
  static PostgresServer pg;
  private String schema;

  @BeforeAll
  static void startServer() throws Exception {
    pg = PostgresServer.start();
  }

  @AfterAll
  static void stopServer() {
    if (pg != null) pg.close();
  }

  @Override MetadataStore openMeta() throws Exception {
    if (schema == null) schema = pg.newSchema(); // every "restart" of a test keeps its database
    return MetadataStores.openPostgres(pg.url(schema), PostgresServer.USER, null, 6, 5000, quotas::quotaFor, clock::get);
  }
}
