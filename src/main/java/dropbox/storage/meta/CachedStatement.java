package dropbox.storage.meta;

import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.net.URL;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.Date;
import java.sql.NClob;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.Ref;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.Calendar;

/**
 * One caller's use of a statement checked out of a {@link StatementCache}: every call goes to the compiled
 * statement until close(), which gives it back (once). A plain delegating class rather than a
 * java.lang.reflect.Proxy: every SQL call of every operation passes here, and the proxy's reflective
 * dispatch (a Method.invoke per call, a switch on the method's name) was a large share of a cold server's
 * first operations and of the JIT's work; the methods below are mechanical, one per PreparedStatement method.
 *
 * <p>What a call does to reuse: a statement-level setting (max rows, fetch size, timeout... — the
 * setters with a single value; parameter setters take an index and a value), addBatch and
 * closeOnCompletion would outlive this caller, and a call that failed leaves a statement not trusted
 * again: either way it is closed, not kept, when given back. The last ResultSet opened is closed at the
 * give-back, which resets the statement (SQLite: ends its read snapshot).
 */
final class CachedStatement implements PreparedStatement {
  private final StatementCache cache;
  private final Connection via;
  private final String sql;
  private final PreparedStatement ps;
  private ResultSet last;
  private boolean reusable = true;
  private boolean returned;

  /** via is the connection the caller holds (the pool's proxy), which getConnection() answers. */
  CachedStatement(StatementCache cache, Connection via, String sql, PreparedStatement ps) {
    this.cache = cache;
    this.via = via;
    this.sql = sql;
    this.ps = ps;
  }

  private PreparedStatement live() throws SQLException {
    if (returned) throw new SQLException("statement closed");
    return ps;
  }

  private ResultSet opened(ResultSet rs) {
    if (rs != null) last = rs;
    return rs;
  }

  @Override public void close() {
    if (returned) return;
    returned = true;
    cache.give(sql, ps, last, reusable);
  }

  @Override public boolean isClosed() throws SQLException { return returned || ps.isClosed(); }

  @Override public Connection getConnection() throws SQLException {
    live();
    return via;
  }

  @Override public String toString() { return "cached " + sql; }

  // ---- the rest delegates

