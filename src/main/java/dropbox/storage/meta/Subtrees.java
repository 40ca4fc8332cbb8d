package dropbox.storage.meta;

import dropbox.bus.TreePath;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Whole-subtree work inside one transaction (recursive delete, copy of a folder): the subtree's ids are
 * collected once by a recursive query into a per-connection scratch table, and each step is then one
 * set-based statement over it, so nothing about the subtree is held in Java memory.
 */
final class Subtrees {
  /** Rows read and written per statement when copying. */
  private static final int PAGE = 1000;

  /** The files of the scratch subtree joined to their rows. */
  private static final String FILES = "nodes n JOIN subtree_ids s ON n.id = s.id WHERE n.kind = 1";
  /** How many of the subtree's files use the blob row in hand (a correlated subquery). */
  private static final String REFS = "(SELECT COUNT(*) FROM nodes n JOIN subtree_ids s ON n.id = s.id "
      + "WHERE n.kind = 1 AND n.user_id = blobs.user_id AND n.sha256 = blobs.sha256)";

  record Totals(long files, long bytes) {}

  private Subtrees() {}

  /** Fills the scratch table with the folder and everything below it. */
  static void collect(Connection c, Dialect dialect, long folderId) throws SQLException {
    Sql.update(c, dialect.subtreeTable);
    Sql.update(c, "DELETE FROM subtree_ids");
    Sql.update(c, "WITH RECURSIVE sub (id) AS (SELECT id FROM nodes WHERE id = ? "
        + "UNION ALL SELECT n.id FROM nodes n JOIN sub ON n.parent_id = sub.id) "
        + "INSERT INTO subtree_ids (id) SELECT id FROM sub", folderId);
  }

  /**
   * Whether a folder moved or copied from {@code from} to {@code to} keeps every path below it within the
   * path rules (TreePath: 64 segments, 4000 bytes). Names are valid already; only the new prefix can push a
   * descendant over, so a move that makes no path longer or deeper needs no look below.
   */
  static boolean fitsUnder(Connection c, Dialect dialect, long folderId, TreePath from, TreePath to)
      throws SQLException {
    int toBytes = to.toString().getBytes(StandardCharsets.UTF_8).length;
    int fromBytes = from.toString().getBytes(StandardCharsets.UTF_8).length;
    if (to.depth() <= from.depth() && toBytes <= fromBytes) return true;
    int depthLeft = TreePath.MAX_SEGMENTS - to.depth();
    int bytesLeft = TreePath.MAX_BYTES - toBytes;
    // Depth and bytes below the folder (each level adds "/" + its name); the walk stops at the first node
    // over either bound, so it reads the subtree once at most.
    try (PreparedStatement ps = Sql.prepare(c, "WITH RECURSIVE sub (id, depth, len) AS (SELECT id, 0, 0 FROM nodes"
        + " WHERE id = ? UNION ALL SELECT n.id, sub.depth + 1, sub.len + 1 + " + dialect.byteLength("n.name")
        + " FROM nodes n JOIN sub ON n.parent_id = sub.id WHERE sub.depth <= ? AND sub.len <= ?)"
        + " SELECT 1 FROM sub WHERE depth > ? OR len > ? LIMIT 1", folderId, depthLeft, bytesLeft, depthLeft, bytesLeft);
         ResultSet rs = ps.executeQuery()) {
      return !rs.next();
    }
  }

  /** How many nodes the scratch table holds (the folder itself included). */
  static long collected(Connection c) throws SQLException {
    return Sql.queryLong(c, "SELECT COUNT(*) FROM subtree_ids", 0);
  }

  static void clear(Connection c) throws SQLException {
    Sql.update(c, "DELETE FROM subtree_ids");
  }

  static Totals totals(Connection c) throws SQLException {
    try (PreparedStatement ps = Sql.prepare(c, "SELECT COUNT(*), COALESCE(SUM(n.size), 0) FROM " + FILES);
         ResultSet rs = ps.executeQuery()) {
      rs.next();
      return new Totals(rs.getLong(1), rs.getLong(2));
    }
  }

