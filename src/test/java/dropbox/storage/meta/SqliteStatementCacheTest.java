package dropbox.storage.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/** The statement cache on SQLite: a dropbox.db in a fresh temp dir per test, in WAL mode as the server has it. */
class SqliteStatementCacheTest extends StatementCacheContract {
  @TempDir Path dir;
  Path db;

  @Override void createDatabase() {
    db = dir.resolve(MetadataStores.SQLITE_FILE);
  }

  @Override MetadataStore openStore() {
    return MetadataStores.openSqlite(db, 1, 10_000, user -> 1_000_000, System::currentTimeMillis);
  }

  @Override DataSource driver() {
    SQLiteConfig cfg = new SQLiteConfig();
    cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
    cfg.setBusyTimeout(10_000);
    SQLiteDataSource ds = new SQLiteDataSource(cfg);
    ds.setUrl("jdbc:sqlite:" + db);
    return ds;
  }

  /**
   * No reader holds an old snapshot: a TRUNCATE checkpoint copies the whole WAL back and empties it (a
   * statement left mid-result would pin its WAL frames, and the checkpoint would report busy).
   */
  @Override void afterMidResultReads() throws Exception {
    try (Connection c = driver().getConnection(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
      rs.next();
      assertEquals("0 0", rs.getInt(1) + " " + rs.getInt(2), "busy, frames left in the WAL");
    }
  }
}
