package dropbox.storage;

import dropbox.bus.QuotaPolicy;
import dropbox.storage.meta.MetadataStore;
import dropbox.storage.meta.MetadataStores;
import dropbox.testing.PostgresPerClass;
import dropbox.testing.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Everything StorageServiceV2InlineTest proves (inline content in a BYTEA column), on a real PostgreSQL. */
class StorageServiceV2InlinePostgresTest extends StorageServiceV2InlineTest {
  @RegisterExtension static final PostgresPerClass PG = new PostgresPerClass();
  private String schema;

  @Override MetadataStore openMeta(QuotaPolicy quotas) throws Exception {
    if (schema == null) schema = PG.server().newSchema(); // a reopen keeps the database
    return MetadataStores.openPostgres(PG.server().url(schema), PostgresServer.USER, null, 6, 5000, quotas::quotaFor, clock::get);
  }

  @Override Connection db() throws Exception {
    return DriverManager.getConnection(PG.server().url(schema), PostgresServer.USER, null);
  }
}
