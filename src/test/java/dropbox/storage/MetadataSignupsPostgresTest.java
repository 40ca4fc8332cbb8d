package dropbox.storage;

import dropbox.auth.SignupRepository;
import dropbox.auth.SignupRepositoryContract;
import dropbox.storage.meta.MetadataStore;
import dropbox.storage.meta.MetadataStores;
import dropbox.testing.PostgresPerClass;
import dropbox.testing.PostgresServer;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.BeforeEach;

/** The sign-up contract on a real PostgreSQL: each opened repository is its own pool, like another node. */
class MetadataSignupsPostgresTest extends SignupRepositoryContract {
  @RegisterExtension static final PostgresPerClass PG = new PostgresPerClass();
  String schema;


  @BeforeEach
  void freshSchema() throws Exception {
    schema = PG.server().newSchema();
  }

  @Override protected SignupRepository openRepository() {
    MetadataStore m = MetadataStores.openPostgres(PG.server().url(schema), PostgresServer.USER, null, 3, 10_000,
        u -> 1_000_000L, System::currentTimeMillis);
    opened.add(m);
    return new MetadataSignups(m, "PostgreSQL");
  }

  @Override protected SignupRepository forAccounts() {
    return openRepository();
  }
}
