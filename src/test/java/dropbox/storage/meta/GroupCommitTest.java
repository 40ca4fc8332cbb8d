package dropbox.storage.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/** Group commit on a real SQLite file: batches share one transaction, yet each work keeps its own outcome. */
class GroupCommitTest {
  @TempDir Path dir;
  SQLiteDataSource ds;
  ExecutorService pool = Executors.newCachedThreadPool();

  @BeforeEach void open() throws SQLException {
    SQLiteConfig cfg = new SQLiteConfig();
    cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
    cfg.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    cfg.setBusyTimeout(10_000);
    ds = new SQLiteDataSource(cfg);
    ds.setUrl("jdbc:sqlite:" + dir.resolve("g.db"));
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (k TEXT PRIMARY KEY)");
    }
  }

  @AfterEach void stop() { pool.shutdownNow(); }

  @Test
  void everyConcurrentWriteCommitsOnceAndIsVisibleWhenItReturns() throws Exception {
    GroupCommit g = new GroupCommit(ds, 30_000);
    List<Future<?>> all = new ArrayList<>();
    for (int t = 0; t < 16; t++) {
      int thread = t;
      all.add(pool.submit(() -> {
        for (int i = 0; i < 40; i++) {
          String k = thread + "-" + i;
          g.run(c -> insert(c, k), true);
          assertEquals(List.of(k), keys("k = '" + k + "'")); // committed: another connection sees it
        }
        return null;
      }));
    }
    for (Future<?> f : all) f.get(60, TimeUnit.SECONDS);
    assertEquals(640, keys("1").size());
  }

  @Test
  void aRefusedWorkRollsBackAloneWhileItsBatchCommits() throws Exception {
    GroupCommit g = new GroupCommit(ds, 30_000);
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    // The first work holds the connection, so the next three queue up and run as one batch after it.
    Future<Object> first = pool.submit(() -> g.run(c -> {
      holding.countDown();
      await(release);
      return insert(c, "a");
    }, true));
    holding.await();
    Future<Object> b = pool.submit(() -> g.run(c -> insert(c, "b"), true));
    awaitQueued(g, 1);
    Future<Object> refused = pool.submit(() -> g.run(c -> {
      insert(c, "c");
      throw new IllegalStateException("refused");
    }, true));
    awaitQueued(g, 2);
    Future<Object> duplicate = pool.submit(() -> g.run(c -> insert(c, "b"), true)); // after b: a unique violation
    awaitQueued(g, 3);
    Future<Object> d = pool.submit(() -> g.run(c -> insert(c, "d"), true));
    awaitQueued(g, 4);
    release.countDown();

    assertEquals("a", first.get(30, TimeUnit.SECONDS));
    assertEquals("b", b.get(30, TimeUnit.SECONDS));
    assertEquals("d", d.get(30, TimeUnit.SECONDS));
    var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> refused.get(30, TimeUnit.SECONDS));
    assertInstanceOf(IllegalStateException.class, e.getCause());
    var dup = assertThrows(java.util.concurrent.ExecutionException.class, () -> duplicate.get(30, TimeUnit.SECONDS));
    assertTrue(Dialect.SQLITE.isUniqueViolation((SQLException) dup.getCause()), dup.getCause().toString());
    assertEquals(List.of("a", "b", "d"), keys("1"));
  }

  @Test
  void aWriterThatWaitsTooLongIsBusyAndItsWorkNeverRuns() throws Exception {
    GroupCommit g = new GroupCommit(ds, 300);
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Future<Object> first = pool.submit(() -> g.run(c -> {
      holding.countDown();
      await(release);
      return insert(c, "a");
    }, true));
    holding.await();
    assertThrows(SQLTransientConnectionException.class, () -> g.run(c -> insert(c, "late"), true));
    assertEquals(0, g.queued());
    release.countDown();
    first.get(30, TimeUnit.SECONDS);
    g.run(c -> insert(c, "after"), true); // the next batch holds only this one
    assertEquals(List.of("a", "after"), keys("1"));
  }

  @Test
  void onlyABatchOfVolatileWorksSkipsTheFsync() throws Exception {
    GroupCommit g = new GroupCommit(ds, 30_000);
    assertEquals("1", g.run(c -> SqliteMetadataStoreTest.pragma(c, "synchronous"), false)); // NORMAL
    assertEquals("2", g.run(c -> SqliteMetadataStoreTest.pragma(c, "synchronous"), true));  // FULL
    assertEquals("1", g.run(c -> SqliteMetadataStoreTest.pragma(c, "synchronous"), false));
  }

  private static void await(CountDownLatch l) {
    try {
      l.await();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void awaitQueued(GroupCommit g, int n) throws InterruptedException {
    for (int i = 0; i < 3000 && g.queued() < n; i++) Thread.sleep(10);
    assertEquals(n, g.queued());
  }

  private static String insert(Connection c, String k) throws SQLException {
    Sql.update(c, "INSERT INTO t (k) VALUES (?)", k);
    return k;
  }

  private List<String> keys(String where) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(ds.getUrl()); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT k FROM t WHERE " + where + " ORDER BY k")) {
      while (rs.next()) out.add(rs.getString(1));
    }
    return out;
  }
}
