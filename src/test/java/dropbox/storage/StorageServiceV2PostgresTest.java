package dropbox.storage;

import dropbox.bus.QuotaPolicy;
import dropbox.storage.meta.MetadataStore;
import dropbox.storage.meta.MetadataStores;
import dropbox.testing.PostgresPerClass;
import dropbox.testing.PostgresServer;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Everything StorageServiceV2Test proves, on a real PostgreSQL: one server for the class, a schema per test. */
class StorageServiceV2PostgresTest extends StorageServiceV2Test {
  @RegisterExtension static final PostgresPerClass PG = new PostgresPerClass();
  private String schema;


  @Override MetadataStore openMeta(QuotaPolicy quotas) throws Exception {
    if (schema == null) schema = PG.server().newSchema(); // a reopen (the recovery test) keeps the database
    return MetadataStores.openPostgres(PG.server().url(schema), PostgresServer.USER, null, 6, 5000, quotas::quotaFor, clock::get);
  }
}
