package dropbox.storage.meta;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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

  /**
   * Stores the bytes of a blob row this transaction just created (incref returned true): the blob is then
   * inline, in the database, and has no content file. Only for content of at most storage.inlineMaxBytes.
   */
  static void setContent(Connection c, long userId, String sha256, byte[] content) throws SQLException {
    Sql.update(c, "UPDATE blobs SET content = ? WHERE user_id = ? AND sha256 = ?", content, userId, sha256);
  }

  /** The bytes of an inline blob; null when the blob is a content file (or there is no such row). */
  static byte[] content(Connection c, long userId, String sha256) throws SQLException {
    try (PreparedStatement ps = Sql.prepare(c, "SELECT content FROM blobs WHERE user_id = ? AND sha256 = ?",
        userId, sha256); ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getBytes(1) : null;
    }
  }

  static void decref(Connection c, long userId, String sha256, long now) throws SQLException {
    // SET expressions read the row as it was, so "refcount = 1" means "this takes it to 0".
    Sql.update(c, "UPDATE blobs SET refcount = refcount - 1, "
        + "zero_since = CASE WHEN refcount = 1 THEN ? ELSE zero_since END WHERE user_id = ? AND sha256 = ?",
        now, userId, sha256);
  }
}
