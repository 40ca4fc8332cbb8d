package dropbox.storage.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The MetadataStore contract on SQLite: a dropbox.db in a fresh temp dir per test. */
class SqliteMetadataStoreTest extends MetadataStoreContract {
  @TempDir Path dir;
  Path db;

  @Override void createDatabase() {
    db = dir.resolve(MetadataStores.SQLITE_FILE);
  }

  @Override MetadataStore openStore() {
    return MetadataStores.openSqlite(db, 4, 10_000, this::quotaFor, clock::get);
  }

  @Override Connection raw() throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + db);
  }

  @Test
  void theDatabaseIsDurableWalOwnerOnlyAndChecksForeignKeys() throws Exception {
    put("f", 1, sha(1));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(db)));
    Transactions tx = ((JdbcMetadataStore) store).transactions();
    for (boolean write : new boolean[] {true, false}) {
      Transactions.Work<String> pragmas = c -> pragma(c, "journal_mode") + " " + pragma(c, "synchronous") + " "
          + pragma(c, "foreign_keys") + " " + pragma(c, "busy_timeout");
      // The writer commits with synchronous 1 = NORMAL and GroupCommit fsyncs the WAL before a durable write
      // returns (GroupCommitTest proves the wait); readers keep 2 = FULL.
      assertEquals(write ? "wal 1 1 10000" : "wal 2 1 10000", write ? tx.write(pragmas) : tx.read(pragmas));
    }
  }

  static String pragma(Connection c, String name) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA " + name)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
