package dropbox.storage.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The per-connection statement cache (StatementCache, used by Sql) on a real database, run by a subclass for
 * each: through a real MetadataStore's pools (one reader connection, so every read reuses the same physical
 * connection) and through a Hikari pool set up as MetadataStores sets its pools up.
 */
abstract class StatementCacheContract {
  static final String ROWS = "SELECT id FROM cache_t WHERE id > ? ORDER BY id";
  static final String COUNT = "SELECT COUNT(*) FROM cache_t";

  MetadataStore store;
  Transactions tx;

  /** Makes an empty database for this test. */
  abstract void createDatabase() throws Exception;

  /** A store on this test's database with one reader connection (and, SQLite, its one writer). */
  abstract MetadataStore openStore();

  /** The driver's own DataSource for this test's database (unpooled, no cache). */
  abstract DataSource driver();

  @BeforeEach
  void setUp() throws Exception {
    createDatabase();
    store = openStore();
    tx = ((JdbcMetadataStore) store).transactions();
    tx.write(c -> Sql.update(c, "CREATE TABLE cache_t (id BIGINT PRIMARY KEY)"));
    tx.write(c -> {
      for (long i = 1; i <= 5; i++) Sql.update(c, "INSERT INTO cache_t (id) VALUES (?)", i);
      return null;
    });
  }

  @AfterEach
  void tearDown() {
    if (store != null) store.close();
  }

  /** The driver's statement behind what Sql.prepare handed out. */
  static PreparedStatement compiled(PreparedStatement ps) throws SQLException {
    return ps.unwrap(PreparedStatement.class);
  }

  long readLong(String sql, Object... args) {
    return tx.read(c -> Sql.queryLong(c, sql, -1, args));
  }

  PreparedStatement compiledOnRead(String sql) {
    return tx.read(c -> {
      try (PreparedStatement ps = Sql.prepare(c, sql, 0L); ResultSet rs = ps.executeQuery()) {
        assertTrue(rs.next());
        return compiled(ps);
      }
    });
  }

  @Test
  void theSameSqlOnTheSameConnectionReusesItsCompiledStatement() {
    PreparedStatement first = compiledOnRead(ROWS);
    PreparedStatement again = compiledOnRead(ROWS);
    assertSame(first, again);
    assertEquals(5, readLong(COUNT));
    assertEquals(5, readLong(COUNT), "reused, with its result read afresh");
    // Parameters are bound afresh: the reused statement answers for the new ones.
    assertEquals(4, readLong("SELECT COUNT(*) FROM cache_t WHERE id > ?", 1L));
    assertEquals(1, readLong("SELECT COUNT(*) FROM cache_t WHERE id > ?", 4L));
  }