  /** Every blob the subtree uses gains (sign +1) or loses (-1) one reference per file that uses it. */
  static void adjustRefs(Connection c, long userId, int sign, long now) throws SQLException {
    String zero = sign > 0 ? "NULL" : "CASE WHEN refcount - " + REFS + " = 0 THEN ? ELSE zero_since END";
    String sql = "UPDATE blobs SET refcount = refcount " + (sign > 0 ? "+ " : "- ") + REFS + ", zero_since = " + zero
        + " WHERE user_id = ? AND sha256 IN (SELECT n.sha256 FROM " + FILES + ")";
    if (sign > 0) Sql.update(c, sql, userId);
    else Sql.update(c, sql, now, userId);
  }

  static int deleteRows(Connection c) throws SQLException {
    // One statement: the foreign key from child to parent is checked when it ends, with all rows gone.
    return Sql.update(c, "DELETE FROM nodes WHERE id IN (SELECT id FROM subtree_ids)");
  }

  /** The WebDAV dead properties of one node, onto its copy. */
  static void copyProperties(Connection c, long from, long to) throws SQLException {
    Sql.update(c, "INSERT INTO dav_properties (node_id, ns, name, value) SELECT ?, ns, name, value "
        + "FROM dav_properties WHERE node_id = ?", to, from);
  }

  /** The dead properties of one page of children (names after "after", up to the page's last) onto their copies. */
  private static void copyChildProperties(Connection c, long source, long target, String after, List<Node> page)
      throws SQLException {
    if (page.isEmpty()) return;
    Sql.update(c, "INSERT INTO dav_properties (node_id, ns, name, value) SELECT t.id, p.ns, p.name, p.value "
        + "FROM nodes s JOIN nodes t ON t.parent_id = ? AND t.name = s.name JOIN dav_properties p ON p.node_id = s.id "
        + "WHERE s.parent_id = ? AND s.name > ? AND s.name <= ?", target, source, after, page.get(page.size() - 1).name());
  }

  /**
   * Duplicates the rows below source under target (folder by folder, children paged by name): files in
   * batches, folders one by one as their new ids are needed. Blob counts are the caller's (adjustRefs).
   */
  static void copyRows(Connection c, long userId, long source, long target, long now) throws SQLException {
    Deque<long[]> folders = new ArrayDeque<>();
    folders.add(new long[] {source, target});
    try (PreparedStatement page = c.prepareStatement("SELECT " + TreeRows.COLS
        + " FROM nodes WHERE user_id = ? AND parent_id = ? AND name > ? ORDER BY name LIMIT " + PAGE);
         PreparedStatement files = c.prepareStatement(
             "INSERT INTO nodes (user_id, parent_id, name, walk_key, kind, size, sha256, created, modified) "
                 + "VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?)")) {
      while (!folders.isEmpty()) {
        long[] pair = folders.poll();
        String after = "";
        while (true) {
          List<Node> children = new ArrayList<>(PAGE);
          Sql.bind(page, userId, pair[0], after);
          try (ResultSet rs = page.executeQuery()) {
            while (rs.next()) children.add(TreeRows.read(rs));
          }
          for (Node n : children) {
            if (n.isFolder()) {
              Node copy = TreeRows.insertFolder(c, userId, pair[1], n.name(), now);
              folders.add(new long[] {n.id(), copy.id()});
            } else {
              Sql.bind(files, userId, pair[1], n.name(), TreeRows.walkKey(n.name(), Node.Kind.FILE), n.size(),
                  n.sha256(), now, n.modified());
              files.addBatch();
            }
          }
          files.executeBatch();
          copyChildProperties(c, pair[0], pair[1], after, children);
          if (children.size() < PAGE) break;
          after = children.get(children.size() - 1).name();
        }
      }
    }
  }
}
