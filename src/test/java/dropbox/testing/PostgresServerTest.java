package dropbox.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The test PostgreSQL: it fails loudly without binaries, and leaves nothing behind when stopped. */
class PostgresServerTest {
  @TempDir Path dir;

  @Test
  void missingPostgresqlIsAFailureThatSaysWhatToInstall() throws Exception {
    Files.createDirectories(dir.resolve("15/bin")); // a version folder without initdb
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> PostgresServer.findBinaries(dir));
    assertTrue(e.getMessage().contains("apt-get install -y postgresql"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> PostgresServer.findBinaries(dir.resolve("none")));
  }

  @Test
  void aRealServerAnswersAndIsGoneAfterClose() throws Exception {
    int port;
    Path home;
    try (PostgresServer pg = PostgresServer.start()) {
      port = pg.port();
      home = pg.directory();
      assertTrue(Files.isDirectory(home.resolve("data")));
      String schema = pg.newSchema();
      try (Connection c = DriverManager.getConnection(pg.url(schema), PostgresServer.USER, "");
           Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW server_encoding")) {
        rs.next();
        assertEquals("UTF8", rs.getString(1));
      }
    }
    assertTrue(!Files.exists(home), "its directory is removed");
    // Stopped: nothing listens on its port any more.
    try (java.net.ServerSocket free = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
      assertEquals(port, free.getLocalPort());
    }
  }
}