  @Override public void addBatch() throws SQLException {
    PreparedStatement s = live();
    reusable = false;
    s.addBatch();
  }
  @Override public void addBatch(String a0) throws SQLException {
    PreparedStatement s = live();
    reusable = false;
    s.addBatch(a0);
  }
  @Override public void cancel() throws SQLException {
    PreparedStatement s = live();
    try { s.cancel(); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void clearBatch() throws SQLException {
    PreparedStatement s = live();
    try { s.clearBatch(); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void clearParameters() throws SQLException {
    PreparedStatement s = live();
    try { s.clearParameters(); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void clearWarnings() throws SQLException {
    PreparedStatement s = live();
    try { s.clearWarnings(); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void closeOnCompletion() throws SQLException {
    PreparedStatement s = live();
    reusable = false;
    s.closeOnCompletion();
  }
  @Override public String enquoteIdentifier(String a0, boolean a1) throws SQLException {
    PreparedStatement s = live();
    try { return s.enquoteIdentifier(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public String enquoteLiteral(String a0) throws SQLException {
    PreparedStatement s = live();
    try { return s.enquoteLiteral(a0); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public String enquoteNCharLiteral(String a0) throws SQLException {
    PreparedStatement s = live();
    try { return s.enquoteNCharLiteral(a0); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public boolean execute() throws SQLException {
    PreparedStatement s = live();
    try { return s.execute(); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public boolean execute(String a0, int[] a1) throws SQLException {
    PreparedStatement s = live();
    try { return s.execute(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public boolean execute(String a0, String[] a1) throws SQLException {
    PreparedStatement s = live();
    try { return s.execute(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public boolean execute(String a0, int a1) throws SQLException {
    PreparedStatement s = live();
    try { return s.execute(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public boolean execute(String a0) throws SQLException {
    PreparedStatement s = live();
    try { return s.execute(a0); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public int[] executeBatch() throws SQLException {
    PreparedStatement s = live();
    try { return s.executeBatch(); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public long[] executeLargeBatch() throws SQLException {
    PreparedStatement s = live();
    try { return s.executeLargeBatch(); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public long executeLargeUpdate() throws SQLException {
    PreparedStatement s = live();
    try { return s.executeLargeUpdate(); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public long executeLargeUpdate(String a0, int[] a1) throws SQLException {
    PreparedStatement s = live();
    try { return s.executeLargeUpdate(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public long executeLargeUpdate(String a0, String[] a1) throws SQLException {
    PreparedStatement s = live();
    try { return s.executeLargeUpdate(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public long executeLargeUpdate(String a0, int a1) throws SQLException {
    PreparedStatement s = live();
    try { return s.executeLargeUpdate(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public long executeLargeUpdate(String a0) throws SQLException {
    PreparedStatement s = live();
    try { return s.executeLargeUpdate(a0); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public ResultSet executeQuery() throws SQLException {
    PreparedStatement s = live();
    try { return opened(s.executeQuery()); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public ResultSet executeQuery(String a0) throws SQLException {
    PreparedStatement s = live();
    try { return opened(s.executeQuery(a0)); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public int executeUpdate() throws SQLException {
    PreparedStatement s = live();
    try { return s.executeUpdate(); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public int executeUpdate(String a0, int[] a1) throws SQLException {
    PreparedStatement s = live();
    try { return s.executeUpdate(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public int executeUpdate(String a0, String[] a1) throws SQLException {
    PreparedStatement s = live();
    try { return s.executeUpdate(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public int executeUpdate(String a0, int a1) throws SQLException {
    PreparedStatement s = live();
    try { return s.executeUpdate(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public int executeUpdate(String a0) throws SQLException {
    PreparedStatement s = live();
    try { return s.executeUpdate(a0); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public int getFetchDirection() throws SQLException {
    PreparedStatement s = live();
    try { return s.getFetchDirection(); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public int getFetchSize() throws SQLException {
    PreparedStatement s = live();
    try { return s.getFetchSize(); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public ResultSet getGeneratedKeys() throws SQLException {
    PreparedStatement s = live();
    try { return opened(s.getGeneratedKeys()); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public long getLargeMaxRows() throws SQLException {
    PreparedStatement s = live();
    try { return s.getLargeMaxRows(); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public long getLargeUpdateCount() throws SQLException {
    PreparedStatement s = live();
    try { return s.getLargeUpdateCount(); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public int getMaxFieldSize() throws SQLException {
    PreparedStatement s = live();
    try { return s.getMaxFieldSize(); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public int getMaxRows() throws SQLException {
    PreparedStatement s = live();
    try { return s.getMaxRows(); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public ResultSetMetaData getMetaData() throws SQLException {
    PreparedStatement s = live();
    try { return s.getMetaData(); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public boolean getMoreResults() throws SQLException {
    PreparedStatement s = live();
    try { return s.getMoreResults(); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public boolean getMoreResults(int a0) throws SQLException {
    PreparedStatement s = live();
    try { return s.getMoreResults(a0); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public ParameterMetaData getParameterMetaData() throws SQLException {
    PreparedStatement s = live();
    try { return s.getParameterMetaData(); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public int getQueryTimeout() throws SQLException {
    PreparedStatement s = live();
    try { return s.getQueryTimeout(); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public ResultSet getResultSet() throws SQLException {
    PreparedStatement s = live();
    try { return opened(s.getResultSet()); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public int getResultSetConcurrency() throws SQLException {
    PreparedStatement s = live();
    try { return s.getResultSetConcurrency(); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public int getResultSetHoldability() throws SQLException {
    PreparedStatement s = live();
    try { return s.getResultSetHoldability(); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public int getResultSetType() throws SQLException {
    PreparedStatement s = live();
    try { return s.getResultSetType(); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public int getUpdateCount() throws SQLException {
    PreparedStatement s = live();
    try { return s.getUpdateCount(); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public SQLWarning getWarnings() throws SQLException {
    PreparedStatement s = live();
    try { return s.getWarnings(); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public boolean isCloseOnCompletion() throws SQLException {
    PreparedStatement s = live();
    try { return s.isCloseOnCompletion(); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public boolean isPoolable() throws SQLException {
    PreparedStatement s = live();
    try { return s.isPoolable(); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public boolean isSimpleIdentifier(String a0) throws SQLException {
    PreparedStatement s = live();
    try { return s.isSimpleIdentifier(a0); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public boolean isWrapperFor(Class<?> a0) throws SQLException {
    PreparedStatement s = live();
    try { return s.isWrapperFor(a0); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setArray(int a0, Array a1) throws SQLException {
    PreparedStatement s = live();
    try { s.setArray(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setAsciiStream(int a0, InputStream a1, int a2) throws SQLException {
    PreparedStatement s = live();
    try { s.setAsciiStream(a0, a1, a2); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setAsciiStream(int a0, InputStream a1, long a2) throws SQLException {
    PreparedStatement s = live();
    try { s.setAsciiStream(a0, a1, a2); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setAsciiStream(int a0, InputStream a1) throws SQLException {
    PreparedStatement s = live();
    try { s.setAsciiStream(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setBigDecimal(int a0, BigDecimal a1) throws SQLException {
    PreparedStatement s = live();
    try { s.setBigDecimal(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setBinaryStream(int a0, InputStream a1, int a2) throws SQLException {
    PreparedStatement s = live();
    try { s.setBinaryStream(a0, a1, a2); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setBinaryStream(int a0, InputStream a1, long a2) throws SQLException {
    PreparedStatement s = live();
    try { s.setBinaryStream(a0, a1, a2); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setBinaryStream(int a0, InputStream a1) throws SQLException {
    PreparedStatement s = live();
    try { s.setBinaryStream(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setBlob(int a0, InputStream a1, long a2) throws SQLException {
    PreparedStatement s = live();
    try { s.setBlob(a0, a1, a2); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setBlob(int a0, InputStream a1) throws SQLException {
    PreparedStatement s = live();
    try { s.setBlob(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setBlob(int a0, Blob a1) throws SQLException {
    PreparedStatement s = live();
    try { s.setBlob(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setBoolean(int a0, boolean a1) throws SQLException {
    PreparedStatement s = live();
    try { s.setBoolean(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setByte(int a0, byte a1) throws SQLException {
    PreparedStatement s = live();
    try { s.setByte(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setBytes(int a0, byte[] a1) throws SQLException {
    PreparedStatement s = live();
    try { s.setBytes(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setCharacterStream(int a0, Reader a1, int a2) throws SQLException {
    PreparedStatement s = live();
    try { s.setCharacterStream(a0, a1, a2); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setCharacterStream(int a0, Reader a1, long a2) throws SQLException {
    PreparedStatement s = live();
    try { s.setCharacterStream(a0, a1, a2); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setCharacterStream(int a0, Reader a1) throws SQLException {
    PreparedStatement s = live();
    try { s.setCharacterStream(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setClob(int a0, Reader a1, long a2) throws SQLException {
    PreparedStatement s = live();
    try { s.setClob(a0, a1, a2); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setClob(int a0, Reader a1) throws SQLException {
    PreparedStatement s = live();
    try { s.setClob(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setClob(int a0, Clob a1) throws SQLException {
    PreparedStatement s = live();
    try { s.setClob(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setCursorName(String a0) throws SQLException {
    PreparedStatement s = live();
    reusable = false;
    s.setCursorName(a0);
  }
  @Override public void setDate(int a0, Date a1, Calendar a2) throws SQLException {
    PreparedStatement s = live();
    try { s.setDate(a0, a1, a2); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setDate(int a0, Date a1) throws SQLException {
    PreparedStatement s = live();
    try { s.setDate(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setDouble(int a0, double a1) throws SQLException {
    PreparedStatement s = live();
    try { s.setDouble(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setEscapeProcessing(boolean a0) throws SQLException {
    PreparedStatement s = live();
    reusable = false;
    s.setEscapeProcessing(a0);
  }
  @Override public void setFetchDirection(int a0) throws SQLException {
    PreparedStatement s = live();
    reusable = false;
    s.setFetchDirection(a0);
  }
  @Override public void setFetchSize(int a0) throws SQLException {
    PreparedStatement s = live();
    reusable = false;
    s.setFetchSize(a0);
  }
  @Override public void setFloat(int a0, float a1) throws SQLException {
    PreparedStatement s = live();
    try { s.setFloat(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setInt(int a0, int a1) throws SQLException {
    PreparedStatement s = live();
    try { s.setInt(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setLargeMaxRows(long a0) throws SQLException {
    PreparedStatement s = live();
    reusable = false;
    s.setLargeMaxRows(a0);
  }
  @Override public void setLong(int a0, long a1) throws SQLException {
    PreparedStatement s = live();
    try { s.setLong(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setMaxFieldSize(int a0) throws SQLException {
    PreparedStatement s = live();
    reusable = false;
    s.setMaxFieldSize(a0);
  }
  @Override public void setMaxRows(int a0) throws SQLException {
    PreparedStatement s = live();
    reusable = false;
    s.setMaxRows(a0);
  }
  @Override public void setNCharacterStream(int a0, Reader a1, long a2) throws SQLException {
    PreparedStatement s = live();
    try { s.setNCharacterStream(a0, a1, a2); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setNCharacterStream(int a0, Reader a1) throws SQLException {
    PreparedStatement s = live();
    try { s.setNCharacterStream(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setNClob(int a0, Reader a1, long a2) throws SQLException {
    PreparedStatement s = live();
    try { s.setNClob(a0, a1, a2); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setNClob(int a0, Reader a1) throws SQLException {
    PreparedStatement s = live();
    try { s.setNClob(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setNClob(int a0, NClob a1) throws SQLException {
    PreparedStatement s = live();
    try { s.setNClob(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setNString(int a0, String a1) throws SQLException {
    PreparedStatement s = live();
    try { s.setNString(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setNull(int a0, int a1, String a2) throws SQLException {
    PreparedStatement s = live();
    try { s.setNull(a0, a1, a2); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setNull(int a0, int a1) throws SQLException {
    PreparedStatement s = live();
    try { s.setNull(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setObject(int a0, Object a1, int a2, int a3) throws SQLException {
    PreparedStatement s = live();
    try { s.setObject(a0, a1, a2, a3); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setObject(int a0, Object a1, int a2) throws SQLException {
    PreparedStatement s = live();
    try { s.setObject(a0, a1, a2); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setObject(int a0, Object a1, SQLType a2, int a3) throws SQLException {
    PreparedStatement s = live();
    try { s.setObject(a0, a1, a2, a3); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setObject(int a0, Object a1, SQLType a2) throws SQLException {
    PreparedStatement s = live();
    try { s.setObject(a0, a1, a2); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setObject(int a0, Object a1) throws SQLException {
    PreparedStatement s = live();
    try { s.setObject(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setPoolable(boolean a0) throws SQLException {
    PreparedStatement s = live();
    reusable = false;
    s.setPoolable(a0);
  }
  @Override public void setQueryTimeout(int a0) throws SQLException {
    PreparedStatement s = live();
    reusable = false;
    s.setQueryTimeout(a0);
  }
  @Override public void setRef(int a0, Ref a1) throws SQLException {
    PreparedStatement s = live();
    try { s.setRef(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setRowId(int a0, RowId a1) throws SQLException {
    PreparedStatement s = live();
    try { s.setRowId(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setSQLXML(int a0, SQLXML a1) throws SQLException {
    PreparedStatement s = live();
    try { s.setSQLXML(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setShort(int a0, short a1) throws SQLException {
    PreparedStatement s = live();
    try { s.setShort(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setString(int a0, String a1) throws SQLException {
    PreparedStatement s = live();
    try { s.setString(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setTime(int a0, Time a1, Calendar a2) throws SQLException {
    PreparedStatement s = live();
    try { s.setTime(a0, a1, a2); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setTime(int a0, Time a1) throws SQLException {
    PreparedStatement s = live();
    try { s.setTime(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setTimestamp(int a0, Timestamp a1, Calendar a2) throws SQLException {
    PreparedStatement s = live();
    try { s.setTimestamp(a0, a1, a2); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setTimestamp(int a0, Timestamp a1) throws SQLException {
    PreparedStatement s = live();
    try { s.setTimestamp(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setURL(int a0, URL a1) throws SQLException {
    PreparedStatement s = live();
    try { s.setURL(a0, a1); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public void setUnicodeStream(int a0, InputStream a1, int a2) throws SQLException {
    PreparedStatement s = live();
    try { s.setUnicodeStream(a0, a1, a2); } catch (Throwable e) { reusable = false; throw e; }
  }
  @Override public <T> T unwrap(Class<T> a0) throws SQLException {
    PreparedStatement s = live();
    try { return s.unwrap(a0); } catch (Throwable e) { reusable = false; throw e; }
  }
}
