package dropbox.storage.meta;

import dropbox.testing.PostgresPerClass;
import dropbox.testing.PostgresServer;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.ds.PGSimpleDataSource;

/** The statement cache on a real PostgreSQL: one server for the class, a fresh schema per test. */
class PostgresStatementCacheTest extends StatementCacheContract {
  @RegisterExtension static final PostgresPerClass PG = new PostgresPerClass();
  String schema;

  @Override void createDatabase() throws SQLException {
    schema = PG.server().newSchema();
  }

  @Override MetadataStore openStore() {
    return MetadataStores.openPostgres(PG.server().url(schema), PostgresServer.USER, null, 1, 10_000,
        user -> 1_000_000, System::currentTimeMillis);
  }

  @Override DataSource driver() {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(PG.server().url(schema));
    ds.setUser(PostgresServer.USER);
    return ds;
  }
}
