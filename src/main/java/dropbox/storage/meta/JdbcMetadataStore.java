package dropbox.storage.meta;

import dropbox.bus.DeadProperty;
import dropbox.bus.ErrorCode;
import dropbox.bus.FileInfo;
import dropbox.bus.StorageException;
import dropbox.bus.TreePath;
import dropbox.storage.meta.MetaException.Reason;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * The MetadataStore on JDBC, the same SQL for SQLite and PostgreSQL (Dialect holds the differences).
 * Each public method is one transaction from Transactions; the row-level work is in the package's
 * helpers (TreeRows, UsageRows, Reservations, Blobs, Subtrees, FolderListing, TreeWalk).
 */
final class JdbcMetadataStore implements MetadataStore {
  private final Transactions tx;
  private final Users users;
  private final LongSupplier clock;
  private final AutoCloseable resources;

  private volatile EntryLimits limits = EntryLimits.DEFAULT;

  JdbcMetadataStore(Transactions tx, ToLongFunction<String> quotaFor, LongSupplier clock, AutoCloseable resources) {
    this.tx = tx;
    this.users = new Users(tx, quotaFor, clock);
    this.clock = clock;
    this.resources = resources;
  }

  @Override public void setEntryLimits(EntryLimits limits) { this.limits = limits; }

  /** For tests in this package that look at the store's own connections. */
  Transactions transactions() { return tx; }

  // ------------------------------------------------------------ accounts

  @Override public boolean createAccount(String name, String pbkdf2Hash, long created) {
    return tx.write(c -> Sql.update(c, "INSERT INTO accounts (name_key, name, hash, created) VALUES (?, ?, ?, ?) "
        + "ON CONFLICT (name_key) DO NOTHING", Users.key(name), name, pbkdf2Hash, created) == 1);
  }

  @Override public Optional<Account> findAccount(String name) {
    return tx.read(c -> {
      try (PreparedStatement ps = Sql.prepare(c, "SELECT name, hash, created FROM accounts WHERE name_key = ?",
          Users.key(name)); ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(new Account(rs.getString(1), rs.getString(2), rs.getLong(3))) : Optional.empty();
      }
    });
  }

  // ------------------------------------------------------------ usage and reservations

  @Override public UserUsage usage(String user) {
    Users.Ref u = users.ensure(user);
    return tx.read(c -> UsageRows.read(c, u.id()));
  }

  @Override public Reservation reserve(String user, long bytes, String ownerNode, long deadline) {
    if (bytes < 0) throw StorageException.of(ErrorCode.BAD_REQUEST, "Negative reservation");
    Users.Ref u = users.ensure(user);
    String id = UUID.randomUUID().toString();
    tx.writeVolatile(u.id(), c -> {
      UsageRows.hold(c, u.id(), bytes);
      Reservations.insert(c, id, u.id(), bytes, ownerNode, deadline);
      return null;
    });
    return new Reservation(id, user, bytes, ownerNode, deadline);
  }

  @Override public long extend(String user, String reservationId, long more) {
    if (more < 0) throw StorageException.of(ErrorCode.BAD_REQUEST, "Negative reservation");
    Users.Ref u = users.ensure(user);
    return tx.writeVolatile(u.id(), c -> {
      long total = Reservations.grow(c, u.id(), reservationId, more);
      UsageRows.hold(c, u.id(), more);
      return total;
    });
  }

  @Override public boolean release(String user, String reservationId) {
    Users.Ref u = users.ensure(user);
    return tx.writeVolatile(u.id(), c -> {
      long bytes = Reservations.take(c, u.id(), reservationId);
      if (bytes < 0) return false;
      UsageRows.unhold(c, u.id(), bytes);
      return true;
    });
  }

  @Override public int releaseNode(String ownerNode) {
    return tx.write(c -> Reservations.releaseWhere(c, tx.dialect(), "owner_node = ?", ownerNode));
  }

  @Override public int releaseExpired(long now) {
    return tx.write(c -> Reservations.releaseWhere(c, tx.dialect(), "deadline < ?", now));
  }

