package dropbox.storage.meta;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Reference counts of a user's content-addressed blobs. A count that reaches 0 stamps zero_since, from
 * which the read grace period runs; a new reference clears it, so a blob re-used within the grace period
 * is never swept.
 */
final class Blobs {
  private Blobs() {}

  /** Adds refs references; true when this created the blob row (no copy of this content was known). */
  static boolean incref(Connection c, long userId, String sha256, long size, long refs) throws SQLException {
    boolean existed = Sql.queryLong(c, "SELECT COUNT(*) FROM blobs WHERE user_id = ? AND sha256 = ?", 0,
        userId, sha256) > 0;
    Sql.update(c, "INSERT INTO blobs (user_id, sha256, size, refcount, zero_since) VALUES (?, ?, ?, ?, NULL) "
            + "ON CONFLICT (user_id, sha256) DO UPDATE SET refcount = blobs.refcount + excluded.refcount, zero_since = NULL",
        userId, sha256, size, refs);
    return !existed;
  }

  static void decref(Connection c, long userId, String sha256, long now) throws SQLException {
    // SET expressions read the row as it was, so "refcount = 1" means "this takes it to 0".
    Sql.update(c, "UPDATE blobs SET refcount = refcount - 1, "
        + "zero_since = CASE WHEN refcount = 1 THEN ? ELSE zero_since END WHERE user_id = ? AND sha256 = ?",
        now, userId, sha256);
  }
}
