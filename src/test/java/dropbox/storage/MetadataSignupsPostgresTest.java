package dropbox.storage;

import dropbox.auth.SignupRepository;
import dropbox.auth.SignupRepositoryContract;
import dropbox.storage.meta.MetadataStore;
import dropbox.storage.meta.MetadataStores;
import dropbox.testing.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** The sign-up contract on a real PostgreSQL: each opened repository is its own pool, like another node. */
class MetadataSignupsPostgresTest extends SignupRepositoryContract {
  static PostgresServer pg;
  String schema;

  @BeforeAll
  static void startServer() throws Exception {
    pg = PostgresServer.start();
  }

  @AfterAll
  static void stopServer() {
    if (pg != null) pg.close();
  }

  @BeforeEach
  void freshSchema() throws Exception {
    schema = pg.newSchema();
  }

  @Override protected SignupRepository openRepository() {
    MetadataStore m = MetadataStores.openPostgres(pg.url(schema), PostgresServer.USER, null, 3, 10_000,
        u -> 1_000_000L, System::currentTimeMillis);
    opened.add(m);
    return new MetadataSignups(m, "PostgreSQL");
  }

  @Override protected SignupRepository forAccounts() {
    return openRepository();
  }
}
