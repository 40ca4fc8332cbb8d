package dropbox.bus;

import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recognises a full disk (or a file-system quota) in whatever failed: a write or fsync of a content,
 * staging or database file. It is the operator's to fix, not a bug of ours, and the client should be told
 * so in words: STORAGE_FULL ("Storage full", HTTP 507) instead of an internal error with a stack trace
 * in the log per request.
 */
public final class StorageFull {
  public static final String MESSAGE = "Storage full";
  /** xerial sqlite-jdbc: SQLITE_FULL, "database or disk is full". */
  private static final int SQLITE_FULL = 13;
  /** PostgreSQL's class 53 "insufficient resources": disk_full. */
  private static final String PG_DISK_FULL = "53100";

  private static final Logger LOG = LoggerFactory.getLogger(StorageFull.class);
  private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);
  private static final AtomicLong unlogged = new AtomicLong();

  private StorageFull() {}

  /**
   * The STORAGE_FULL failure for t (a full disk), logged as one WARN line without a stack, at most one
   * every 10 s with the count of those not logged: a full disk fails every write until someone frees
   * space, and a line per request would only bury the first.
   */
  public static StorageException report(Throwable t) {
    long now = System.nanoTime();
    long last = lastLog.get();
    if (now - last >= LOG_EVERY_NANOS && lastLog.compareAndSet(last, now)) {
      long more = unlogged.getAndSet(0);
      LOG.warn("storage full: {}{}", t.toString(), more > 0 ? " (and " + more + " more failures since the last line)" : "");
    } else {
      unlogged.incrementAndGet();
    }
    return StorageException.of(ErrorCode.STORAGE_FULL, MESSAGE);
  }

  /** True when t or one of its causes says the disk (or the user's file-system quota) is full. */
  public static boolean causedBy(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof StorageException se && se.code() == ErrorCode.STORAGE_FULL) return true;
      if (c instanceof SQLException sql && (PG_DISK_FULL.equals(sql.getSQLState())
          || (sql.getErrorCode() & 0xff) == SQLITE_FULL && isSqlite(sql))) {
        return true;
      }
      String m = c.getMessage();
      // ENOSPC and EDQUOT as the JDK and Netty word them (strerror), wherever the message puts them.
      if (m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded"))) return true;
    }
    return false;
  }

  private static boolean isSqlite(SQLException e) {
    return e.getClass().getName().startsWith("org.sqlite.");
  }

  /** The failure to answer with: STORAGE_FULL (reported) when t is a full disk, else otherwise. */
  public static Throwable orElse(Throwable t, Throwable otherwise) {
    return causedBy(t) ? report(t) : otherwise;
  }
}
