package dropbox.storage.meta;

import dropbox.bus.TreePath;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A file by path with its inline bytes in one SELECT: the folders on the way are nested scalar subqueries
 * and the blob's bytes a correlated one, instead of a query per segment and one for the blob. The same answer
 * as {@link TreeRows#walk} followed by {@link Blobs#content}; paths deeper than {@link #MAX_DEPTH} take that
 * walk instead, so the statement cache holds at most MAX_DEPTH of these.
 *
 * <p>Subqueries, not joins: SQLite marks a join of these tables as depending on its bound values, and a
 * statement so marked is compiled again after every clearParameters (StatementCache clears them when a
 * statement goes back): measured, a LEFT JOIN version cost 60-170 us a lookup against 15-25 us for this.
 */
final class FileLookup {
  static final int MAX_DEPTH = 8;
  private static final String[] SQL = new String[MAX_DEPTH + 1];

  static {
    for (int d = 1; d <= MAX_DEPTH; d++) SQL[d] = sql(d);
  }

  private FileLookup() {}

  /**
   * The folder holding the file is the root's child named by segment 0, its child named by segment 1 and so
   * on, each a folder (kind 0); a missing one is NULL and so matches nothing. Parameters in text order: the
   * root's id, the d segments, the user.
   */
  static String sql(int depth) {
    String parent = "?";
    for (int i = 0; i < depth - 1; i++) {
      parent = "(SELECT id FROM nodes WHERE parent_id = " + parent + " AND name = ? AND kind = 0)";
    }
    StringBuilder s = new StringBuilder("SELECT ");
    for (String col : TreeRows.COLS.split(", ")) s.append("n.").append(col).append(", ");
    return s.append("(SELECT b.content FROM blobs b WHERE b.user_id = n.user_id AND b.sha256 = n.sha256) ")
        .append("FROM nodes n WHERE n.parent_id = ").append(parent).append(" AND n.name = ? AND n.user_id = ?")
        .toString();
  }

  /** The file at path (depth 1..MAX_DEPTH) with its bytes when inline; null when there is no file there. */
  static StoredFile find(Connection c, Users.Ref user, TreePath path) throws SQLException {
    int d = path.depth();
    Object[] args = new Object[d + 2];
    args[0] = user.rootId();
    for (int i = 0; i < d; i++) args[i + 1] = path.segment(i);
    args[d + 1] = user.id();
    try (PreparedStatement ps = Sql.prepare(c, SQL[d], args); ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) return null;
      Node n = TreeRows.readByPosition(rs); // TreeRows.COLS first, then the content
      if (!n.isFile()) return null;
      return new StoredFile(n, rs.getBytes(9));
    }
  }
}