  @Test
  void theSameSqlUsedInsideItsOwnOpenResultSetGetsASecondStatement() throws Exception {
    List<Long> outer = new ArrayList<>();
    List<Long> inner = new ArrayList<>();
    PreparedStatement[] both = tx.read(c -> {
      try (PreparedStatement a = Sql.prepare(c, ROWS, 0L); ResultSet rs = a.executeQuery()) {
        PreparedStatement second = null;
        while (rs.next()) {
          long id = rs.getLong(1);
          outer.add(id);
          try (PreparedStatement b = Sql.prepare(c, ROWS, id); ResultSet next = b.executeQuery()) {
            inner.add(next.next() ? next.getLong(1) : -1);
            second = compiled(b);
          }
        }
        return new PreparedStatement[] {compiled(a), second};
      }
    });
    // Had the inner query re-run the outer's statement, the outer walk would have been cut short or repeated.
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), outer);
    assertEquals(List.of(2L, 3L, 4L, 5L, -1L), inner);
    assertNotSame(both[0], both[1]);
    // Both went back; one is kept for the SQL, the other closed, not leaked.
    assertTrue(both[0].isClosed() != both[1].isClosed());
    PreparedStatement kept = both[0].isClosed() ? both[1] : both[0];
    assertSame(kept, compiledOnRead(ROWS));
  }

  @Test
  void aStatementGivenBackCannotBeUsedThroughTheOldHandle() {
    tx.read(c -> {
      PreparedStatement old = Sql.prepare(c, COUNT);
      PreparedStatement compiled = compiled(old);
      old.close();
      assertTrue(old.isClosed());
      try (PreparedStatement next = Sql.prepare(c, COUNT)) {
        assertSame(compiled, compiled(next)); // given back: the next caller has it now
        SQLException e = assertThrows(SQLException.class, old::executeQuery);
        assertEquals("statement closed", e.getMessage());
        assertThrows(SQLException.class, () -> old.setLong(1, 1));
        old.close(); // a second close gives nothing back twice
        try (PreparedStatement third = Sql.prepare(c, COUNT)) {
          assertNotSame(compiled, compiled(third));
        }
        try (ResultSet rs = next.executeQuery()) {
          assertTrue(rs.next());
          assertEquals(5, rs.getLong(1));
        }
      }
      return null;
    });
  }

  /**
   * The snapshot rule: a statement given back with its ResultSet still open (closing the statement closes
   * its ResultSet, in plain JDBC) must be reset, else SQLite keeps that read's snapshot open on the pooled
   * connection and its next reads miss newer commits.
   */
  @Test
  void aPooledReaderSeesRowsCommittedAfterACachedStatementWasGivenBackMidResult() throws Exception {
    for (int round = 0; round < 2; round++) {
      PreparedStatement used = tx.read(c -> {
        PreparedStatement ps = Sql.prepare(c, ROWS, 0L);
        try (ps) {
          ResultSet rs = ps.executeQuery(); // left open, one row of five read: the statement is mid-result
          assertTrue(rs.next());
          return compiled(ps);
        }
      });
      long id = 100 + round;
      tx.write(c -> Sql.update(c, "INSERT INTO cache_t (id) VALUES (?)", id));
      assertEquals(6 + round, readLong(COUNT), "the new row is seen");
      assertEquals(id, readLong("SELECT MAX(id) FROM cache_t"));
      assertSame(used, compiledOnRead(ROWS), "and the statement was kept for reuse");
    }
    afterMidResultReads();
  }

  /** For the subclass: what else must hold after a mid-result give-back (SQLite: the WAL can be checkpointed). */
  void afterMidResultReads() throws Exception {}

  @Test
  void aFailedStatementIsNotReused() throws SQLException {
    PreparedStatement[] failed = new PreparedStatement[1];
    String insert = "INSERT INTO cache_t (id) VALUES (?)";
    assertThrows(RuntimeException.class, () -> tx.write(c -> {
      try (PreparedStatement ps = Sql.prepare(c, insert, 1L)) {
        failed[0] = compiled(ps);
        return ps.executeUpdate(); // id 1 exists
      }
    }));
    assertTrue(failed[0].isClosed());
    tx.write(c -> Sql.update(c, insert, 6L));
    assertEquals(6, readLong(COUNT));
  }

  @Test
  void aStatementWhoseSettingsTheCallerChangedIsNotReused() throws SQLException {
    PreparedStatement limited = tx.read(c -> {
      try (PreparedStatement ps = Sql.prepare(c, ROWS, 0L)) {
        ps.setMaxRows(2);
        int n = 0;
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) n++;
        }
        assertEquals(2, n);
        return compiled(ps);
      }
    });
    assertTrue(limited.isClosed());
    assertEquals(5, (int) tx.read(c -> {
      try (PreparedStatement ps = Sql.prepare(c, ROWS, 0L); ResultSet rs = ps.executeQuery()) {
        int n = 0;
        while (rs.next()) n++;
        return n;
      }
    }), "the next caller gets all rows");
  }

  @Test
  void eachConnectionKeepsAtMostMaxIdleStatementsLeastRecentlyUsedDroppedAndClosed() {
    int n = StatementCache.MAX_IDLE + 10;
    List<PreparedStatement> first = tx.read(c -> {
      List<PreparedStatement> all = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        try (PreparedStatement ps = Sql.prepare(c, "SELECT id + " + i + " FROM cache_t WHERE id = ?", 1L);
             ResultSet rs = ps.executeQuery()) {
          assertTrue(rs.next());
          assertEquals(1 + i, rs.getLong(1));
          all.add(compiled(ps));
        }
      }
      assertEquals(StatementCache.MAX_IDLE, StatementCache.of(c).idle());
      return all;
    });
    for (int i = 0; i < n; i++) {
      assertEquals(i < 10, isClosed(first.get(i)), "statement " + i);
    }
  }

  @Test
  void statementsOfAConnectionThePoolClosesAreClosedWithIt() throws Exception {
    HikariConfig hc = new HikariConfig();
    hc.setPoolName("cache-test");
    hc.setDataSource(StatementCache.caching(driver()));
    hc.setMaximumPoolSize(1);
    hc.setMinimumIdle(1);
    try (HikariDataSource pool = new HikariDataSource(hc)) {
      Connection physical;
      StatementCache cache;
      PreparedStatement kept;
      try (Connection c = pool.getConnection(); PreparedStatement ps = Sql.prepare(c, COUNT)) {
        physical = c.unwrap(Connection.class);
        cache = StatementCache.of(c);
        assertNotNull(cache);
        kept = compiled(ps);
        try (ResultSet rs = ps.executeQuery()) {
          assertTrue(rs.next());
        }
      }
      assertEquals(1, cache.idle());
      // What Hikari does at maxLifetime (and to a connection it found broken): close it once it is idle.
      pool.getHikariPoolMXBean().softEvictConnections();
      long deadline = System.nanoTime() + 30_000_000_000L; // Hikari closes it on its own closer thread
      while (!physical.isClosed() && System.nanoTime() < deadline) Thread.sleep(10);
      assertTrue(physical.isClosed());
      assertTrue(kept.isClosed());
      assertEquals(0, cache.idle());
      try (Connection c = pool.getConnection(); PreparedStatement ps = Sql.prepare(c, COUNT)) {
        assertNotSame(physical, c.unwrap(Connection.class));
        assertNotSame(cache, StatementCache.of(c));
        assertNotSame(kept, compiled(ps));
        try (ResultSet rs = ps.executeQuery()) {
          assertTrue(rs.next());
          assertEquals(5, rs.getLong(1));
        }
      }
    }
  }

  @Test
  void aConnectionNotFromACachingPoolPreparesAsBefore() throws Exception {
    try (Connection c = driver().getConnection()) {
      assertEquals(null, StatementCache.of(c));
      PreparedStatement ps = Sql.prepare(c, COUNT);
      try (ps; ResultSet rs = ps.executeQuery()) {
        assertTrue(rs.next());
        assertEquals(5, rs.getLong(1));
      }
      assertTrue(ps.isClosed());
      assertFalse(c.isClosed());
    }
  }

  static boolean isClosed(PreparedStatement ps) {
    try {
      return ps.isClosed();
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }
}
