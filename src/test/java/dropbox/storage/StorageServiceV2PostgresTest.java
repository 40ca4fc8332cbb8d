package dropbox.storage;

import dropbox.storage.meta.MetadataStore;
import dropbox.storage.meta.MetadataStores;
import dropbox.testing.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Everything StorageServiceV2Test proves, on a real PostgreSQL: one server for the class, a schema per test. */
class StorageServiceV2PostgresTest extends StorageServiceV2Test {
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

  @Override MetadataStore openMeta(QuotaPolicy quotas) throws Exception {
    if (schema == null) schema = pg.newSchema(); // a reopen (the recovery test) keeps the database
    return MetadataStores.openPostgres(pg.url(schema), PostgresServer.USER, null, 6, 5000, quotas::quotaFor, clock::get);
  }
}
