package dropbox.storage.meta;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The read-only queries fsck asks of one user's rows beside the usage check: blob counts, reservations. */
final class Integrity {
  private Integrity() {}

  /**
   * Blob rows whose count differs from the file rows that use them, or that stand at 0 without the time
   * they got there (the sweeper would never see them). Set-based: one query, whatever the tree's size.
   */
  static List<BlobCount> wrongCounts(Connection c, long userId) throws SQLException {
    List<BlobCount> out = new ArrayList<>();
    try (PreparedStatement ps = Sql.prepare(c, "SELECT sha256, refcount, refs, zero_since FROM ("
        + "SELECT b.sha256, b.refcount, b.zero_since, (SELECT COUNT(*) FROM nodes n WHERE n.kind = 1 "
        + "AND n.user_id = b.user_id AND n.sha256 = b.sha256) AS refs FROM blobs b WHERE b.user_id = ?) counted "
        + "WHERE refcount <> refs OR (refcount = 0 AND zero_since IS NULL) ORDER BY sha256", userId);
         ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(new BlobCount(rs.getString(1), rs.getLong(2), rs.getLong(3), Sql.getLong(rs, "zero_since")));
      }
    }
    return out;
  }

  static List<Reservation> reservations(Connection c, long userId, String user) throws SQLException {
    List<Reservation> out = new ArrayList<>();
    try (PreparedStatement ps = Sql.prepare(c, "SELECT id, bytes, owner_node, deadline FROM reservations "
        + "WHERE user_id = ? ORDER BY id", userId); ResultSet rs = ps.executeQuery()) {
      while (rs.next()) out.add(new Reservation(rs.getString(1), user, rs.getLong(2), rs.getString(3), rs.getLong(4)));
    }
    return out;
  }
}
