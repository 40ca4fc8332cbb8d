package dropbox.storage.meta;

import dropbox.bus.TreePath;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientException;

/** Reading, walking and inserting rows of the nodes table within a caller's transaction. */
final class TreeRows {
  static final String COLS = "id, parent_id, name, kind, size, sha256, created, modified";

  private TreeRows() {}

  static Node read(ResultSet rs) throws SQLException {
    return new Node(rs.getLong("id"), Sql.getLong(rs, "parent_id"), rs.getString("name"),
        Node.Kind.of(rs.getInt("kind")), rs.getLong("size"), rs.getString("sha256"),
        rs.getLong("created"), rs.getLong("modified"));
  }

  /**
   * The same row read by position, for a statement whose select list starts with exactly {@link #COLS} in
   * that order (FileLookup, a hot read): a look-up by label costs a map probe per column.
   */
  static Node readByPosition(ResultSet rs) throws SQLException {
    long parent = rs.getLong(2);
    Long parentId = rs.wasNull() ? null : parent;
    return new Node(rs.getLong(1), parentId, rs.getString(3), Node.Kind.of(rs.getInt(4)), rs.getLong(5),
        rs.getString(6), rs.getLong(7), rs.getLong(8));
  }

  /** Siblings are walked in this order: a folder counts as its name + '/', so paths come out byte-sorted. */
  static String walkKey(String name, Node.Kind kind) {
    return kind == Node.Kind.FOLDER ? name + "/" : name;
  }

  static Node byId(Connection c, long id) throws SQLException {
    try (PreparedStatement ps = Sql.prepare(c, "SELECT " + COLS + " FROM nodes WHERE id = ?", id);
         ResultSet rs = ps.executeQuery()) {
      return rs.next() ? read(rs) : null;
    }
  }

  static Node child(Connection c, long userId, long parentId, String name) throws SQLException {
    try (PreparedStatement ps = Sql.prepare(c,
        "SELECT " + COLS + " FROM nodes WHERE user_id = ? AND parent_id = ? AND name = ?", userId, parentId, name);
         ResultSet rs = ps.executeQuery()) {
      return rs.next() ? read(rs) : null;
    }
  }

  /** The node at path, or null when it or a folder on the way is missing (or a file stands on the way). */
  static Node walk(Connection c, Users.Ref user, TreePath path) throws SQLException {
    Node n = byId(c, user.rootId());
    for (int i = 0; i < path.depth() && n != null; i++) {
      if (!n.isFolder()) return null;
      n = child(c, user.id(), n.id(), path.segment(i));
    }
    return n;
  }

  /** Creating one folder of a path gives up after this many rounds of losing it to concurrent writers. */
  private static final int MKDIR_ROUNDS = 10;

  /**
   * The folder at path, creating it and its parents; PATH_CONFLICT if a file is on the way. The folders it
   * makes are counted in the user's row, QUOTA_EXCEEDED beyond maxFolders (0: no bound).
   */
  static Node mkdirs(Connection c, Users.Ref user, TreePath path, long now, long maxFolders) throws SQLException {
    Node n = byId(c, user.rootId());
    int made = 0;
    for (int i = 0; i < path.depth(); i++) {
      String name = path.segment(i);
      Node next = child(c, user.id(), n.id(), name);
      // PostgreSQL (READ COMMITTED): the row a concurrent writer inserted first, which made our insert do
      // nothing, can be renamed or removed by a third one before we read it; then the name is free again
      // and another insert is the answer (caught by the contract test's uploads racing a folder's renames).
      for (int round = 0; next == null; round++) {
        if (round == MKDIR_ROUNDS) { // 40001: Transactions runs the whole transaction again
          throw new SQLTransientException("folder '" + name + "' keeps changing under us", "40001");
        }
        next = folderRow(c, NEW_FOLDER_UNLESS_TAKEN, user.id(), n.id(), name, now);
        if (next != null) made++; // ours: a row a concurrent writer made is counted by its transaction
        else next = child(c, user.id(), n.id(), name);
      }
      if (!next.isFolder()) throw MetaException.of(MetaException.Reason.PATH_CONFLICT);
      n = next;
    }
    UsageRows.folders(c, user.id(), made, maxFolders);
    return n;
  }

  /**
   * A new folder that must not exist yet (the target of a COPY): a concurrent writer's row under that
   * name is a unique violation, which the transaction runs again into TARGET_EXISTS, never a merge.
   */
  static Node createFolder(Connection c, long userId, long parentId, String name, long now) throws SQLException {
    return folderRow(c, NEW_FOLDER, userId, parentId, name, now);
  }

  /**
   * A new folder, or whatever a concurrent writer put under that name first (the caller checks its kind);
   * null if that row was already renamed or removed again when we looked (PostgreSQL, READ COMMITTED).
   */
  static Node insertFolder(Connection c, long userId, long parentId, String name, long now) throws SQLException {
    Node made = folderRow(c, NEW_FOLDER_UNLESS_TAKEN, userId, parentId, name, now);
    return made != null ? made : child(c, userId, parentId, name);
  }

  private static final String NEW_FOLDER =
      "INSERT INTO nodes (user_id, parent_id, name, walk_key, kind, size, sha256, created, modified) "
          + "VALUES (?, ?, ?, ?, 0, 0, NULL, ?, ?) RETURNING " + COLS;
  private static final String NEW_FOLDER_UNLESS_TAKEN = NEW_FOLDER.replace(" RETURNING ",
      " ON CONFLICT (parent_id, name) DO NOTHING RETURNING ");

  /** Runs one of the folder INSERTs: the new row, or null when ON CONFLICT left it out. */
  private static Node folderRow(Connection c, String sql, long userId, long parentId, String name, long now)
      throws SQLException {
    try (PreparedStatement ps = Sql.prepare(c, sql, userId, parentId, name, walkKey(name, Node.Kind.FOLDER), now, now);
         ResultSet rs = ps.executeQuery()) {
      return rs.next() ? read(rs) : null;
    }
  }

  static Node insertFile(Connection c, long userId, long parentId, String name, long size, String sha256,
                         long created, long modified) throws SQLException {
    try (PreparedStatement ps = Sql.prepare(c,
        "INSERT INTO nodes (user_id, parent_id, name, walk_key, kind, size, sha256, created, modified) "
            + "VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?) RETURNING " + COLS,
        userId, parentId, name, walkKey(name, Node.Kind.FILE), size, sha256, created, modified);
         ResultSet rs = ps.executeQuery()) {
      rs.next();
      return read(rs);
    }
  }

  /** True when ancestor is node itself or one of its ancestors (a folder may not move below itself). */
  static boolean isSelfOrAncestor(Connection c, long ancestor, long node) throws SQLException {
    return Sql.queryLong(c, "WITH RECURSIVE up (id, parent_id) AS ("
        + "SELECT id, parent_id FROM nodes WHERE id = ? "
        + "UNION ALL SELECT n.id, n.parent_id FROM nodes n JOIN up ON n.id = up.parent_id) "
        + "SELECT COUNT(*) FROM up WHERE id = ?", 0, node, ancestor) > 0;
  }

  static void delete(Connection c, long id) throws SQLException {
    Sql.update(c, "DELETE FROM nodes WHERE id = ?", id);
  }
}
