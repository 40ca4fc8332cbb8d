package dropbox.storage.meta;

import dropbox.bus.ErrorCode;
import dropbox.bus.StorageException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.TreeMap;

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
   * Releases every reservation matching where (a condition on the reservations row, one parameter): each
   * row this transaction deletes gives its own bytes back to its user, exactly once. The bytes used to be
   * summed by one statement and the rows deleted by the next; under PostgreSQL's READ COMMITTED a commit
   * that took one of those rows in between (a node taken for dead in a split cluster, still committing)
   * had its bytes given back twice, and users.reserved_bytes ran below its rows and then below zero: the
   * next release failed the table's check, and so did every start of a node after it.
   *
   * <p>On PostgreSQL the users rows are locked first, in id order, as every per-user write locks its own
   * ({@link Transactions#write(long, Work)}), so the two do not deadlock over a reservation row.
   */
  static int releaseWhere(Connection c, Dialect dialect, String where, Object arg) throws SQLException {
    if (dialect == Dialect.POSTGRESQL) {
      try (PreparedStatement ps = Sql.prepare(c, "SELECT id FROM users WHERE id IN "
          + "(SELECT user_id FROM reservations WHERE " + where + ") ORDER BY id FOR UPDATE", arg);
           ResultSet rs = ps.executeQuery()) {
        while (rs.next()) { /* locked */ }
      }
    }
    Map<Long, Long> bytesByUser = new TreeMap<>();
    int rows = 0;
    try (PreparedStatement ps = Sql.prepare(c, "DELETE FROM reservations WHERE " + where + " RETURNING user_id, bytes", arg);
         ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        bytesByUser.merge(rs.getLong(1), rs.getLong(2), Long::sum);
        rows++;
      }
    }
    for (Map.Entry<Long, Long> e : bytesByUser.entrySet()) UsageRows.unhold(c, e.getKey(), e.getValue());
    return rows;
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
