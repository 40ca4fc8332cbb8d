package dropbox.storage;

import dropbox.bus.QuotaPolicy;
import dropbox.storage.meta.MetadataStore;
import dropbox.storage.meta.MetadataStores;
import dropbox.testing.PostgresPerClass;
import dropbox.testing.PostgresServer;
import org.junit.jupiter.api.extension.RegisterExtension;
import java.sql.Connection;
import java.sql.DriverManager;

/** Every fsck case of FsckV2Test on a real PostgreSQL: one server for the class, a schema per test. */
class FsckV2PostgresTest extends FsckV2Test {
  @RegisterExtension static final PostgresPerClass PG = new PostgresPerClass();
  private String schema;


  @Override MetadataStore openMeta(QuotaPolicy q) throws Exception {
    schema = PG.server().newSchema();
    return MetadataStores.openPostgres(PG.server().url(schema), PostgresServer.USER, null, 3, 5000, q::quotaFor, clock::get);
  }

  @Override Connection db() throws Exception {
    return DriverManager.getConnection(PG.server().url(schema), PostgresServer.USER, "");
  }
}
