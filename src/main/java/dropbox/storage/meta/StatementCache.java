package dropbox.storage.meta;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Compiled statements kept per physical connection. Profiled on the small-operation load (4 KiB
 * upload/download/list/delete, 10 clients), ~19% of the storage workers' CPU went to compiling SQL: sqlite-jdbc
 * compiles (sqlite3_prepare) on every prepareStatement, and HikariCP has no statement cache. Here the same SQL
 * on the same physical connection reuses its compiled statement.
 *
 * <p>The cache belongs to the physical connection itself: {@link #caching} wraps the driver's DataSource
 * under the pool, so each connection the pool opens ({@link CachingConnection}) carries its own cache,
 * reached through the pool's proxy with {@code unwrap}. Closing that connection (Hikari's maxLifetime, eviction of a broken one, pool
 * shutdown) closes its statements and drops them with it: no map outside the connection can keep them (a
 * WeakHashMap keyed by the connection could not, as each cached statement references its connection).
 *
 * <p>A statement is checked out by {@link #takeRaw}, and handed to exactly one caller, wrapped
 * ({@link CachedStatement}) so that its close() gives it back: the same SQL asked for again while it is
 * out (a nested query over an open ResultSet) gets a second statement. Giving it back closes its ResultSet, which resets it (in SQLite a
 * statement stepped but not reset keeps its read snapshot open: later reads on the connection would be
 * stale, and the WAL checkpoint blocked), and clears its parameters. A statement that failed, or whose
 * statement-level settings the caller changed, is closed instead of kept.
 */
final class StatementCache {
  /**
   * Idle statements kept per connection, least recently used dropped first. The storage code has about 70
   * distinct statements (listing adds a few per sort order), split between the writer and the readers;
   * each compiled SQLite statement takes a few KiB.
   */
  static final int MAX_IDLE = 100;

  /** What a connection with a cache implements besides Connection (reachable through the pool's unwrap). */
  interface Owner {
    StatementCache statements();
  }

  private final Connection raw;
  private final LinkedHashMap<String, PreparedStatement> idle = new LinkedHashMap<>(32, 0.75f, true) {
    @Override protected boolean removeEldestEntry(Map.Entry<String, PreparedStatement> eldest) {
      if (size() <= MAX_IDLE) return false;
      closeQuietly(eldest.getValue());
      return true;
    }
  };
  private boolean closed;

  private StatementCache(Connection raw) {
    this.raw = raw;
  }

  /** A DataSource for the pool: each of its connections keeps its own statement cache. */
  static DataSource caching(DataSource driver) {
    return (DataSource) Proxy.newProxyInstance(StatementCache.class.getClassLoader(), new Class<?>[] {DataSource.class},
        (proxy, m, args) -> {
          if (m.getDeclaringClass() == Object.class) return objectMethod(proxy, m, args, "caching " + driver);
          Object result = invoke(driver, m, args);
          return result instanceof Connection c && m.getName().equals("getConnection") ? withCache(c) : result;
        });
  }

  /** The connection itself, carrying a cache that is closed with it. */
  static Connection withCache(Connection raw) {
    return new CachingConnection(raw, new StatementCache(raw));
  }

  /** The cache of c's physical connection; null when it has none (a connection not from a caching pool). */
  static StatementCache of(Connection c) throws SQLException {
    if (c instanceof Owner o) return o.statements();
    return c.isWrapperFor(Owner.class) ? c.unwrap(Owner.class).statements() : null;
  }

  /** The compiled statement itself, now out of the cache; hand it back with {@link #give}. */
  synchronized PreparedStatement takeRaw(String sql) throws SQLException {
    if (closed) throw new SQLException("connection closed");
    PreparedStatement ps = idle.remove(sql);
    return ps != null ? ps : raw.prepareStatement(sql);
  }

  /** Back into the cache, reset; closed instead if it cannot be reused or one for sql is already idle. */
  void give(String sql, PreparedStatement ps, ResultSet open, boolean reusable) {
    if (reusable) reusable = reset(ps, open);
    synchronized (this) {
      if (reusable && !closed && !idle.containsKey(sql)) {
        idle.put(sql, ps);
        return;
      }
    }
    closeQuietly(ps);
  }

  /** Statements kept now (for tests). */
  synchronized int idle() { return idle.size(); }

  /** The connection closes: so do its statements. */
  void closeAll() {
    List<PreparedStatement> all;
    synchronized (this) {
      closed = true;
      all = new ArrayList<>(idle.values());
      idle.clear();
    }
    all.forEach(StatementCache::closeQuietly);
  }

  private static boolean reset(PreparedStatement ps, ResultSet open) {
    try {
      if (open != null) open.close(); // sqlite-jdbc: resets the statement, which ends its read
      ps.clearParameters();
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  /**
   * ps (from takeRaw, parameters bound) for one caller only: its close() gives it back. via is the
   * connection the caller holds (the pool's proxy), which getConnection() answers.
   */
  PreparedStatement wrap(Connection via, String sql, PreparedStatement ps) {
    return new CachedStatement(this, via, sql, ps);
  }

  private static Object invoke(Object target, Method m, Object[] args) throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static Object objectMethod(Object proxy, Method m, Object[] args, String text) {
    return switch (m.getName()) {
      case "equals" -> proxy == args[0];
      case "hashCode" -> System.identityHashCode(proxy);
      default -> text;
    };
  }

  private static void closeQuietly(PreparedStatement ps) {
    try {
      ps.close();
    } catch (SQLException ignored) {
      // its connection is gone or going: nothing more to release
    }
  }
}
