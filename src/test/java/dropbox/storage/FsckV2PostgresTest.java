package dropbox.storage;

import dropbox.storage.meta.MetadataStore;
import dropbox.storage.meta.MetadataStores;
import dropbox.testing.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Every fsck case of FsckV2Test on a real PostgreSQL: one server for the class, a schema per test. */
class FsckV2PostgresTest extends FsckV2Test {
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

  @Override MetadataStore openMeta(QuotaPolicy q) throws Exception {
    schema = pg.newSchema();
    return MetadataStores.openPostgres(pg.url(schema), PostgresServer.USER, null, 3, 5000, q::quotaFor, clock::get);
  }

  @Override Connection db() throws Exception {
    return DriverManager.getConnection(pg.url(schema), PostgresServer.USER, "");
  }
}
