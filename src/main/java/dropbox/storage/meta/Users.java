package dropbox.storage.meta;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * Storage users: their row (the quota ledger) and root folder, created on first use in a transaction of
 * their own, so an operation that is refused and rolled back never takes a user's creation with it. The
 * name -> ids mapping never changes once made, so it is cached; the quota is brought in line with the
 * policy the first time this process meets the user.
 */
final class Users {
  record Ref(long id, long rootId) {}

  private final Transactions tx;
  private final ToLongFunction<String> quotaFor;
  private final LongSupplier clock;
  private final Map<String, Ref> cache = new ConcurrentHashMap<>();

  Users(Transactions tx, ToLongFunction<String> quotaFor, LongSupplier clock) {
    this.tx = tx;
    this.quotaFor = quotaFor;
    this.clock = clock;
  }

  static String key(String user) {
    if (user == null || user.isEmpty()) throw new IllegalArgumentException("no user");
    return user.toLowerCase(Locale.ROOT);
  }

  /** The user's ids when this process met the user before, else null; never touches the database. */
  Ref cached(String user) {
    return cache.get(key(user));
  }

  Ref ensure(String user) {
    String key = key(user);
    Ref r = cache.get(key);
    if (r != null) return r;
    long quota = quotaFor.applyAsLong(user);
    // A user met before (another process, or fsck reading a root) needs no write: a read finds the row,
    // and only a missing row, root or a quota out of line with the policy takes the write transaction.
    r = tx.readStatement(c -> existing(c, key, quota));
    if (r == null) r = tx.write(c -> create(c, key, quota, clock.getAsLong()));
    cache.put(key, r);
    return r;
  }

  /** The user's ids when the row and its root exist and its quota needs no change, else null. */
  private static Ref existing(Connection c, String key, long quota) throws SQLException {
    try (PreparedStatement ps = Sql.prepare(c, "SELECT u.id, u.quota_bytes, n.id FROM users u LEFT JOIN nodes n"
        + " ON n.user_id = u.id AND n.parent_id IS NULL WHERE u.name_key = ?", key); ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) return null;
      long root = rs.getLong(3);
      if (rs.wasNull()) return null;
      if (quota != MetadataStores.KEEP_STORED_QUOTA && rs.getLong(2) != quota) return null;
      return new Ref(rs.getLong(1), root);
    }
  }

  private static Ref create(Connection c, String key, long quota, long now) throws SQLException {
    Sql.update(c, "INSERT INTO users (name_key, quota_bytes, created) VALUES (?, ?, ?) "
        + "ON CONFLICT (name_key) DO NOTHING", key, Math.max(0, quota), now);
    long id = Sql.queryLong(c, "SELECT id FROM users WHERE name_key = ?", -1, key);
    if (quota != MetadataStores.KEEP_STORED_QUOTA) {
      Sql.update(c, "UPDATE users SET quota_bytes = ? WHERE id = ? AND quota_bytes <> ?", quota, id, quota);
    }
    Sql.update(c, "INSERT INTO nodes (user_id, parent_id, name, walk_key, kind, size, sha256, created, modified) "
        + "VALUES (?, NULL, '', '', 0, 0, NULL, ?, ?) ON CONFLICT (user_id) WHERE parent_id IS NULL DO NOTHING",
        id, now, now);
    long root = Sql.queryLong(c, "SELECT id FROM nodes WHERE user_id = ? AND parent_id IS NULL", -1, id);
    return new Ref(id, root);
  }

}
