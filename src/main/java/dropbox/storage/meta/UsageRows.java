package dropbox.storage.meta;

import dropbox.bus.ErrorCode;
import dropbox.bus.StorageException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The users table as a quota ledger. Every change is one conditional UPDATE whose WHERE clause is the
 * quota rule, so the database refuses an overrun even if two callers raced past every lock: PostgreSQL
 * re-evaluates the WHERE on the newest row version after waiting for its row lock, SQLite runs one writer
 * at a time.
 */
final class UsageRows {
  private UsageRows() {}

  static UserUsage read(Connection c, long userId) throws SQLException {
    try (PreparedStatement ps = Sql.prepare(c,
        "SELECT used_bytes, reserved_bytes, file_count, quota_bytes, folder_count FROM users WHERE id = ?", userId);
         ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) throw new SQLException("no users row " + userId);
      return new UserUsage(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5));
    }
  }

  /** Holds bytes more for reservations, only if they fit. */
  static void hold(Connection c, long userId, long bytes) throws SQLException {
    int n = Sql.update(c, "UPDATE users SET reserved_bytes = reserved_bytes + ? "
        + "WHERE id = ? AND used_bytes + reserved_bytes + ? <= quota_bytes", bytes, userId, bytes);
    if (n == 0) throw quotaExceeded(bytes, read(c, userId).freeBytes());
  }

  /**
   * Turns a reservation of heldBytes into committed growth (negative when a file shrank or went) and
   * files more (or fewer). Growth must fit in what is free once the reservation is returned; shrinking
   * always succeeds, even under a quota that was lowered below the usage. More files than maxFiles (0: no
   * bound) are refused as the quota is; fewer always pass.
   */
  static void settle(Connection c, long userId, long growth, long files, long heldBytes, long maxFiles)
      throws SQLException {
    int n = Sql.update(c, "UPDATE users SET used_bytes = used_bytes + ?, reserved_bytes = reserved_bytes - ?, "
            + "file_count = file_count + ? "
            + "WHERE id = ? AND (? <= 0 OR used_bytes + ? + reserved_bytes - ? <= quota_bytes) "
            + "AND (? <= 0 OR ? <= 0 OR file_count + ? <= ?)",
        growth, heldBytes, files, userId, growth, growth, heldBytes, files, maxFiles, files, maxFiles);
    if (n > 0) return;
    UserUsage now = read(c, userId);
    if (files > 0 && maxFiles > 0 && now.fileCount() + files > maxFiles) {
      throw StorageException.of(ErrorCode.QUOTA_EXCEEDED, "Quota exceeded (at most " + maxFiles + " files)");
    }
    throw quotaExceeded(growth, now.freeBytes() + heldBytes);
  }

  /** Bytes and files that left the tree (a delete): always allowed. */
  static void remove(Connection c, long userId, long bytes, long files) throws SQLException {
    settle(c, userId, -bytes, -files, 0, 0);
  }

  /**
   * Folders made (n > 0) or removed (n < 0). More than maxFolders (0: no bound) is refused as the file
   * bound is, inside the caller's transaction, so nothing of the command stays; fewer always pass.
   */
  static void folders(Connection c, long userId, long n, long maxFolders) throws SQLException {
    if (n == 0) return;
    int changed = Sql.update(c, "UPDATE users SET folder_count = folder_count + ? "
        + "WHERE id = ? AND (? <= 0 OR ? <= 0 OR folder_count + ? <= ?)", n, userId, n, maxFolders, n, maxFolders);
    if (changed == 0) {
      throw StorageException.of(ErrorCode.QUOTA_EXCEEDED, "Quota exceeded (at most " + maxFolders + " folders)");
    }
  }

  /** Returns bytes of reservations that were dropped. */
  static void unhold(Connection c, long userId, long bytes) throws SQLException {
    Sql.update(c, "UPDATE users SET reserved_bytes = reserved_bytes - ? WHERE id = ?", bytes, userId);
  }

  static StorageException quotaExceeded(long needs, long free) {
    return StorageException.of(ErrorCode.QUOTA_EXCEEDED,
        "Quota exceeded (needs " + needs + " bytes, " + Math.max(0, free) + " bytes free)");
  }
}
