package dropbox.storage;

import dropbox.storage.meta.MetadataStore;
import dropbox.storage.meta.MetadataStores;
import dropbox.testing.PostgresPerClass;
import dropbox.testing.PostgresServer;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Everything V1ImportTest proves, on a real PostgreSQL: one server for the class, a schema per test. */
class V1ImportPostgresTest extends V1ImportTest {
  @RegisterExtension static final PostgresPerClass PG = new PostgresPerClass();
  private String schema;


  @Override MetadataStore openMeta() throws Exception {
    if (schema == null) schema = PG.server().newSchema(); // every "restart" of a test keeps its database
    return MetadataStores.openPostgres(PG.server().url(schema), PostgresServer.USER, null, 6, 5000, quotas::quotaFor, clock::get);
  }
}
