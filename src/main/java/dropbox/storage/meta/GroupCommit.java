package dropbox.storage.meta;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;

/**
 * Group commit for a database with one writer connection (SQLite). Profiled on the small-operation load
 * (4 KiB upload/download/list/delete, 10 clients), the server waited on that connection: every write
 * transaction was one WAL fsync (~4 ms on this disk) and they ran one after another, so the writer, not the
 * CPU, set the rate. Here a writer that finds the connection busy queues its work; whoever gets the
 * connection next (leader/follower, no extra thread) runs everything queued in ONE transaction, each work
 * inside its own SAVEPOINT, and commits once: one fsync for the whole batch.
 *
 * <p>Each work keeps its own outcome: a refusal (any exception) rolls back to its savepoint only, and the
 * others still commit. A failed COMMIT fails the whole batch, which is what each of them would have seen
 * alone. A work's caller returns only after the batch's commit, so nothing is acknowledged before it is
 * durable. Works of one batch see each other's changes in queue order, as they would have one after another.
 *
 * <p>The fsync happens after the write lock is released (pipelined). The writer connection commits with
 * synchronous=NORMAL (WAL frames written, not synced; SQLite stays consistent after a crash, and syncs the
 * WAL itself before every checkpoint), and a durable batch's callers then wait until an fsync of the WAL
 * that started after their commit has completed ({@link #awaitDurable}): one fsync covers every batch
 * committed before it began, and the next batch is written while it runs. Measured on the small-operation
 * load, with the fsync inside the lock (synchronous=FULL) the writer idled through every ~4-8 ms flush and
 * the rate was half of what it was without any fsync. Still nothing is acknowledged before it is durable; a
 * committed change can be seen by readers for the few milliseconds of its fsync before it is acknowledged,
 * which only a power loss or kernel crash in that window could take back (a killed process cannot: the
 * frames are in the page cache). An fsync that fails is the caller's failure (INTERNAL).
 *
 * <p>Volatile works (reservations, which a restart releases anyway) do not wait for the fsync; the next
 * durable batch's fsync covers them too.
 */
final class GroupCommit {
  /** Keeps a batch's transaction (and its WAL growth) bounded when hundreds of writers queue at once. */
  private static final int MAX_BATCH = 128;
  private static final int QUEUED = 0;
  private static final int TAKEN = 1;
  private static final int CANCELLED = 2;

  private final DataSource writes;
  private final long waitMs;
  private final WalFlush walFlush;
  private final ReentrantLock leader = new ReentrantLock();
  private final ConcurrentLinkedQueue<Pending<?>> queue = new ConcurrentLinkedQueue<>();
  /** Durable batches committed so far (written under the leader lock). */
  private final AtomicLong committed = new AtomicLong();
  private final ReentrantLock syncLock = new ReentrantLock();
  private final Condition synced = syncLock.newCondition();
  /** Batches up to this number are on disk (guarded by syncLock); syncing: an fsync is running. */
  private long durable;
  private boolean syncing;

  /** Makes the write-ahead log durable: everything written to it before the call is on disk after it. */
  interface WalFlush {
    void flush() throws IOException;
  }

  /**
   * fsync of the database's -wal file. fsync is per file, not per descriptor, so this flushes what the
   * writer connection wrote. No WAL file: everything was checkpointed into the database file, which SQLite
   * syncs at the end of every checkpoint.
   */
  static WalFlush walOf(Path database) {
    Path wal = database.resolveSibling(database.getFileName() + "-wal");
    return () -> {
      try (FileChannel ch = FileChannel.open(wal, StandardOpenOption.WRITE)) {
        ch.force(false);
      } catch (NoSuchFileException checkpointedAway) {
        // nothing left in a WAL to make durable
      }
    };
  }

  GroupCommit(DataSource writes, long waitMs, WalFlush walFlush) {
    this.writes = writes;
    this.waitMs = waitMs;
    this.walFlush = walFlush;
  }

