package dropbox.storage.meta;

import dropbox.bus.ErrorCode;
import dropbox.bus.StorageException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Keyset paging over one folder's children. With folders first the listing is two groups (folders, then
 * files), each read from its own index (parent, kind, key, name) in one direction, so a page is an index
 * range scan whatever the folder's size. The cursor is the last entry's (group, key, name), which stays
 * exact when entries come and go between pages: nothing present throughout is skipped or repeated.
 */
final class FolderListing {
  static final int MAX_LIMIT = 10_000;

  private FolderListing() {}

  static List<Node> page(Connection c, Node folder, ListOrder order, int limit, String cursor,
                         String[] nextCursor) throws SQLException {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw StorageException.of(ErrorCode.BAD_REQUEST, "limit must be 1-" + MAX_LIMIT);
    }
    Integer[] groups = order.foldersFirst() ? new Integer[] {Node.Kind.FOLDER.code, Node.Kind.FILE.code}
        : new Integer[] {null};
    Position from = cursor == null ? null : Position.decode(cursor, order, folder.id());
    List<Node> out = new ArrayList<>();
    int lastGroup = 0;
    boolean more = false;
    for (int g = from == null ? 0 : from.group; g < groups.length && !more; g++) {
      Position after = from != null && g == from.group ? from : null;
      for (Node n : query(c, folder.id(), groups[g], order, after, limit - out.size() + 1)) {
        if (out.size() == limit) {
          more = true;
          break;
        }
        out.add(n);
        lastGroup = g;
      }
    }
    nextCursor[0] = more ? Position.of(lastGroup, out.get(out.size() - 1), order).encode(order, folder.id()) : null;
    return out;
  }

  private static List<Node> query(Connection c, long parent, Integer kind, ListOrder order, Position after,
                                  int limit) throws SQLException {
    String col = switch (order.sort()) {
      case NAME -> "name";
      case SIZE -> "size";
      case MODIFIED -> "modified";
    };
    String dir = order.descending() ? "DESC" : "ASC";
    StringBuilder sql = new StringBuilder("SELECT " + TreeRows.COLS + " FROM nodes WHERE parent_id = ?");
    List<Object> args = new ArrayList<>(List.of(parent));
    if (kind != null) {
      sql.append(" AND kind = ?");
      args.add(kind);
    }
    if (after != null) {
      String cmp = order.descending() ? "<" : ">";
      if (order.sort() == ListOrder.Sort.NAME) {
        sql.append(" AND name ").append(cmp).append(" ?");
      } else {
        sql.append(" AND (").append(col).append(", name) ").append(cmp).append(" (?, ?)");
        args.add(after.value);
      }
      args.add(after.name);
    }
    sql.append(" ORDER BY ");
    if (order.sort() != ListOrder.Sort.NAME) sql.append(col).append(' ').append(dir).append(", ");
    sql.append("name ").append(dir).append(" LIMIT ").append(limit);
    List<Node> rows = new ArrayList<>();
    try (PreparedStatement ps = Sql.prepare(c, sql.toString(), args.toArray()); ResultSet rs = ps.executeQuery()) {
      while (rs.next()) rows.add(TreeRows.read(rs));
    }
    return rows;
  }

  /** Where a page ended, bound to the folder and the order it was listed in. */
  private record Position(int group, Long value, String name) {
    static Position of(int group, Node n, ListOrder order) {
      Long v = switch (order.sort()) {
        case NAME -> null;
        case SIZE -> n.size();
        case MODIFIED -> n.modified();
      };
      return new Position(group, v, n.name());
    }

    String encode(ListOrder order, long folder) {
      JsonObject j = new JsonObject().put("f", folder).put("o", orderKey(order)).put("g", group).put("n", name);
      if (value != null) j.put("v", value);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(j.encode().getBytes(StandardCharsets.UTF_8));
    }

    static Position decode(String cursor, ListOrder order, long folder) {
      try {
        JsonObject j = new JsonObject(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
        int group = j.getInteger("g");
        boolean valueNeeded = order.sort() != ListOrder.Sort.NAME;
        if (j.getLong("f") != folder || !orderKey(order).equals(j.getString("o"))
            || group < 0 || group > (order.foldersFirst() ? 1 : 0) || j.getString("n") == null
            || valueNeeded != j.containsKey("v")) {
          throw badCursor();
        }
        return new Position(group, valueNeeded ? j.getLong("v") : null, j.getString("n"));
      } catch (StorageException e) {
        throw e;
      } catch (RuntimeException e) {
        throw badCursor();
      }
    }

    private static String orderKey(ListOrder o) {
      return o.sort() + (o.descending() ? "-" : "+") + (o.foldersFirst() ? "F" : "");
    }
  }

  private static StorageException badCursor() {
    return StorageException.of(ErrorCode.BAD_REQUEST, "Invalid cursor");
  }
}
