package dropbox.storage.meta;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dropbox.Config;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * Opens the metadata database named by the config: PostgreSQL when db.url is set, else SQLite at
 * &lt;storage.root&gt;/dropbox.db. Migrates the schema with Flyway before any pool exists (Flyway's own
 * connection is unpooled, and it takes the database's migration lock, so nodes starting together are safe).
 */
public final class MetadataStores {
  public static final String SQLITE_FILE = "dropbox.db";
  private static final Logger LOG = LoggerFactory.getLogger(MetadataStores.class);
  /**
   * Plan every execution for its actual parameters. The tree is skewed (most folders hold a few entries,
   * some hold 100 000), and a cached generic plan for "parent_id = $1" is costed for the typical folder:
   * for the big one it would read and sort the whole folder on every page instead of walking the index
   * (what the planner does with stale statistics: a 100 000-file walk took 8-24 s instead of 1 s).
   */
  private static final String CUSTOM_PLANS = "SET plan_cache_mode = force_custom_plan";

  private MetadataStores() {}

  /** Config.UsageException for a setup that cannot work (clustered on SQLite, a db.url of another database). */
  /**
   * A quota function's answer meaning "leave the stored quota as it is": what fsck passes, since its own
   * settings (often none) are not the servers' and must not rewrite every user's quota.
   */
  public static final long KEEP_STORED_QUOTA = -1;

  public static MetadataStore open(JsonObject config, ToLongFunction<String> quotaFor) {
    String url = Config.string(config, "db.url");
    long busyMs = Config.longValue(config, "locks.timeoutMillis", 10_000L);
    // Every storage worker may hold one connection, plus one for a streamed listing.
    int pool = (int) Config.longValue(config, "workers.threads", 4L) + 1;
    checkSetup(config);
    MetadataStore store;
    if (url != null && !url.isBlank()) {
      store = openPostgres(url, Config.string(config, "db.user"), Config.string(config, "db.password"),
          pool, busyMs, quotaFor, System::currentTimeMillis);
    } else {
      Path root = Path.of(Config.string(config, "storage.root"));
      store = openSqlite(root.resolve(SQLITE_FILE), pool, busyMs, quotaFor, System::currentTimeMillis);
    }
    store.setEntryLimits(EntryLimits.from(config));
    return store;
  }

  /**
   * Refuses, with a message for the operator, a database setup that cannot work: a clustered start on the
   * embedded SQLite, or a db.url of another database. Cheap (reads the config only), so Main calls it
   * before it starts Vert.x and joins a cluster.
   */
  public static void checkSetup(JsonObject config) {
    String url = Config.string(config, "db.url");
    if (url == null || url.isBlank()) {
      if (Config.bool(config, "cluster.enabled")) {
        // SQLite's locking is only as good as the file system's, and NFS's is not: nodes would corrupt it.
        throw new Config.UsageException("a clustered start (--cluster) needs PostgreSQL: set db.url (and db.user, "
            + "db.password) to the database all nodes share. The embedded SQLite (" + SQLITE_FILE + ") serves one "
            + "node only: its locking is not safe on a shared file system");
      }
    } else if (!url.startsWith("jdbc:postgresql:")) {
      throw new Config.UsageException("db.url must be a jdbc:postgresql: URL (got " + url.split("\\?")[0] + ")");
    }
  }

  /**
   * SQLite in WAL mode with synchronous=FULL (a commit is on disk when it returns), foreign keys on and a
   * busy timeout. One writer connection, BEGIN IMMEDIATE: writers queue in the pool rather than fail on
   * a lock upgrade; readers use their own connections and never block it.
   */
  public static MetadataStore openSqlite(Path file, int readers, long busyMs, ToLongFunction<String> quotaFor,
                                         LongSupplier clock) {
    createOwnerOnly(file);
    String url = "jdbc:sqlite:" + file.toAbsolutePath();
    migrate(sqlite(url, SQLiteConfig.TransactionMode.DEFERRED, busyMs), Dialect.SQLITE);
    HikariDataSource writes = pool("meta-sqlite-write", sqlite(url, SQLiteConfig.TransactionMode.IMMEDIATE, busyMs,
        SQLiteConfig.SynchronousMode.NORMAL), 1, busyMs);
    HikariDataSource reads;
    try {
      reads = pool("meta-sqlite-read", sqlite(url, SQLiteConfig.TransactionMode.DEFERRED, busyMs),
          Math.max(1, readers), busyMs);
    } catch (RuntimeException e) {
      writes.close();
      throw e;
    }
    LOG.info("metadata: SQLite at {}", file);
    return new JdbcMetadataStore(new Transactions(Dialect.SQLITE, writes, reads, busyMs,
        GroupCommit.walOf(file)), quotaFor, clock, () -> {
      reads.close();
      writes.close();
    });
  }

  /**
   * PostgreSQL via the official driver; the database must be UTF8 so that COLLATE "C" is UTF-8 byte order.
   * poolSize connections for writes and as many for reads.
   */
  public static MetadataStore openPostgres(String url, String user, String password, int poolSize, long busyMs,
                                           ToLongFunction<String> quotaFor, LongSupplier clock) {
    PGSimpleDataSource direct = new PGSimpleDataSource();
    direct.setUrl(url);
    if (user != null) direct.setUser(user);
    if (password != null) direct.setPassword(password);
    checkUtf8(direct);
    migrate(direct, Dialect.POSTGRESQL);
    // Writers READ COMMITTED (the conditional UPDATEs re-check their WHERE on the newest row version);
    // readers a consistent snapshot, set once per connection rather than per transaction.
    HikariConfig wc = config("meta-postgresql-write", direct, Math.max(1, poolSize), busyMs);
    wc.setConnectionInitSql(CUSTOM_PLANS);
    HikariDataSource writes = new HikariDataSource(wc);
    HikariDataSource reads;
    try {
      HikariConfig rc = config("meta-postgresql-read", direct, Math.max(1, poolSize), busyMs);
      rc.setConnectionInitSql(CUSTOM_PLANS);
      rc.setReadOnly(true);
      rc.setTransactionIsolation("TRANSACTION_REPEATABLE_READ");
      reads = new HikariDataSource(rc);
    } catch (RuntimeException e) {
      writes.close();
      throw e;
    }
    LOG.info("metadata: PostgreSQL at {}", url.replaceAll("password=[^&]*", "password=***"));
    return new JdbcMetadataStore(new Transactions(Dialect.POSTGRESQL, writes, reads, busyMs), quotaFor, clock, () -> {
      reads.close();
      writes.close();
    });
  }

  private static SQLiteDataSource sqlite(String url, SQLiteConfig.TransactionMode mode, long busyMs) {
    return sqlite(url, mode, busyMs, SQLiteConfig.SynchronousMode.FULL);
  }

  /**
   * The writer connection commits with synchronous=NORMAL: GroupCommit then makes each durable batch's WAL
   * frames durable itself, with an fsync outside the write lock (see GroupCommit). The migrations and the
   * readers keep FULL.
   */
  private static SQLiteDataSource sqlite(String url, SQLiteConfig.TransactionMode mode, long busyMs,
                                         SQLiteConfig.SynchronousMode sync) {
    SQLiteConfig cfg = new SQLiteConfig();
    cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
    cfg.setSynchronous(sync);
    cfg.enforceForeignKeys(true);
    cfg.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, busyMs));
    cfg.setTransactionMode(mode);
    // Nothing reads generated keys (new ids come back by RETURNING or a query); with them on, the driver
    // compiles and runs a "SELECT last_insert_rowid()" after every INSERT.
    cfg.setGetGeneratedKeys(false);
    SQLiteDataSource ds = new SQLiteDataSource(cfg);
    ds.setUrl(url);
    return ds;
  }

  private static HikariDataSource pool(String name, DataSource ds, int size, long waitMs) {
    return new HikariDataSource(config(name, ds, size, waitMs));
  }

  private static HikariConfig config(String name, DataSource ds, int size, long waitMs) {
    HikariConfig hc = new HikariConfig();
    hc.setPoolName(name);
    // Each physical connection keeps its compiled statements (StatementCache): Hikari has no statement cache.
    hc.setDataSource(StatementCache.caching(ds));
    hc.setMaximumPoolSize(size);
    hc.setMinimumIdle(1);
    hc.setAutoCommit(true);
    // Waiting longer than the lock timeout for a connection means the database is the bottleneck: BUSY.
    hc.setConnectionTimeout(Math.max(250, waitMs));
    return hc;
  }

  private static void migrate(DataSource ds, Dialect d) {
    var result = Flyway.configure()
        .dataSource(ds)
        .locations("classpath:db/migration/" + d.migrations)
        .failOnMissingLocations(true)
        .load()
        .migrate();
    if (result.migrationsExecuted > 0) {
      LOG.info("metadata: schema migrated to version {} ({} step(s))", result.targetSchemaVersion, result.migrationsExecuted);
    }
  }

  private static void checkUtf8(DataSource ds) {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SHOW server_encoding")) {
      rs.next();
      if (!"UTF8".equalsIgnoreCase(rs.getString(1))) {
        throw new IllegalStateException("PostgreSQL database encoding is " + rs.getString(1)
            + ": it must be UTF8 (CREATE DATABASE ... ENCODING 'UTF8'), so that names sort by their UTF-8 bytes");
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot connect to PostgreSQL: " + e.getMessage(), e);
    }
  }

  /** The database holds password hashes and every file name: owner-only from its first byte. */
  private static void createOwnerOnly(Path file) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      dropbox.files.PrivateFiles.createDirectories(dir); // 0700, like every directory of the storage root
      if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      }
    } catch (FileAlreadyExistsException ignored) {
      // opened before: SQLite gives its -wal and -shm files the same permissions
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + file, e);
    }
  }
}