  <T> T run(Transactions.Work<T> work, boolean durable) throws SQLException {
    Pending<T> p = new Pending<>(work, durable);
    queue.add(p);
    boolean locked;
    try {
      locked = leader.tryLock(waitMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      locked = false;
    }
    if (!locked) {
      // Not taken by any batch yet: drop it, the caller says BUSY and nothing happened. Taken: it is
      // running or committing now, so its outcome is coming and must be the answer.
      if (p.state.compareAndSet(QUEUED, CANCELLED)) {
        queue.remove(p);
        throw new SQLTransientConnectionException("metadata writer busy for " + waitMs + " ms");
      }
      leader.lock();
    }
    try {
      if (!p.done) runBatch();
    } finally {
      leader.unlock();
    }
    // In a command's DeferredSync scope the command waits after releasing its locks; else wait now.
    if (p.durableAs > 0 && p.failure == null && !DeferredSync.defer(this, p.durableAs)) awaitDurable(p.durableAs);
    return p.result();
  }

  /** Returns once batch number seq is on disk: joins the fsync in flight, or runs the next one itself. */
  void awaitDurable(long seq) throws SQLException {
    syncLock.lock();
    try {
      while (durable < seq) {
        if (syncing) {
          synced.awaitUninterruptibly();
          continue;
        }
        syncing = true;
        long covers = committed.get(); // every batch committed so far has its frames in the WAL now
        IOException failed = null;
        syncLock.unlock();
        try {
          walFlush.flush();
        } catch (IOException e) {
          failed = e;
        } finally {
          syncLock.lock();
          syncing = false;
        }
        if (failed == null) durable = Math.max(durable, covers);
        synced.signalAll();
        if (failed != null) throw new SQLException("fsync of the write-ahead log failed", failed);
      }
    } finally {
      syncLock.unlock();
    }
  }

  /** Works waiting for a batch (for tests that line a batch up). */
  int queued() { return queue.size(); }

  /** Under the leader lock: takes what is queued (the caller's own work among it) and commits it once. */
  private void runBatch() {
    List<Pending<?>> batch = new ArrayList<>();
    boolean durable = false;
    for (Pending<?> p; batch.size() < MAX_BATCH && (p = queue.poll()) != null; ) {
      if (!p.state.compareAndSet(QUEUED, TAKEN)) continue; // its caller gave up waiting
      batch.add(p);
      durable |= p.durable;
    }
    if (batch.isEmpty()) return;
    try (Connection c = writes.getConnection()) {
      c.setAutoCommit(false);
      boolean done = false;
      try {
        runAll(c, batch);
        c.commit();
        done = true;
      } finally {
        if (!done) rollbackQuietly(c);
      }
      long seq = durable ? committed.incrementAndGet() : 0;
      for (Pending<?> p : batch) {
        if (p.durable) p.durableAs = seq;
        p.finish();
      }
    } catch (SQLException | RuntimeException | Error e) {
      // The connection or the commit failed: no work of this batch happened.
      for (Pending<?> p : batch) p.fail(e);
    }
  }

  /** One work alone needs no savepoint: its failure rolls back the transaction, which holds only it. */
  private static void runAll(Connection c, List<Pending<?>> batch) throws SQLException {
    if (batch.size() == 1) {
      batch.get(0).runIn(c);
      if (batch.get(0).failure != null) throw new Rollback();
      return;
    }
    for (Pending<?> p : batch) {
      Sql.update(c, "SAVEPOINT w");
      p.runIn(c);
      if (p.failure != null) Sql.update(c, "ROLLBACK TO w");
      Sql.update(c, "RELEASE w");
    }
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // the pool discards a broken connection
    }
  }

  /** The lone work of a batch failed: roll back, then hand it its own failure (not a batch failure). */
  private static final class Rollback extends RuntimeException {
    Rollback() { super(null, null, false, false); }
  }

  private static final class Pending<T> {
    final Transactions.Work<T> work;
    final boolean durable;
    final AtomicInteger state = new AtomicInteger(QUEUED);
    private T value;
    private Throwable failure;
    /** The durable batch it committed in (0: none, or volatile): its caller waits for that batch's fsync. */
    private long durableAs;
    /** Written before the leader lock is released, read after it is taken: the lock orders them. */
    private boolean done;

    Pending(Transactions.Work<T> work, boolean durable) {
      this.work = work;
      this.durable = durable;
    }

    void runIn(Connection c) {
      try {
        value = work.run(c);
      } catch (SQLException | RuntimeException | Error e) {
        failure = e;
      }
    }

    void finish() { done = true; }

    void fail(Throwable e) {
      if (failure == null && !(e instanceof Rollback)) failure = e;
      value = null;
      done = true;
    }

    T result() throws SQLException {
      if (failure instanceof SQLException e) throw e;
      if (failure instanceof RuntimeException e) throw e;
      if (failure instanceof Error e) throw e;
      return value;
    }
  }
}
