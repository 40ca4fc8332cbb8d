package dropbox.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A full disk recognised in the failures the JDK and SQLite really raise for it. */
class StorageFullTest {
  @TempDir Path dir;

  @Test
  void aWriteIntoAFullDeviceIsStorageFull() {
    IOException e = assertThrows(IOException.class, () -> {
      try (FileOutputStream out = new FileOutputStream("/dev/full")) {
        out.write(new byte[4096]);
        out.getFD().sync();
      }
    });
    assertTrue(StorageFull.causedBy(e), e.toString());
    assertTrue(StorageFull.causedBy(new UncheckedIOException(e)), "wrapped");
    StorageException answer = StorageFull.report(e);
    assertEquals(ErrorCode.STORAGE_FULL, answer.code());
    assertEquals("Storage full", answer.getMessage());
  }

  @Test
  void sqliteRunningOutOfPagesIsStorageFull() throws Exception {
    // max_page_count makes SQLite meet its SQLITE_FULL exactly as on a full disk.
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("t.db"));
         Statement s = c.createStatement()) {
      s.execute("PRAGMA max_page_count = 8");
      s.execute("CREATE TABLE t (b BLOB)");
      SQLException e = assertThrows(SQLException.class, () -> {
        for (int i = 0; i < 100; i++) s.execute("INSERT INTO t VALUES (zeroblob(4096))");
      });
      assertTrue(StorageFull.causedBy(e), e.toString());
    }
  }

  @Test
  void otherFailuresAreNot() {
    assertFalse(StorageFull.causedBy(new AccessDeniedException("/srv/dropbox/blobs/x")));
    assertFalse(StorageFull.causedBy(new IOException("Input/output error")));
    assertFalse(StorageFull.causedBy(new SQLException("database is locked", null, 5)));
    assertFalse(StorageFull.causedBy(new SQLException("syntax error", "42601", 13))); // PostgreSQL, not SQLite
    assertTrue(StorageFull.causedBy(new SQLException("could not extend file", "53100"))); // PostgreSQL's disk_full
  }
}
