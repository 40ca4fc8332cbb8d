package dropbox.storage.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.concurrent.atomic.AtomicInteger;
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
  final Flushes flushes = new Flushes();

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
    GroupCommit g = new GroupCommit(ds, 30_000, flushes);
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
    GroupCommit g = new GroupCommit(ds, 30_000, flushes);
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
    GroupCommit g = new GroupCommit(ds, 300, flushes);
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

  /** A durable write is committed (visible) at once but returns only after a WAL fsync that began after it. */
  @Test
  void aDurableWriteReturnsOnlyAfterTheWalFsyncThatCoversIt() throws Exception {
    GroupCommit g = new GroupCommit(ds, 30_000, flushes);
    flushes.hold();
    Future<Object> a = pool.submit(() -> g.run(c -> insert(c, "a"), true));
    waitFor(() -> keys("1").equals(List.of("a")));
    heldUntilTheFsyncCompletes(a, "acknowledged before its fsync completed");
    assertEquals("a", a.get(30, TimeUnit.SECONDS));
    assertEquals(1, flushes.done.get());
  }

  /** Pipelined: the next batch is written while the previous one's fsync runs, and needs an fsync of its own. */
  @Test
  void theNextBatchCommitsWhileAnFsyncRunsAndIsCoveredByTheNextOne() throws Exception {
    GroupCommit g = new GroupCommit(ds, 30_000, flushes);
    flushes.hold();
    Future<Object> a = pool.submit(() -> g.run(c -> insert(c, "a"), true));
    waitFor(() -> flushes.started.get() == 1);
    Future<Object> b = pool.submit(() -> g.run(c -> insert(c, "b"), true));
    waitFor(() -> keys("1").equals(List.of("a", "b"))); // b committed though a's fsync has not returned
    assertFalse(a.isDone());
    assertFalse(b.isDone());
    flushes.open();
    assertEquals("a", a.get(30, TimeUnit.SECONDS));
    assertEquals("b", b.get(30, TimeUnit.SECONDS));
    assertEquals(2, flushes.done.get(), "b's frames came after the first fsync began: a second one covers them");
  }

  @Test
  void aVolatileWriteDoesNotWaitForAnFsync() throws Exception {
    GroupCommit g = new GroupCommit(ds, 30_000, flushes);
    flushes.hold();
    assertEquals("v", pool.submit(() -> g.run(c -> insert(c, "v"), false)).get(30, TimeUnit.SECONDS));
    assertEquals(0, flushes.started.get());
    flushes.open();
  }

  @Test
  void aFailedFsyncIsTheWritersFailureAndTheNextWriteSyncsAgain() throws Exception {
    flushes.failNext.set(true);
    GroupCommit g = new GroupCommit(ds, 30_000, flushes);
    SQLException e = assertThrows(SQLException.class, () -> g.run(c -> insert(c, "x"), true));
    assertTrue(e.getMessage().contains("fsync"), e.getMessage());
    assertEquals("y", g.run(c -> insert(c, "y"), true));
    assertEquals(2, flushes.started.get());
  }

  /**
   * In a command's DeferredSync scope a durable write returns once committed (so the command can release
   * its locks) and the command's await() is what waits for the fsync that covers it.
   */
  @Test
  void inACommandScopeTheCommitReturnsFirstAndAwaitWaitsForItsFsync() throws Exception {
    GroupCommit g = new GroupCommit(ds, 30_000, flushes);
    flushes.hold();
    CountDownLatch committed = new CountDownLatch(1);
    Future<Object> command = pool.submit(() -> {
      try (DeferredSync sync = DeferredSync.open()) {
        Object v = g.run(c -> insert(c, "a"), true);
        committed.countDown();
        sync.await();
        return v;
      }
    });
    assertTrue(committed.await(30, TimeUnit.SECONDS), "the commit waited for its fsync inside the scope");
    assertEquals(List.of("a"), keys("1"));
    heldUntilTheFsyncCompletes(command, "answered before its fsync completed");
    assertEquals("a", command.get(30, TimeUnit.SECONDS));
    assertEquals(1, flushes.done.get());
  }

  /** A command that fails after it committed never awaited: closing its scope still waits for the fsync. */
  @Test
  void closingTheScopeOfAFailedCommandStillWaitsForItsFsync() throws Exception {
    GroupCommit g = new GroupCommit(ds, 30_000, flushes);
    flushes.hold();
    Future<Object> command = pool.submit(() -> {
      try (DeferredSync sync = DeferredSync.open()) {
        g.run(c -> insert(c, "a"), true);
        throw new IllegalStateException("failed after its commit");
      }
    });
    heldUntilTheFsyncCompletes(command, "left its worker before its commit was on disk");
    Exception e = assertThrows(Exception.class, () -> command.get(30, TimeUnit.SECONDS));
    assertInstanceOf(IllegalStateException.class, e.getCause());
    assertEquals(1, flushes.done.get());
    // The scope is gone from the thread: a write outside any scope waits for its own fsync again.
    assertEquals("b", pool.submit(() -> g.run(c -> insert(c, "b"), true)).get(30, TimeUnit.SECONDS));
    assertEquals(2, flushes.done.get());
  }

  /** A change event announced after a durable commit goes out only once that commit's fsync is done. */
  @Test
  void whatACommandAnnouncesWaitsForItsFsyncAndIsDroppedIfTheFsyncFails() throws Exception {
    GroupCommit g = new GroupCommit(ds, 30_000, flushes);
    List<String> sent = java.util.Collections.synchronizedList(new ArrayList<>());
    DeferredSync.afterDurable(() -> sent.add("no scope")); // nothing to wait for: at once
    assertEquals(List.of("no scope"), sent);
    flushes.hold();
    CountDownLatch announced = new CountDownLatch(1);
    Future<Object> command = pool.submit(() -> {
      try (DeferredSync sync = DeferredSync.open()) {
        DeferredSync.afterDurable(() -> sent.add("before any commit")); // nothing committed yet: at once
        g.run(c -> insert(c, "a"), true);
        DeferredSync.afterDurable(() -> sent.add("uploaded a"));
        announced.countDown();
        sync.await();
        return null;
      }
    });
    assertTrue(announced.await(30, TimeUnit.SECONDS));
    Thread.sleep(200);
    assertEquals(List.of("no scope", "before any commit"), sent, "an event went out before its fsync");
    flushes.open();
    command.get(30, TimeUnit.SECONDS);
    assertEquals(List.of("no scope", "before any commit", "uploaded a"), sent);

    flushes.failNext.set(true);
    try (DeferredSync sync = DeferredSync.open()) {
      g.run(c -> insert(c, "b"), true);
      DeferredSync.afterDurable(() -> sent.add("uploaded b"));
      assertThrows(dropbox.bus.StorageException.class, sync::await);
    }
    assertEquals(3, sent.size(), "announced although its fsync failed: " + sent);
  }

  /** The fsync awaited by a command fails: that command fails INTERNAL, as a commit waiting for it would. */
  @Test
  void aFailedFsyncAwaitedByACommandIsItsInternalFailure() throws Exception {
    flushes.failNext.set(true);
    GroupCommit g = new GroupCommit(ds, 30_000, flushes);
    try (DeferredSync sync = DeferredSync.open()) {
      g.run(c -> insert(c, "x"), true);
      dropbox.bus.StorageException e = assertThrows(dropbox.bus.StorageException.class, sync::await);
      assertEquals(dropbox.bus.ErrorCode.INTERNAL, e.code());
    }
    assertThrows(IllegalStateException.class, () -> {
      try (DeferredSync outer = DeferredSync.open(); DeferredSync inner = DeferredSync.open()) {
        // a second scope on one thread would let the outer one answer before the inner one's fsync
      }
    });
  }

  /** The real WAL fsync (GroupCommit.walOf) of this test's database, observable and holdable. */
  final class Flushes implements GroupCommit.WalFlush {
    final AtomicInteger started = new AtomicInteger();
    final AtomicInteger done = new AtomicInteger();
    final java.util.concurrent.atomic.AtomicBoolean failNext = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile CountDownLatch gate = new CountDownLatch(0);

    void hold() { gate = new CountDownLatch(1); }

    void open() { gate.countDown(); }

    @Override public void flush() throws java.io.IOException {
      started.incrementAndGet();
      if (failNext.getAndSet(false)) throw new java.io.IOException("disk gone");
      await(gate);
      GroupCommit.walOf(dir.resolve("g.db")).flush();
      done.incrementAndGet();
    }
  }

  /** With the first fsync held: the caller is still waiting on it 200 ms later; then the fsync completes. */
  private void heldUntilTheFsyncCompletes(Future<?> caller, String ifDone) throws Exception {
    waitFor(() -> flushes.started.get() == 1);
    Thread.sleep(200);
    assertFalse(caller.isDone(), ifDone);
    flushes.open();
  }

  private static void waitFor(java.util.concurrent.Callable<Boolean> cond) throws Exception {
    for (int i = 0; i < 3000 && !cond.call(); i++) Thread.sleep(10);
    assertTrue(cond.call(), "condition not reached in 30 s");
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
