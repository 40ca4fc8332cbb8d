package dropbox.storage.meta;

import dropbox.bus.ErrorCode;
import dropbox.bus.StorageException;
import dropbox.bus.StorageFull;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one operation as one transaction and turns database failures into StorageExceptions. Writes go to
 * the write pool (SQLite: one connection, BEGIN IMMEDIATE, so writers queue in the pool instead of
 * spinning on the file lock); reads to the read pool, whose connections are set up once as read-only
 * snapshots (PostgreSQL: READ ONLY, REPEATABLE READ; SQLite: a deferred transaction, which reads one WAL
 * snapshot and never blocks the writer), so a read costs no extra round trips.
 */
final class Transactions {
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private static final Logger LOG = LoggerFactory.getLogger(Transactions.class);
  /** Deadlocks and unique-index races are rare and cleared by running again; more tries means a real conflict. */
  private static final int ATTEMPTS = 3;

  private final Dialect dialect;
  private final DataSource writes;
  private final DataSource reads;
  /** SQLite (one writer connection): concurrent writers share one commit. Null for PostgreSQL. */
  private final GroupCommit group;
  /** SQLite (this process is the one writer): files looked up since the last write. Null for PostgreSQL. */
  private final LookupCache lookups;

  /** PostgreSQL (no group commit of ours). */
  Transactions(Dialect dialect, DataSource writes, DataSource reads, long busyMs) {
    this(dialect, writes, reads, busyMs, null);
  }

  /** walFlush: for SQLite, how GroupCommit makes the write-ahead log durable (GroupCommit.walOf). */
  Transactions(Dialect dialect, DataSource writes, DataSource reads, long busyMs, GroupCommit.WalFlush walFlush) {
    this.dialect = dialect;
    this.writes = writes;
    this.reads = reads;
    // PostgreSQL has many writer connections and already shares one WAL flush among concurrent commits.
    this.group = dialect == Dialect.SQLITE ? new GroupCommit(writes, busyMs, walFlush) : null;
    // PostgreSQL may have other writers (cluster nodes): a lookup there always asks the database.
    this.lookups = dialect == Dialect.SQLITE ? new LookupCache() : null;
  }

  /** The cache of file lookups, or null when every lookup must ask the database (PostgreSQL). */
  LookupCache lookups() { return lookups; }

  Dialect dialect() { return dialect; }

  /** A durable write: on disk when it returns. */
  <T> T write(Work<T> work) { return write(work, true); }

  /**
   * A durable write of one user's rows, serialized with every other write of that user by the database
   * itself. The user's lock (SharedData) orders the work, but it is not a guarantee: in a split cluster
   * each side holds "the" lock. Two commits of one path then both read the same old file row under
   * PostgreSQL's READ COMMITTED, and each took the old content's reference and size off once more than
   * once (refcounts and usage drifted, a sweeper could remove content still in use). Locking the users
   * row first makes the second wait, and read what the first committed. SQLite runs one writer at a time.
   */
  <T> T write(long userId, Work<T> work) { return write(forUser(userId, work), true); }

  /** {@link #writeVolatile} of one user's rows, serialized as {@link #write(long, Work)}. */
  <T> T writeVolatile(long userId, Work<T> work) { return write(forUser(userId, work), false); }

  private <T> Work<T> forUser(long userId, Work<T> work) {
    if (dialect != Dialect.POSTGRESQL) return work;
    return c -> {
      try (PreparedStatement ps = Sql.prepare(c, "SELECT id FROM users WHERE id = ? FOR UPDATE", userId);
           ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) throw new SQLException("no users row " + userId);
      }
      return work.run(c);
    };
  }

  /**
   * A write that may be lost in a crash without harm: a reservation, which recovery releases anyway. It
   * commits without waiting for the disk; the next durable commit makes it durable too (one WAL).
   */
  <T> T writeVolatile(Work<T> work) { return write(work, false); }

  private <T> T write(Work<T> work, boolean durable) {
    if (lookups == null) return writeWithRetries(work, durable);
    lookups.writeStarted();
    try {
      return writeWithRetries(work, durable);
    } finally {
      lookups.writeEnded();
    }
  }

  private <T> T writeWithRetries(Work<T> work, boolean durable) {
    for (int attempt = 1; ; attempt++) {
      try {
        return group != null ? group.run(work, durable) : writeAlone(work, durable);
      } catch (SQLException e) {
        boolean again = dialect.isRetryable(e) || dialect.isUniqueViolation(e);
        if (again && attempt < ATTEMPTS) continue;
        // A unique index refused a row a concurrent writer had just added: a real path conflict.
        if (dialect.isUniqueViolation(e)) throw MetaException.of(MetaException.Reason.PATH_CONFLICT);
        throw translate(e);
      }
    }
  }

  private <T> T writeAlone(Work<T> work, boolean durable) throws SQLException {
    try (Connection c = writes.getConnection()) {
      return inTransaction(c, durable ? work : volatileWork(work));
    }
  }

  /** PostgreSQL: this transaction's commit does not wait for its WAL flush (it stays atomic). */
  private static <T> Work<T> volatileWork(Work<T> work) {
    return c -> {
      try (var s = c.createStatement()) {
        s.execute("SET LOCAL synchronous_commit TO OFF");
      }
      return work.run(c);
    };
  }

  <T> T read(Work<T> work) {
    try (Connection c = reads.getConnection()) {
      return inTransaction(c, work);
    } catch (SQLException e) {
      throw translate(e);
    }
  }

  /**
   * A read that is ONE statement: run in autocommit, where the statement is its own transaction and reads
   * one snapshot, so it needs no BEGIN and COMMIT (on SQLite each is an exec of its own). Only for work
   * that runs a single statement; anything reading twice must use {@link #read} to see one snapshot.
   */
  <T> T readStatement(Work<T> work) {
    try (Connection c = reads.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw translate(e);
    }
  }

  /** A connection for a long read (a streamed listing) that the caller closes; already in its snapshot. */
  Connection openSnapshot() {
    Connection c = null;
    try {
      c = reads.getConnection();
      c.setAutoCommit(false);
      return c;
    } catch (SQLException e) {
      closeQuietly(c);
      throw translate(e);
    }
  }

  static void closeQuietly(Connection c) {
    if (c == null) return;
    try {
      if (!c.getAutoCommit()) c.rollback();
    } catch (SQLException ignored) {
      // the pool discards a broken connection
    }
    try {
      c.close();
    } catch (SQLException ignored) {
      // nothing more to release
    }
  }

  private static <T> T inTransaction(Connection c, Work<T> work) throws SQLException {
    c.setAutoCommit(false);
    boolean done = false;
    try {
      T result = work.run(c);
      c.commit();
      done = true;
      return result;
    } finally {
      // Also on a StorageException thrown by the work: a refused operation leaves nothing behind.
      if (!done) {
        try {
          c.rollback();
        } catch (SQLException e) {
          LOG.debug("rollback failed: {}", e.toString());
        }
      }
    }
  }

  StorageException translate(SQLException e) {
    if (e instanceof SQLTransientConnectionException || dialect.isBusy(e)) {
      return StorageException.of(ErrorCode.BUSY, "Server busy, please try again later");
    }
    if (StorageFull.causedBy(e)) return StorageFull.report(e);
    LOG.error("metadata database failure", e);
    return StorageException.of(ErrorCode.INTERNAL, "Storage error");
  }
}
