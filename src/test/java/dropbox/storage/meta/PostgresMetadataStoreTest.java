package dropbox.storage.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dropbox.testing.PostgresPerClass;
import dropbox.testing.PostgresServer;
import org.junit.jupiter.api.extension.RegisterExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * The MetadataStore contract on a real PostgreSQL (dropbox.testing.PostgresServer): one server for the
 * class, a fresh schema per test (the store's connections get it as their search_path).
 */
class PostgresMetadataStoreTest extends MetadataStoreContract {
  @RegisterExtension static final PostgresPerClass PG = new PostgresPerClass();
  String schema;


  @Override void createDatabase() throws SQLException {
    schema = PG.server().newSchema();
  }

  @Override MetadataStore openStore() {
    return MetadataStores.openPostgres(PG.server().url(schema), PostgresServer.USER, null, 6, 10_000,
        this::quotaFor, clock::get);
  }

  @Override Connection raw() throws SQLException {
    return DriverManager.getConnection(PG.server().url(schema), PostgresServer.USER, "");
  }

  @Test
  void nodesStartingTogetherMigrateOnce() throws Exception {
    String fresh = PG.server().newSchema();
    var pool = java.util.concurrent.Executors.newFixedThreadPool(3);
    try {
      java.util.List<java.util.concurrent.Future<MetadataStore>> opening = new java.util.ArrayList<>();
      for (int i = 0; i < 3; i++) {
        opening.add(pool.submit(() -> MetadataStores.openPostgres(PG.server().url(fresh), PostgresServer.USER, null, 2,
            10_000, this::quotaFor, clock::get)));
      }
      for (var f : opening) f.get(120, java.util.concurrent.TimeUnit.SECONDS).close();
    } finally {
      pool.shutdownNow();
    }
    try (Connection c = DriverManager.getConnection(PG.server().url(fresh), PostgresServer.USER, "");
         Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM flyway_schema_history WHERE success AND version IS NOT NULL")) {
      rs.next();
      assertEquals(MetadataStoreContract.migrationFiles("postgresql"), rs.getInt(1));
    }
  }

  @Test
  void namesUseByteOrderCollation() throws SQLException {
    try (Connection c = raw(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT collation_name FROM information_schema.columns "
             + "WHERE table_schema = '" + schema + "' AND table_name = 'nodes' AND column_name IN ('name', 'walk_key')")) {
      int n = 0;
      while (rs.next()) {
        assertEquals("C", rs.getString(1));
        n++;
      }
      assertEquals(2, n);
    }
  }
}
