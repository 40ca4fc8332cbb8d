package dropbox.storage.meta;

import dropbox.bus.ErrorCode;
import dropbox.bus.StorageException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Reservation rows; the bytes they hold are mirrored in users.reserved_bytes by the same transaction. */
final class Reservations {
  private Reservations() {}

  static void insert(Connection c, String id, long userId, long bytes, String owner, long deadline) throws SQLException {
    Sql.update(c, "INSERT INTO reservations (id, user_id, bytes, owner_node, deadline) VALUES (?, ?, ?, ?, ?)",
        id, userId, bytes, owner, deadline);
  }

  /** Deletes the reservation and returns the bytes it held, or -1 if it is not there. */
  static long take(Connection c, long userId, String id) throws SQLException {
    try (PreparedStatement ps = Sql.prepare(c,
        "DELETE FROM reservations WHERE id = ? AND user_id = ? RETURNING bytes", id, userId);
         ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getLong(1) : -1;
    }
  }

  /** Grows a reservation; returns its new size. */
  static long grow(Connection c, long userId, String id, long more) throws SQLException {
    try (PreparedStatement ps = Sql.prepare(c,
        "UPDATE reservations SET bytes = bytes + ? WHERE id = ? AND user_id = ? RETURNING bytes", more, id, userId);
         ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) throw unknown();
      return rs.getLong(1);
    }
  }

  /**
   * Releases every reservation matching where (a condition on the reservations row, one parameter):
   * first the users rows give the bytes back, then the rows go.
   */
  static int releaseWhere(Connection c, String where, Object arg) throws SQLException {
    Sql.update(c, "UPDATE users SET reserved_bytes = reserved_bytes - "
        + "(SELECT COALESCE(SUM(r.bytes), 0) FROM reservations r WHERE r.user_id = users.id AND r." + where + ") "
        + "WHERE id IN (SELECT r.user_id FROM reservations r WHERE r." + where + ")", arg, arg);
    return Sql.update(c, "DELETE FROM reservations WHERE " + where, arg);
  }

  /**
   * The upload's reservation is gone: released as expired, or by a node that took this one for dead (a
   * cluster split, a node paused past its lease). The server lost it, not the client: BUSY, so clients
   * retry (it was BAD_REQUEST, "Invalid request" over TCP, which told them their request was wrong).
   */
  static StorageException unknown() {
    return StorageException.of(ErrorCode.BUSY, "Upload expired or unknown");
  }
}
