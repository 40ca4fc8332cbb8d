package dropbox.storage.meta;

import java.sql.SQLException;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * What differs between the two databases. The SQL of the operations is shared (both speak upsert,
 * RETURNING, recursive CTEs and partial indexes); the schema files, the per-transaction scratch table and
 * the reading of error codes are not.
 */
enum Dialect {
  SQLITE("sqlite",
      "CREATE TEMP TABLE IF NOT EXISTS subtree_ids (id INTEGER PRIMARY KEY)"),
  POSTGRESQL("postgresql",
      // ON COMMIT DELETE ROWS: a pooled connection never carries ids into the next transaction.
      "CREATE TEMP TABLE IF NOT EXISTS subtree_ids (id BIGINT PRIMARY KEY) ON COMMIT DELETE ROWS");

  /** Folder under db/migration/ with this dialect's Flyway scripts. */
  final String migrations;
  /** The scratch table that holds a subtree's ids within one transaction (delete and copy of a folder). */
  final String subtreeTable;

  Dialect(String migrations, String subtreeTable) {
    this.migrations = migrations;
    this.subtreeTable = subtreeTable;
  }

  /** The length in bytes (UTF-8) of a text column. */
  String byteLength(String column) {
    return this == POSTGRESQL ? "OCTET_LENGTH(" + column + ")" : "LENGTH(CAST(" + column + " AS BLOB))";
  }

  /** A unique or primary-key violation: a concurrent writer got there first (retry, then conflict). */
  boolean isUniqueViolation(SQLException e) {
    if (this == POSTGRESQL) return "23505".equals(e.getSQLState());
    return e instanceof SQLiteException s && (s.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE
        || s.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY);
  }

  /** Deadlock or serialization failure: the transaction did nothing and may simply run again. */
  boolean isRetryable(SQLException e) {
    if (this == POSTGRESQL) return "40001".equals(e.getSQLState()) || "40P01".equals(e.getSQLState());
    return false; // SQLite serializes writers (BEGIN IMMEDIATE + busy timeout): no deadlocks
  }

  /** The database stayed locked past the busy timeout. */
  boolean isBusy(SQLException e) {
    if (this == POSTGRESQL) return "55P03".equals(e.getSQLState()) || "57014".equals(e.getSQLState());
    return e instanceof SQLiteException s && (s.getResultCode().code & 0xFF) == SQLiteErrorCode.SQLITE_BUSY.code;
  }
}
