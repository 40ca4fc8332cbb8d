package dropbox.storage.meta;

import dropbox.bus.ErrorCode;
import dropbox.bus.StorageException;
import dropbox.bus.StorageFull;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One storage command's wait for the fsync of its commits, moved past the release of its locks.
 *
 * <p>Profiled on 32 HTTP PUTs of 4 KiB into one account: every upload held the user lock through its WAL
 * fsync ({@link GroupCommit#awaitDurable}), so the account's uploads went one fsync after another and
 * group commit never had two of them to share a flush; more worker threads made it slower, not faster.
 * Inside a scope opened by the command's runner, a durable commit returns as soon as it is committed
 * (visible, in the WAL in the page cache: a killed process loses nothing), the command releases its locks,
 * and the runner calls {@link #await()} before it answers. So still nothing is acknowledged before it is on
 * disk, and the next upload of that account commits while this one's fsync runs; one fsync covers them.
 *
 * <p>Why that is safe: the WAL is one sequence, so a later commit is never durable without every earlier
 * one, and whoever saw this commit and committed something after it waits for a flush that covers both. It
 * is the same window GroupCommit already opened to readers (a change visible for the few milliseconds of
 * its fsync before it is acknowledged). Change events still wait for the fsync ({@link #afterDurable}).
 * Outside a scope (recovery, the sweeper, sign-ups, tests) a durable commit waits for its fsync before it
 * returns, as before; so do PostgreSQL's commits, which flush inside COMMIT.
 */
public final class DeferredSync implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DeferredSync.class);
  private static final ThreadLocal<DeferredSync> OPEN = new ThreadLocal<>();

  /** The store whose WAL holds this command's commits, and the last batch it committed in (0: none). */
  private GroupCommit group;
  private long batch;
  /** What the command announces about its commits (change events), held back until they are on disk. */
  private final List<Runnable> afterDurable = new ArrayList<>(1);

  private DeferredSync() { }

  /** Opens the scope of one command on the calling (worker) thread; close it on the same thread. */
  public static DeferredSync open() {
    if (OPEN.get() != null) throw new IllegalStateException("a command's sync scope is already open on this thread");
    DeferredSync s = new DeferredSync();
    OPEN.set(s);
    return s;
  }

  /**
   * From GroupCommit, once a durable batch committed: true if this thread's command waits for its fsync
   * later (in {@link #await()}), false if there is no scope and the caller must wait now.
   */
  static boolean defer(GroupCommit group, long batch) throws SQLException {
    DeferredSync s = OPEN.get();
    if (s == null) return false;
    if (s.group != null && s.group != group) s.flush(); // another database (not seen in one node): one at a time
    s.group = group;
    s.batch = Math.max(s.batch, batch);
    return true;
  }

  /**
   * Runs announce once this thread's command has its commits on disk: at once outside a scope or when the
   * command committed nothing durable yet, else after its fsync. So a change event is never sent before
   * the change is durable, as before the fsync moved out of the locks. Dropped if that fsync fails (the
   * command fails; without the scope it failed before announcing anything too).
   */
  public static void afterDurable(Runnable announce) {
    DeferredSync s = OPEN.get();
    if (s == null || s.group == null) {
      announce.run();
    } else {
      s.afterDurable.add(announce);
    }
  }

  /**
   * Returns once every commit the command made is on disk, then sends what it announced; call it after the
   * command released its locks and before it answers. A failed fsync is the command's failure (INTERNAL),
   * as it was without the scope.
   */
  public void await() {
    try {
      flush();
    } catch (SQLException e) {
      afterDurable.clear();
      if (StorageFull.causedBy(e)) throw StorageFull.report(e);
      LOG.error("metadata database failure", e);
      throw StorageException.of(ErrorCode.INTERNAL, "Storage error");
    }
    announce();
  }

  /**
   * Ends the scope. A command that failed after it committed something did not await it: wait here all
   * the same (its answer is a failure, but what it committed stays committed), so no command leaves its
   * worker with a commit that is not yet on disk.
   */
  @Override public void close() {
    OPEN.remove();
    try {
      flush();
      announce();
    } catch (SQLException e) {
      afterDurable.clear();
      LOG.error("metadata database failure after a failed command", e);
    }
  }

  private void announce() {
    for (Runnable r : afterDurable) r.run();
    afterDurable.clear();
  }

  private void flush() throws SQLException {
    if (group == null) return;
    GroupCommit g = group;
    long n = batch;
    group = null;
    batch = 0;
    g.awaitDurable(n);
  }
}
