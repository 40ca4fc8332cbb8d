package dropbox.storage.meta;

import dropbox.bus.FileInfo;
import dropbox.bus.TreePath;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A depth-first walk of a user's tree on one read snapshot, siblings in walk_key order (a folder counts
 * as "name/"), which yields the files in byte order of their full paths. Each open folder keeps at most
 * one page of children, so memory is bounded by depth x PAGE whatever the number of files.
 */
final class TreeWalk implements FileStream {
  static final int PAGE = 500;

  private final class Frame {
    final long folder;
    final String prefix;
    final Deque<Node> page = new ArrayDeque<>();
    String lastKey = "";
    boolean exhausted;

    Frame(long folder, String prefix) {
      this.folder = folder;
      this.prefix = prefix;
    }

    /** Loads the next page if the current one is used up; false when the folder has nothing left. */
    boolean fill() throws SQLException {
      if (!page.isEmpty()) return true;
      if (exhausted) return false;
      Sql.bind(children, folder, lastKey);
      List<String> keys = new ArrayList<>();
      try (ResultSet rs = children.executeQuery()) {
        while (rs.next()) {
          page.add(TreeRows.read(rs));
          keys.add(rs.getString("walk_key"));
        }
      }
      if (keys.size() < PAGE) exhausted = true;
      if (!keys.isEmpty()) lastKey = keys.get(keys.size() - 1);
      return !page.isEmpty();
    }
  }

  private final Transactions tx;
  private final Connection c;
  private final PreparedStatement children;
  private final UserUsage usage;
  private final Deque<Frame> stack = new ArrayDeque<>();
  private FileInfo next;
  private boolean closed;

  /** after: the walk starts after this path (ROOT: from the beginning). */
  TreeWalk(Transactions tx, Users.Ref user, TreePath after) {
    this.tx = tx;
    this.c = tx.openSnapshot();
    try {
      usage = UsageRows.read(c, user.id()); // the first read fixes the snapshot every page comes from
      children = Sql.prepare(c, "SELECT " + TreeRows.COLS + ", walk_key FROM nodes "
          + "WHERE parent_id = ? AND walk_key > ? ORDER BY walk_key LIMIT " + PAGE);
      resumeAfter(user.rootId(), after);
    } catch (SQLException e) {
      Transactions.closeQuietly(c);
      throw tx.translate(e);
    } catch (RuntimeException e) {
      Transactions.closeQuietly(c);
      throw e;
    }
  }

  /**
   * The stack the walk would have right after visiting "after": one frame per folder on its way, each past
   * the key it descended through (a folder's key is "name/", so its later siblings sort after everything
   * inside it), the deepest past the last segment itself. A folder on the way that is gone since ends the
   * descent: what it held has gone with it, and its parent's frame already continues after it.
   */
  private void resumeAfter(long rootId, TreePath after) throws SQLException {
    Frame f = new Frame(rootId, "");
    stack.push(f);
    if (after.isRoot()) return;
    try (PreparedStatement folder = Sql.prepare(c,
        "SELECT id FROM nodes WHERE parent_id = ? AND name = ? AND kind = " + Node.Kind.FOLDER.code)) {
      for (int i = 0; i < after.depth() - 1; i++) {
        String seg = after.segment(i);
        f.lastKey = TreeRows.walkKey(seg, Node.Kind.FOLDER);
        Sql.bind(folder, f.folder, seg);
        Long id = null;
        try (ResultSet rs = folder.executeQuery()) {
          if (rs.next()) id = rs.getLong(1);
        }
        if (id == null) return;
        f = new Frame(id, f.prefix + seg + "/");
        stack.push(f);
      }
      f.lastKey = TreeRows.walkKey(after.name(), Node.Kind.FILE);
    }
  }

  @Override public UserUsage usage() { return usage; }

  @Override public boolean hasNext() {
    if (next == null && !closed) next = advance();
    return next != null;
  }

  @Override public FileInfo next() {
    if (!hasNext()) throw new NoSuchElementException();
    FileInfo f = next;
    next = null;
    return f;
  }

  private FileInfo advance() {
    try {
      while (!stack.isEmpty()) {
        Frame top = stack.peek();
        if (!top.fill()) {
          stack.pop();
          continue;
        }
        Node n = top.page.poll();
        String path = top.prefix + n.name();
        if (n.isFolder()) stack.push(new Frame(n.id(), path + "/"));
        else return n.info(path);
      }
      close(); // walked to the end: give the connection back without waiting for the caller
      return null;
    } catch (SQLException e) {
      close();
      throw tx.translate(e);
    }
  }

  @Override public void close() {
    if (closed) return;
    closed = true;
    try {
      children.close(); // before the connection: a cached statement goes back reset, its snapshot ended
    } catch (SQLException ignored) {
      // the connection goes anyway
    }
    Transactions.closeQuietly(c);
  }
}