  @Override public List<String> reservationOwners() {
    return tx.read(c -> {
      List<String> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT DISTINCT owner_node FROM reservations WHERE owner_node IS NOT NULL ORDER BY owner_node");
           ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.add(rs.getString(1));
      }
      return out;
    });
  }

  @Override public void heartbeat(String nodeId, long now) {
    tx.writeVolatile(c -> Sql.update(c, "INSERT INTO node_heartbeats (node_id, seen_at) VALUES (?, ?) "
        + "ON CONFLICT (node_id) DO UPDATE SET seen_at = excluded.seen_at", nodeId, now));
  }

  @Override public java.util.Set<String> nodesSeenSince(long since, long forgetBefore) {
    tx.writeVolatile(c -> Sql.update(c, "DELETE FROM node_heartbeats WHERE seen_at < ?", forgetBefore));
    return tx.read(c -> {
      java.util.Set<String> out = new java.util.HashSet<>();
      try (PreparedStatement ps = Sql.prepare(c, "SELECT node_id FROM node_heartbeats WHERE seen_at >= ?", since);
           ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.add(rs.getString(1));
      }
      return out;
    });
  }

  // ------------------------------------------------------------ the tree

  @Override public Optional<Node> resolve(String user, TreePath path) {
    Users.Ref u = users.ensure(user);
    return tx.read(c -> Optional.ofNullable(TreeRows.walk(c, u, path)));
  }

  @Override public Node mkdirs(String user, TreePath path) {
    Users.Ref u = users.ensure(user);
    return tx.write(u.id(), c -> TreeRows.mkdirs(c, u, path, clock.getAsLong(), limits.maxFolders()));
  }

  @Override public UploadCommit commitUpload(String user, TreePath path, String reservationId, long size,
                                             String sha256, Consumer<Node> check) {
    return commit(user, path, reservationId, size, sha256, null, check);
  }

  @Override public UploadCommit commitInline(String user, TreePath path, String reservationId, String sha256,
                                             byte[] content, Consumer<Node> check) {
    if (content == null) throw StorageException.of(ErrorCode.BAD_REQUEST, "Invalid upload");
    return commit(user, path, reservationId, content.length, sha256, content, check);
  }

  /** One upload's commit; inline: the bytes to keep in the blob row when this creates it. */
  private UploadCommit commit(String user, TreePath path, String reservationId, long size, String sha256,
                              byte[] inline, Consumer<Node> check) {
    if (path.isRoot()) throw MetaException.of(Reason.PATH_CONFLICT);
    if (size < 0 || sha256 == null) throw StorageException.of(ErrorCode.BAD_REQUEST, "Invalid upload");
    Users.Ref u = users.ensure(user);
    return tx.write(u.id(), c -> {
      long now = clock.getAsLong();
      Node parent = TreeRows.mkdirs(c, u, path.parent(), now, limits.maxFolders());
      Node old = TreeRows.child(c, u.id(), parent.id(), path.name());
      if (old != null && old.isFolder()) throw MetaException.of(Reason.PATH_CONFLICT);
      if (check != null) check.accept(old);
      long held = 0;
      if (reservationId != null) {
        held = Reservations.take(c, u.id(), reservationId);
        if (held < 0) throw Reservations.unknown();
      }
      UsageRows.settle(c, u.id(), size - (old == null ? 0 : old.size()), old == null ? 1 : 0, held, limits.maxFiles());
      // New reference first: replacing a file by the same content never takes its blob through 0.
      boolean blobCreated = Blobs.incref(c, u.id(), sha256, size, 1);
      if (blobCreated && inline != null) Blobs.setContent(c, u.id(), sha256, inline);
      Node file;
      if (old == null) {
        file = TreeRows.insertFile(c, u.id(), parent.id(), path.name(), size, sha256, now, now);
      } else {
        Sql.update(c, "UPDATE nodes SET size = ?, sha256 = ?, modified = ? WHERE id = ?", size, sha256, now, old.id());
        Blobs.decref(c, u.id(), old.sha256(), now);
        file = new Node(old.id(), old.parentId(), old.name(), Node.Kind.FILE, size, sha256, old.created(), now);
      }
      return new UploadCommit(file, old, blobCreated);
    });
  }

  /**
   * One statement (FileLookup), run outside an explicit transaction: a single SELECT is its own snapshot
   * in both databases, so the row and the inline bytes still come from one snapshot, without the BEGIN and
   * COMMIT round a transaction costs. Measured on a 4 KiB GET: the transaction walk (BEGIN, root row,
   * child row, blob row, COMMIT) was 78 % of the storage worker's CPU.
   */
  @Override public Optional<StoredFile> openFile(String user, TreePath path) {
    Users.Ref u = users.ensure(user);
    if (path.isRoot()) return Optional.empty(); // the root is a folder
    if (path.depth() > FileLookup.MAX_DEPTH) {
      return tx.read(c -> {
        Node n = TreeRows.walk(c, u, path);
        if (n == null || !n.isFile()) return Optional.<StoredFile>empty();
        return Optional.of(new StoredFile(n, Blobs.content(c, u.id(), n.sha256())));
      });
    }
    LookupCache cache = tx.lookups();
    if (cache == null) return Optional.ofNullable(tx.readStatement(c -> FileLookup.find(c, u, path)));
    return Optional.ofNullable(cache.find(u.id(), path, () -> tx.readStatement(c -> FileLookup.find(c, u, path))));
  }

  @Override public Optional<StoredFile> cachedFile(String user, TreePath path) {
    LookupCache cache = tx.lookups();
    if (cache == null || path.isRoot() || path.depth() > FileLookup.MAX_DEPTH) return Optional.empty();
    Users.Ref u = users.cached(user);
    return u == null ? Optional.empty() : Optional.ofNullable(cache.peek(u.id(), path));
  }

  @Override public Optional<byte[]> inlineContent(String user, String sha256) {
    Users.Ref u = users.ensure(user);
    return tx.read(c -> Optional.ofNullable(Blobs.content(c, u.id(), sha256)));
  }

  @Override public List<FileInfo> importFiles(String user, List<FileInfo> files) {
    Users.Ref u = users.ensure(user);
    return tx.write(u.id(), c -> {
      List<FileInfo> added = new ArrayList<>();
      long bytes = 0;
      for (FileInfo f : files) {
        TreePath path = TreePath.parse(f.name());
        Node parent = TreeRows.mkdirs(c, u, path.parent(), f.created(), 0); // counted, never refused
        if (TreeRows.child(c, u.id(), parent.id(), path.name()) != null) continue; // imported before
        Blobs.incref(c, u.id(), f.sha256(), f.size(), 1);
        TreeRows.insertFile(c, u.id(), parent.id(), path.name(), f.size(), f.sha256(), f.created(), f.modified());
        added.add(f);
        bytes += f.size();
      }
      // No quota condition: v1 stored and counted these bytes already; a lowered quota must not lose files.
      Sql.update(c, "UPDATE users SET used_bytes = used_bytes + ?, file_count = file_count + ? WHERE id = ?",
          bytes, added.size(), u.id());
      return added;
    });
  }

  @Override public void analyze() {
    tx.write(c -> Sql.update(c, "ANALYZE"));
  }

  @Override public Node deleteFile(String user, TreePath path, Consumer<Node> check) {
    Users.Ref u = users.ensure(user);
    return tx.write(u.id(), c -> {
      Node n = TreeRows.walk(c, u, path);
      if (n == null) throw MetaException.of(Reason.FILE_NOT_FOUND);
      if (n.isFolder()) throw MetaException.of(Reason.IS_FOLDER);
      if (check != null) check.accept(n);
      removeFile(c, u, n);
      return n;
    });
  }

  @Override public RemovedTree deleteFolder(String user, TreePath path) {
    if (path.isRoot()) throw StorageException.of(ErrorCode.BAD_REQUEST, "The root folder cannot be removed");
    Users.Ref u = users.ensure(user);
    return tx.write(u.id(), c -> {
      Node n = TreeRows.walk(c, u, path);
      if (n == null || !n.isFolder()) throw MetaException.of(Reason.FOLDER_NOT_FOUND);
      Subtrees.collect(c, tx.dialect(), n.id());
      Subtrees.Totals t = Subtrees.totals(c);
      long folders = Subtrees.collected(c) - t.files(); // the folder itself included
      Subtrees.adjustRefs(c, u.id(), -1, clock.getAsLong());
      Subtrees.deleteRows(c);
      Subtrees.clear(c);
      UsageRows.remove(c, u.id(), t.bytes(), t.files());
      UsageRows.folders(c, u.id(), -folders, 0);
      return new RemovedTree(n, t.files(), t.bytes());
    });
  }

  @Override public Node move(String user, TreePath from, TreePath to, boolean overwrite) {
    checkTransfer(from, to);
    Users.Ref u = users.ensure(user);
    return tx.write(u.id(), c -> {
      Node src = source(c, u, from, to);
      checkFits(c, src, from, to);
      Node parent = targetParent(c, u, src, to);
      clearTarget(c, u, src, parent, to.name(), overwrite);
      String key = TreeRows.walkKey(to.name(), src.kind());
      // The one row of the move: the subtree hangs off src.id and follows without being touched.
      Sql.update(c, "UPDATE nodes SET parent_id = ?, name = ?, walk_key = ? WHERE id = ?",
          parent.id(), to.name(), key, src.id());
      return new Node(src.id(), parent.id(), to.name(), src.kind(), src.size(), src.sha256(), src.created(), src.modified());
    });
  }

  @Override public Node copy(String user, TreePath from, TreePath to, boolean overwrite) {
    checkTransfer(from, to);
    Users.Ref u = users.ensure(user);
    return tx.write(u.id(), c -> {
      long now = clock.getAsLong();
      Node src = source(c, u, from, to);
      checkFits(c, src, from, to);
      Node parent = targetParent(c, u, src, to);
      clearTarget(c, u, src, parent, to.name(), overwrite);
      if (src.isFile()) {
        UsageRows.settle(c, u.id(), src.size(), 1, 0, limits.maxFiles());
        Blobs.incref(c, u.id(), src.sha256(), src.size(), 1);
        Node made = TreeRows.insertFile(c, u.id(), parent.id(), to.name(), src.size(), src.sha256(), now, src.modified());
        Subtrees.copyProperties(c, src.id(), made.id());
        return made;
      }
      Subtrees.collect(c, tx.dialect(), src.id());
      long entries = Subtrees.collected(c);
      if (limits.maxCopyEntries() > 0 && entries > limits.maxCopyEntries()) {
        throw StorageException.of(ErrorCode.QUOTA_EXCEEDED, "Quota exceeded (a copy makes at most "
            + limits.maxCopyEntries() + " files and folders at once; this one would make " + entries + ")");
      }
      Subtrees.Totals t = Subtrees.totals(c);
      // The copy's logical bytes, as the user sees them, its files and its folders (its top one included).
      UsageRows.settle(c, u.id(), t.bytes(), t.files(), 0, limits.maxFiles());
      UsageRows.folders(c, u.id(), entries - t.files(), limits.maxFolders());
      Subtrees.adjustRefs(c, u.id(), +1, now);
      Subtrees.clear(c);
      Node copy = TreeRows.createFolder(c, u.id(), parent.id(), to.name(), now);
      Subtrees.copyProperties(c, src.id(), copy.id());
      Subtrees.copyRows(c, u.id(), src.id(), copy.id(), now);
      return copy;
    });
  }

  /**
   * INVALID_MOVE when a folder would take a path below it past 64 segments or 4000 bytes: no command could
   * name that file again (download, delete, move it back), short of moving an ancestor out.
   */
  private void checkFits(Connection c, Node src, TreePath from, TreePath to) throws SQLException {
    if (!src.isFile() && !Subtrees.fitsUnder(c, tx.dialect(), src.id(), from, to)) {
      throw MetaException.of(Reason.INVALID_MOVE);
    }
  }

  /** Refusals that need no database: the root moved, or something moved onto the root. */
  private static void checkTransfer(TreePath from, TreePath to) {
    if (from.isRoot() || to.isRoot()) throw MetaException.of(Reason.INVALID_MOVE);
  }

  /**
   * The node a move or copy takes: FILE_NOT_FOUND when there is none, then INVALID_MOVE for a path onto
   * itself or into its own subtree (in that order, so "COPY ghost ghost" says the source is missing).
   */
  private static Node source(Connection c, Users.Ref u, TreePath from, TreePath to) throws SQLException {
    Node src = TreeRows.walk(c, u, from);
    if (src == null) throw MetaException.of(Reason.FILE_NOT_FOUND);
    if (to.isWithin(from)) throw MetaException.of(Reason.INVALID_MOVE);
    return src;
  }

  /** The folder that will hold to (created if missing), refusing a folder that would end up inside itself. */
  private Node targetParent(Connection c, Users.Ref u, Node src, TreePath to) throws SQLException {
    Node parent = TreeRows.mkdirs(c, u, to.parent(), clock.getAsLong(), limits.maxFolders());
    if (src.isFolder() && TreeRows.isSelfOrAncestor(c, src.id(), parent.id())) {
      throw MetaException.of(Reason.INVALID_MOVE);
    }
    return parent;
  }

  /** Makes room at parent/name: nothing there, or (overwrite, file onto file) the old file removed. */
  private void clearTarget(Connection c, Users.Ref u, Node src, Node parent, String name, boolean overwrite)
      throws SQLException {
    Node target = TreeRows.child(c, u.id(), parent.id(), name);
    if (target == null) return;
    if (!overwrite || target.isFolder() || src.isFolder()) throw MetaException.of(Reason.TARGET_EXISTS);
    removeFile(c, u, target);
  }

  private void removeFile(Connection c, Users.Ref u, Node file) throws SQLException {
    TreeRows.delete(c, file.id());
    Blobs.decref(c, u.id(), file.sha256(), clock.getAsLong());
    UsageRows.remove(c, u.id(), file.size(), 1);
  }

  @Override public FolderPage list(String user, TreePath folder, ListOrder order, int limit, String cursor) {
    Users.Ref u = users.ensure(user);
    return tx.read(c -> {
      Node f = TreeRows.walk(c, u, folder);
      if (f == null || !f.isFolder()) throw MetaException.of(Reason.FOLDER_NOT_FOUND);
      String[] next = new String[1];
      List<Node> entries = FolderListing.page(c, f, order, limit, cursor, next);
      return new FolderPage(f, entries, next[0], UsageRows.read(c, u.id()));
    });
  }

  @Override public Node setModified(String user, TreePath path, long modified) {
    Users.Ref u = users.ensure(user);
    return tx.write(u.id(), c -> {
      Node n = TreeRows.walk(c, u, path);
      if (n == null) throw MetaException.of(Reason.FILE_NOT_FOUND);
      if (n.isFolder()) throw MetaException.of(Reason.IS_FOLDER);
      Sql.update(c, "UPDATE nodes SET modified = ? WHERE id = ?", modified, n.id());
      return new Node(n.id(), n.parentId(), n.name(), n.kind(), n.size(), n.sha256(), n.created(), modified);
    });
  }

  @Override public List<DeadProperty> properties(String user, TreePath path) {
    Users.Ref u = users.ensure(user);
    return tx.read(c -> {
      Node n = TreeRows.walk(c, u, path);
      if (n == null) throw MetaException.of(Reason.FILE_NOT_FOUND);
      List<DeadProperty> out = new ArrayList<>();
      try (PreparedStatement ps = Sql.prepare(c, "SELECT ns, name, value FROM dav_properties WHERE node_id = ? "
          + "ORDER BY ns, name", n.id()); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.add(new DeadProperty(rs.getString(1), rs.getString(2), rs.getString(3)));
      }
      return out;
    });
  }

  @Override public void patchProperties(String user, TreePath path, List<DeadProperty> set,
                                        List<DeadProperty> remove) {
    Users.Ref u = users.ensure(user);
    tx.write(u.id(), c -> {
      Node n = TreeRows.walk(c, u, path);
      if (n == null) throw MetaException.of(Reason.FILE_NOT_FOUND);
      for (DeadProperty p : remove) {
        Sql.update(c, "DELETE FROM dav_properties WHERE node_id = ? AND ns = ? AND name = ?", n.id(), p.ns(), p.name());
      }
      for (DeadProperty p : set) {
        Sql.update(c, "INSERT INTO dav_properties (node_id, ns, name, value) VALUES (?, ?, ?, ?) "
            + "ON CONFLICT (node_id, ns, name) DO UPDATE SET value = excluded.value", n.id(), p.ns(), p.name(), p.value());
      }
      // Checked on what the node holds afterwards; refusing rolls the whole PROPPATCH back.
      if (!set.isEmpty()) {
        long count = Sql.queryLong(c, "SELECT COUNT(*) FROM dav_properties WHERE node_id = ?", 0, n.id());
        long chars = Sql.queryLong(c, "SELECT COALESCE(SUM(LENGTH(ns) + LENGTH(name) + LENGTH(value)), 0) "
            + "FROM dav_properties WHERE node_id = ?", 0, n.id());
        if (count > DeadProperty.MAX_PER_NODE || chars > DeadProperty.MAX_CHARS_PER_NODE) {
          throw StorageException.of(ErrorCode.TOO_LARGE, "A file or folder may carry at most "
              + DeadProperty.MAX_PER_NODE + " properties of " + DeadProperty.MAX_CHARS_PER_NODE
              + " characters in all");
        }
      }
      return null;
    });
  }

  @Override public FileStream streamFiles(String user) {
    return new TreeWalk(tx, users.ensure(user), TreePath.ROOT);
  }

  @Override public FileStream streamFilesAfter(String user, TreePath after) {
    return new TreeWalk(tx, users.ensure(user), after);
  }

  // ------------------------------------------------------------ blobs and fsck

  @Override public boolean hasBlob(String user, String sha256) {
    Users.Ref u = users.ensure(user);
    return tx.read(c -> Sql.queryLong(c, "SELECT COUNT(*) FROM blobs WHERE user_id = ? AND sha256 = ?", 0,
        u.id(), sha256) > 0);
  }

  @Override public List<BlobRef> unreferencedBlobs(long zeroBefore, int limit) {
    return tx.read(c -> {
      List<BlobRef> out = new ArrayList<>();
      try (PreparedStatement ps = Sql.prepare(c, "SELECT u.name_key, b.sha256, b.size FROM blobs b "
          + "JOIN users u ON u.id = b.user_id WHERE b.refcount = 0 AND b.zero_since < ? "
          + "ORDER BY b.zero_since LIMIT " + Math.max(1, limit), zeroBefore); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.add(new BlobRef(rs.getString(1), rs.getString(2), rs.getLong(3)));
      }
      return out;
    });
  }

  @Override public boolean forgetBlob(String user, String sha256, long zeroBefore) {
    Users.Ref u = users.ensure(user);
    return tx.write(u.id(), c -> Sql.update(c, "DELETE FROM blobs WHERE user_id = ? AND sha256 = ? "
        + "AND refcount = 0 AND zero_since < ?", u.id(), sha256, zeroBefore) == 1);
  }

  @Override public List<String> users() {
    return tx.read(c -> {
      List<String> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT name_key FROM users ORDER BY name_key");
           ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.add(rs.getString(1));
      }
      return out;
    });
  }

  @Override public UsageCheck checkUsage(String user) {
    Users.Ref u = users.ensure(user);
    return tx.read(c -> check(c, user, u));
  }

  @Override public List<BlobCount> wrongBlobCounts(String user) {
    Users.Ref u = users.ensure(user);
    return tx.read(c -> Integrity.wrongCounts(c, u.id()));
  }

  @Override public List<Reservation> reservations(String user) {
    Users.Ref u = users.ensure(user);
    return tx.read(c -> Integrity.reservations(c, u.id(), user));
  }

  @Override public UsageCheck repairUsage(String user) {
    Users.Ref u = users.ensure(user);
    return tx.write(u.id(), c -> {
      UsageCheck before = check(c, user, u);
      UserUsage fixed = before.computed();
      Sql.update(c, "UPDATE users SET used_bytes = ?, reserved_bytes = ?, file_count = ?, folder_count = ? WHERE id = ?",
          fixed.usedBytes(), fixed.reservedBytes(), fixed.fileCount(), fixed.folderCount(), u.id());
      long now = clock.getAsLong();
      String refs = "(SELECT COUNT(*) FROM nodes n WHERE n.kind = 1 AND n.user_id = blobs.user_id "
          + "AND n.sha256 = blobs.sha256)";
      Sql.update(c, "UPDATE blobs SET zero_since = CASE WHEN " + refs + " > 0 THEN NULL "
          + "WHEN zero_since IS NULL THEN ? ELSE zero_since END, refcount = " + refs + " WHERE user_id = ?", now, u.id());
      return before;
    });
  }

  private static UsageCheck check(Connection c, String user, Users.Ref u) throws SQLException {
    UserUsage stored = UsageRows.read(c, u.id());
    long used;
    long files;
    try (PreparedStatement ps = Sql.prepare(c,
        "SELECT COALESCE(SUM(size), 0), COUNT(*) FROM nodes WHERE user_id = ? AND kind = 1", u.id());
         ResultSet rs = ps.executeQuery()) {
      rs.next();
      used = rs.getLong(1);
      files = rs.getLong(2);
    }
    long reserved = Sql.queryLong(c, "SELECT COALESCE(SUM(bytes), 0) FROM reservations WHERE user_id = ?", 0, u.id());
    long folders = Sql.queryLong(c, "SELECT COUNT(*) FROM nodes WHERE user_id = ? AND kind = 0 AND parent_id IS NOT NULL",
        0, u.id());
    return new UsageCheck(user, stored, new UserUsage(used, reserved, files, stored.quotaBytes(), folders));
  }

  @Override public void close() {
    try {
      resources.close();
    } catch (Exception e) {
      throw new IllegalStateException("closing the metadata store", e);
    }
  }
}
