package dropbox.storage.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.bus.ErrorCode;
import dropbox.bus.FileInfo;
import dropbox.bus.FileNames;
import dropbox.bus.StorageException;
import dropbox.bus.TreePath;
import dropbox.storage.meta.MetaException.Reason;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The MetadataStore contract, run against each real database by a subclass: every test gets an empty
 * database, opens the store on it (Flyway migrates it) and checks the rows through a raw connection where
 * the point is what the database holds.
 */
abstract class MetadataStoreContract {
  static final long QUOTA = 1_000_000;
  static final String ALICE = "alice";

  final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
  final Map<String, Long> quotas = new ConcurrentHashMap<>();
  MetadataStore store;

  /** Makes an empty database for this test. */
  abstract void createDatabase() throws Exception;

  /** Opens the store on this test's database (again: a restart). */
  abstract MetadataStore openStore();

  /** A plain JDBC connection to this test's database, for looking at rows. */
  abstract Connection raw() throws SQLException;

  @BeforeEach
  void setUp() throws Exception {
    createDatabase();
    store = openStore();
  }

  @AfterEach
  void tearDown() {
    if (store != null) store.close();
  }

  long quotaFor(String user) { return quotas.getOrDefault(user, QUOTA); }

  static TreePath p(String s) { return TreePath.parse(s); }

  static String sha(int n) { return String.format("%064x", n); }

  UploadCommit put(String path, long size, String sha256) {
    clock.incrementAndGet();
    return store.commitUpload(ALICE, p(path), null, size, sha256, null);
  }

  static void assertReason(Reason r, Executable e) {
    MetaException ex = assertThrows(MetaException.class, e);
    assertEquals(r, ex.reason());
  }

  static void assertCode(ErrorCode code, Executable e) {
    assertEquals(code, assertThrows(StorageException.class, e).code());
  }

  long refcount(String user, String sha256) throws SQLException {
    try (Connection c = raw(); PreparedStatement ps = c.prepareStatement("SELECT b.refcount FROM blobs b "
        + "JOIN users u ON u.id = b.user_id WHERE u.name_key = ? AND b.sha256 = ?")) {
      ps.setString(1, user);
      ps.setString(2, sha256);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : -1;
      }
    }
  }

  List<String> allPaths() {
    List<String> out = new ArrayList<>();
    try (FileStream s = store.streamFiles(ALICE)) {
      s.forEachRemaining(f -> out.add(f.name()));
    }
    return out;
  }

  // ------------------------------------------------------------------ folders

  @Test
  void uploadCreatesParentFoldersAndMkdirsIsIdempotent() {
    UploadCommit c = put("a/b/c.txt", 5, sha(1));
    assertTrue(c.created());
    assertTrue(c.blobCreated());
    assertTrue(store.resolve(ALICE, p("a")).orElseThrow().isFolder());
    assertTrue(store.resolve(ALICE, p("a/b")).orElseThrow().isFolder());
    Node f = store.resolve(ALICE, p("a/b/c.txt")).orElseThrow();
    assertEquals(5, f.size());
    assertEquals(sha(1), f.sha256());
    assertTrue(store.resolve(ALICE, p("a/x")).isEmpty());
    assertTrue(store.resolve(ALICE, TreePath.ROOT).orElseThrow().isFolder());

    Node made = store.mkdirs(ALICE, p("a/b/d/e"));
    assertEquals("e", made.name());
    assertEquals(made.id(), store.mkdirs(ALICE, p("a/b/d/e")).id(), "already there is a success");
    UserUsage u = store.usage(ALICE);
    assertEquals(5, u.usedBytes());
    assertEquals(1, u.fileCount());
    assertEquals(QUOTA, u.quotaBytes());
  }

  @Test
  void aFileAndAFolderNeverShareAPath() {
    put("a/b.txt", 1, sha(1));
    assertReason(Reason.PATH_CONFLICT, () -> store.mkdirs(ALICE, p("a/b.txt")));
    assertReason(Reason.PATH_CONFLICT, () -> store.mkdirs(ALICE, p("a/b.txt/c")));
    assertReason(Reason.PATH_CONFLICT, () -> put("a/b.txt/c", 1, sha(2)));
    assertReason(Reason.PATH_CONFLICT, () -> put("a", 1, sha(2)));
    assertReason(Reason.IS_FOLDER, () -> store.deleteFile(ALICE, p("a"), null));
    assertReason(Reason.FOLDER_NOT_FOUND, () -> store.deleteFolder(ALICE, p("a/b.txt")));
    assertReason(Reason.FOLDER_NOT_FOUND, () -> store.list(ALICE, p("a/b.txt"), ListOrder.DEFAULT, 10, null));
    assertReason(Reason.FILE_NOT_FOUND, () -> store.deleteFile(ALICE, p("a/none"), null));
    // Refused operations left nothing behind (a rolled-back mkdirs of c, a failed upload's folders).
    assertEquals(List.of("a/b.txt"), allPaths());
    assertEquals(1, store.usage(ALICE).fileCount());
  }

  @Test
  void replacingAFileKeepsItsCreationTimeAndSettlesTheGrowth() throws SQLException {
    UploadCommit first = put("f", 100, sha(1));
    UploadCommit second = put("f", 30, sha(2));
    assertFalse(second.created());
    assertEquals(first.file().id(), second.file().id());
    assertEquals(first.file().created(), second.file().created());
    assertTrue(second.file().modified() > first.file().modified());
    assertEquals(100, second.replaced().size());
    assertEquals(30, store.usage(ALICE).usedBytes());
    assertEquals(1, store.usage(ALICE).fileCount());
    assertEquals(0, refcount(ALICE, sha(1)));
    assertEquals(1, refcount(ALICE, sha(2)));
    // Same content again: the blob is never taken through 0.
    put("f", 30, sha(2));
    assertEquals(1, refcount(ALICE, sha(2)));
  }

  // ------------------------------------------------------------------ move and copy

  /** src/f: 100 files; g/c0..c9: copies of f (1010 entries); big/d0..d9: copies of g (10 110 entries). */
  void buildBigTree() {
    for (int i = 0; i < 100; i++) put("src/f/file" + i, 1, sha(i % 7));
    for (int i = 0; i < 10; i++) store.copy(ALICE, p("src/f"), p("src/g/c" + i), false);
    for (int i = 0; i < 10; i++) store.copy(ALICE, p("src/g"), p("big/d" + i), false);
  }

  @Test
  void movingAFolderOf10000DescendantsUpdatesOneRow() throws SQLException {
    buildBigTree();
    Map<Long, String> before = rows();
    long descendants = store.resolve(ALICE, p("big")).map(n -> countBelow(before, n.id())).orElseThrow();
    assertTrue(descendants >= 10_000, "descendants " + descendants);
    UserUsage usage = store.usage(ALICE);

    Node moved = store.move(ALICE, p("big"), p("archive/2026/big-renamed"), false);
    assertEquals("big-renamed", moved.name());

    Map<Long, String> after = rows();
    List<Long> changed = new ArrayList<>();
    for (Map.Entry<Long, String> e : before.entrySet()) {
      if (!e.getValue().equals(after.get(e.getKey()))) changed.add(e.getKey());
    }
    // The only existing row that changed is the moved folder (its parent and name); the new rows are the
    // two created parents. Nothing below it was rewritten: the subtree hangs off its unchanged id.
    assertEquals(List.of(moved.id()), changed);
    assertEquals(before.size() + 2, after.size());
    assertEquals(new UserUsage(usage.usedBytes(), 0, usage.fileCount(), usage.quotaBytes(), usage.folderCount() + 2),
        store.usage(ALICE), "the same files; two folders more: the new parents");
    assertTrue(store.resolve(ALICE, p("big")).isEmpty());
    assertEquals(1, store.resolve(ALICE, p("archive/2026/big-renamed/d3/c7/file42")).orElseThrow().size());
    assertReason(Reason.INVALID_MOVE, () -> store.move(ALICE, p("archive"), p("archive/2026/big-renamed/x"), false));
  }

  /** id -> "parent|name|size|sha|modified" of every node. */
  Map<Long, String> rows() throws SQLException {
    Map<Long, String> out = new HashMap<>();
    try (Connection c = raw(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT id, parent_id, name, size, sha256, modified FROM nodes")) {
      while (rs.next()) {
        out.put(rs.getLong(1), rs.getLong(2) + "|" + rs.getString(3) + "|" + rs.getLong(4) + "|"
            + rs.getString(5) + "|" + rs.getLong(6));
      }
    }
    return out;
  }

  static long countBelow(Map<Long, String> rows, long root) {
    Map<Long, List<Long>> children = new HashMap<>();
    rows.forEach((id, v) -> children.computeIfAbsent(Long.parseLong(v.split("\\|")[0]), k -> new ArrayList<>()).add(id));
    long n = 0;
    List<Long> todo = new ArrayList<>(List.of(root));
    while (!todo.isEmpty()) {
      List<Long> kids = children.getOrDefault(todo.remove(todo.size() - 1), List.of());
      n += kids.size();
      todo.addAll(kids);
    }
    return n;
  }

  @Test
  void moveAndCopyRules() {
    put("a/f", 10, sha(1));
    put("a/g", 20, sha(2));
    store.mkdirs(ALICE, p("b"));
    assertReason(Reason.FILE_NOT_FOUND, () -> store.move(ALICE, p("nope"), p("x"), false));
    assertReason(Reason.TARGET_EXISTS, () -> store.move(ALICE, p("a/f"), p("a/g"), false));
    assertReason(Reason.TARGET_EXISTS, () -> store.move(ALICE, p("a/f"), p("b"), true)); // never a folder
    assertReason(Reason.TARGET_EXISTS, () -> store.move(ALICE, p("b"), p("a/f"), true)); // a folder never replaces
    assertReason(Reason.INVALID_MOVE, () -> store.move(ALICE, p("a"), p("a"), false));
    assertReason(Reason.INVALID_MOVE, () -> store.move(ALICE, p("a"), p("a/sub"), false));
    assertReason(Reason.INVALID_MOVE, () -> store.copy(ALICE, p("a"), p("a/sub/deeper"), false));
    // A missing source says so first, even onto itself or into itself.
    assertReason(Reason.FILE_NOT_FOUND, () -> store.copy(ALICE, p("ghost"), p("ghost"), false));
    assertReason(Reason.FILE_NOT_FOUND, () -> store.move(ALICE, p("ghost"), p("ghost/in"), false));
    assertReason(Reason.TARGET_EXISTS, () -> store.copy(ALICE, p("a/f"), p("a/g"), false));

    Node g = store.move(ALICE, p("a/f"), p("a/g"), true); // overwrite a file: the old one goes
    assertEquals(10, g.size());
    assertEquals(10, store.usage(ALICE).usedBytes());
    assertEquals(1, store.usage(ALICE).fileCount());

    store.move(ALICE, p("a"), p("b/c/a2"), false); // parents of the target are created
    assertEquals(List.of("b/c/a2/g"), allPaths());
    assertTrue(store.resolve(ALICE, p("a")).isEmpty());
  }

  @Test
  void copyCountsTheCopysBytesAgainstTheQuota() throws SQLException {
    quotas.put(ALICE, 1000L);
    put("docs/a", 300, sha(1));
    put("docs/b", 100, sha(2));
    Node copy = store.copy(ALICE, p("docs"), p("docs2"), false);
    assertTrue(copy.isFolder());
    assertEquals(800, store.usage(ALICE).usedBytes());
    assertEquals(4, store.usage(ALICE).fileCount());
    assertEquals(2, refcount(ALICE, sha(1)));
    assertEquals(2, refcount(ALICE, sha(2)));
    assertEquals(List.of("docs/a", "docs/b", "docs2/a", "docs2/b"), allPaths());

    assertCode(ErrorCode.QUOTA_EXCEEDED, () -> store.copy(ALICE, p("docs"), p("docs3"), false));
    assertCode(ErrorCode.QUOTA_EXCEEDED, () -> store.copy(ALICE, p("docs/a"), p("a3"), false));
    assertEquals(800, store.usage(ALICE).usedBytes());
    assertTrue(store.resolve(ALICE, p("docs3")).isEmpty(), "a refused copy leaves nothing");
    assertEquals(2, refcount(ALICE, sha(1)));

    store.copy(ALICE, p("docs/b"), p("b3"), false);
    assertEquals(900, store.usage(ALICE).usedBytes());
    assertEquals(3, refcount(ALICE, sha(2)));
  }

  /**
   * Folders cost no bytes, so they have a bound of their own (quota.maxFolders): without it a user with
   * any quota could make rows until the database's disk was full. Every way of making folders counts
   * (mkdirs, an upload's parents, a copy, a move's new parents), every way of removing them gives room
   * back, a refusal leaves nothing of its command, and the count always agrees with the tree.
   */
  @Test
  void foldersAreCountedAndBoundedLikeFiles() throws SQLException {
    store.setEntryLimits(new EntryLimits(0, 4, 0));
    store.mkdirs(ALICE, p("a/b"));
    put("a/b/c/f", 1, sha(1));
    assertEquals(3, store.usage(ALICE).folderCount());
    store.mkdirs(ALICE, p("a/b")); // exists: makes none
    assertEquals(3, store.usage(ALICE).folderCount());

    StorageException refused = assertThrows(StorageException.class, () -> store.mkdirs(ALICE, p("x/y")));
    assertEquals(ErrorCode.QUOTA_EXCEEDED, refused.code());
    assertEquals("Quota exceeded (at most 4 folders)", refused.getMessage());
    assertTrue(store.resolve(ALICE, p("x")).isEmpty(), "a refused mkdirs makes not even the first folder");
    assertCode(ErrorCode.QUOTA_EXCEEDED, () -> put("p/q/f", 1, sha(2)));
    assertTrue(store.resolve(ALICE, p("p")).isEmpty(), "a refused upload leaves no parent");
    assertCode(ErrorCode.QUOTA_EXCEEDED, () -> store.copy(ALICE, p("a/b"), p("b2"), false)); // 2 more
    assertTrue(store.resolve(ALICE, p("b2")).isEmpty());
    assertCode(ErrorCode.QUOTA_EXCEEDED, () -> store.move(ALICE, p("a/b"), p("m/n/b"), false)); // m, n
    assertTrue(store.resolve(ALICE, p("a/b/c/f")).isPresent(), "a refused move moves nothing");
    assertEquals(3, store.usage(ALICE).folderCount());
    assertEquals(1, store.usage(ALICE).fileCount());

    store.mkdirs(ALICE, p("x")); // the fourth
    store.move(ALICE, p("a/b"), p("x/b"), false); // a move makes no folder
    assertEquals(4, store.usage(ALICE).folderCount());
    assertEquals(4, store.deleteFolder(ALICE, p("x")).files() + 3, "x, b and c went, with f");
    assertEquals(1, store.usage(ALICE).folderCount(), "a is left");
    store.copy(ALICE, p("a"), p("a2"), false);
    store.mkdirs(ALICE, p("a/s/t"));
    assertEquals(4, store.usage(ALICE).folderCount());
    assertTrue(store.checkUsage(ALICE).consistent(), store.checkUsage(ALICE).toString());

    store.setEntryLimits(new EntryLimits(0, 0, 0)); // 0: no bound
    store.mkdirs(ALICE, p("free/for/all"));
    assertEquals(7, store.usage(ALICE).folderCount());
    assertTrue(store.checkUsage(ALICE).consistent(), store.checkUsage(ALICE).toString());
  }

  /** V6 counts the folders a database already holds: a store of an older version starts with the right count. */
  @Test
  void theFolderCountMigrationCountsTheFoldersAlreadyThere() throws SQLException {
    store.mkdirs(ALICE, p("one/two"));
    put("three/f", 1, sha(1));
    store.close();
    store = null;
    // Back to version 5: what V6 and later added and their history rows gone, as a database written
    // before V6 has them.
    try (Connection c = raw(); Statement s = c.createStatement()) {
      s.executeUpdate("DROP TABLE node_heartbeats");
      s.executeUpdate("ALTER TABLE users DROP COLUMN folder_count");
      s.executeUpdate("DELETE FROM flyway_schema_history WHERE version IN ('6', '7')");
    }
    store = openStore();
    assertEquals(3, store.usage(ALICE).folderCount(), "one, two and three; the root is not counted");
    assertTrue(store.checkUsage(ALICE).consistent());
  }

  // ------------------------------------------------------------------ blobs

  @Test
  void sameContentIsOneBlobCountedByReferences() throws SQLException {
    assertTrue(put("x/one", 50, sha(9)).blobCreated());
    assertFalse(put("y/two", 50, sha(9)).blobCreated(), "the same bytes again store nothing new");
    assertTrue(store.hasBlob(ALICE, sha(9)));
    assertEquals(2, refcount(ALICE, sha(9)));
    assertEquals(100, store.usage(ALICE).usedBytes(), "quota counts what the user sees");

    store.deleteFile(ALICE, p("x/one"), null);
    assertEquals(1, refcount(ALICE, sha(9)));
    long zeroAt = clock.incrementAndGet();
    store.deleteFolder(ALICE, p("y"));
    assertEquals(0, refcount(ALICE, sha(9)));
    assertEquals(0, store.usage(ALICE).usedBytes());

    long grace = 3_600_000;
    clock.set(zeroAt + 10);
    assertTrue(store.unreferencedBlobs(clock.get() - grace, 10).isEmpty(), "still within the grace period");
    assertFalse(store.forgetBlob(ALICE, sha(9), clock.get() - grace));
    clock.set(zeroAt + grace + 10);
    assertEquals(List.of(new BlobRef(ALICE, sha(9), 50)), store.unreferencedBlobs(clock.get() - grace, 10));
    assertTrue(store.forgetBlob(ALICE, sha(9), clock.get() - grace));
    assertFalse(store.hasBlob(ALICE, sha(9)));

    // Re-used within the grace period: the count goes back up and the zero stamp is cleared.
    put("z", 5, sha(10));
    store.deleteFile(ALICE, p("z"), null);
    put("z2", 5, sha(10));
    clock.addAndGet(2 * grace);
    assertTrue(store.unreferencedBlobs(clock.get() - grace, 10).isEmpty());
  }

  @Test
  void recursiveDeleteRemovesTheSubtreeAndItsReferences() throws SQLException {
    put("keep", 7, sha(1));
    put("t/a", 10, sha(1));
    put("t/u/b", 20, sha(2));
    put("t/u/v/c", 30, sha(2));
    store.mkdirs(ALICE, p("t/empty/deep"));
    RemovedTree r = store.deleteFolder(ALICE, p("t"));
    assertEquals(3, r.files());
    assertEquals(60, r.bytes());
    assertEquals(List.of("keep"), allPaths());
    assertEquals(new UserUsage(7, 0, 1, QUOTA, 0), store.usage(ALICE), "t's five folders went with it");
    assertEquals(1, refcount(ALICE, sha(1)));
    assertEquals(0, refcount(ALICE, sha(2)));
    assertEquals(2, rows().size(), "root and keep are all that is left");
    assertCode(ErrorCode.BAD_REQUEST, () -> store.deleteFolder(ALICE, TreePath.ROOT));
  }

  // ------------------------------------------------------------------ quota and reservations

  @Test
  void twentyConcurrentReservationsIntoRoomForTenGetExactlyTen() throws Exception {
    quotas.put(ALICE, 1000L);
    store.usage(ALICE); // the user row exists before the race: the race is about the quota
    ExecutorService pool = Executors.newFixedThreadPool(20);
    CountDownLatch go = new CountDownLatch(1);
    AtomicInteger refused = new AtomicInteger();
    try {
      List<Future<Reservation>> results = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        results.add(pool.submit(() -> {
          go.await();
          try {
            return store.reserve(ALICE, 100, "node-a", Long.MAX_VALUE);
          } catch (StorageException e) {
            assertEquals(ErrorCode.QUOTA_EXCEEDED, e.code());
            refused.incrementAndGet();
            return null;
          }
        }));
      }
      go.countDown();
      int granted = 0;
      for (Future<Reservation> f : results) if (f.get(60, TimeUnit.SECONDS) != null) granted++;
      assertEquals(10, granted);
      assertEquals(10, refused.get());
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1000, store.usage(ALICE).reservedBytes());
    assertEquals(0, store.usage(ALICE).freeBytes());
    assertEquals(10, store.releaseNode("node-a"));
    assertEquals(0, store.usage(ALICE).reservedBytes());
  }

  /**
   * The database alone keeps the books exact, with no lock above it (a split cluster: each side holds the
   * user's lock): commits, deletes and a departed-node release race on three paths. Under PostgreSQL's
   * READ COMMITTED two commits of one path both read the same old row, and the old content lost two
   * references and its size twice; a release that summed rows one statement before deleting them gave a
   * committed reservation's bytes back twice. Now each user's writes wait for each other in the database.
   */
  @Test
  void withNoLockAboveItRacingCommitsDeletesAndReleasesKeepRefcountsAndUsageExact() throws Exception {
    store.usage(ALICE);
    ExecutorService pool = Executors.newFixedThreadPool(9);
    CountDownLatch go = new CountDownLatch(1);
    AtomicInteger commits = new AtomicInteger();
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int w = 0; w < 8; w++) {
        int seed = w;
        workers.add(pool.submit(() -> {
          go.await();
          java.util.Random rnd = new java.util.Random(seed);
          for (int i = 0; i < 60; i++) {
            String path = "race/f" + rnd.nextInt(3);
            int content = rnd.nextInt(4);
            try {
              if (rnd.nextInt(4) == 0) {
                store.deleteFile(ALICE, p(path), null);
              } else {
                long size = 100 + content;
                Reservation r = store.reserve(ALICE, size, seed % 2 == 0 ? "node-a" : "node-b", Long.MAX_VALUE);
                store.commitUpload(ALICE, p(path), r.id(), size, sha(content), null);
                commits.incrementAndGet();
              }
            } catch (StorageException e) {
              // not found, a path conflict, or a reservation released under it: refused whole; a
              // database failure (a check constraint refusing a negative count) is the bug
              if (e.code() == ErrorCode.INTERNAL) throw e;
            }
          }
          return null;
        }));
      }
      workers.add(pool.submit(() -> {
        go.await();
        for (int i = 0; i < 40; i++) {
          store.releaseNode("node-b");
          Thread.sleep(2);
        }
        return null;
      }));
      go.countDown();
      for (Future<?> f : workers) f.get(120, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    assertTrue(commits.get() > 0);
    store.releaseNode("node-a");
    store.releaseNode("node-b");
    assertEquals(List.of(), store.wrongBlobCounts(ALICE));
    UsageCheck check = store.checkUsage(ALICE);
    assertTrue(check.consistent(), check.toString());
    assertEquals(0, store.usage(ALICE).reservedBytes());
  }

  @Test
  void reservationsBecomeUsageAtCommitAndGoWhenReleased() {
    quotas.put(ALICE, 1000L);
    Reservation r = store.reserve(ALICE, 600, "n1", 5_000);
    assertCode(ErrorCode.QUOTA_EXCEEDED, () -> store.reserve(ALICE, 500, "n1", 5_000));
    assertCode(ErrorCode.QUOTA_EXCEEDED, () -> store.extend(ALICE, r.id(), 401));
    assertEquals(700, store.extend(ALICE, r.id(), 100));
    assertEquals(700, store.usage(ALICE).reservedBytes());

    UploadCommit c = store.commitUpload(ALICE, p("up/f"), r.id(), 650, sha(1), null);
    assertTrue(c.created());
    assertEquals(new UserUsage(650, 0, 1, 1000, 1), store.usage(ALICE));
    // A reservation that is gone (here: committed already) is the server's loss, not the client's error.
    assertCode(ErrorCode.BUSY, () -> store.commitUpload(ALICE, p("up/g"), r.id(), 1, sha(2), null));
    assertFalse(store.release(ALICE, r.id()), "committed: nothing to release");

    // Growth beyond what is free is refused at commit even with a small reservation; nothing changes.
    Reservation small = store.reserve(ALICE, 10, "n1", 5_000);
    assertCode(ErrorCode.QUOTA_EXCEEDED, () -> store.commitUpload(ALICE, p("up/big"), small.id(), 400, sha(3), null));
    assertEquals(new UserUsage(650, 10, 1, 1000, 1), store.usage(ALICE));
    assertTrue(store.resolve(ALICE, p("up/big")).isEmpty());
    assertTrue(store.release(ALICE, small.id()));

    // A precondition refusal inside the transaction rolls everything back.
    Reservation pre = store.reserve(ALICE, 10, "n1", 5_000);
    assertCode(ErrorCode.PRECONDITION_FAILED, () -> store.commitUpload(ALICE, p("up/f"), pre.id(), 10, sha(4), old -> {
      throw StorageException.of(ErrorCode.PRECONDITION_FAILED, "exists");
    }));
    assertEquals(10, store.usage(ALICE).reservedBytes());

    store.reserve(ALICE, 20, "n2", 1_000);
    assertEquals(List.of("n1", "n2"), store.reservationOwners());
    assertEquals(1, store.releaseExpired(2_000));
    assertEquals(List.of("n1"), store.reservationOwners());
    assertEquals(1, store.releaseNode("n1"));
    assertEquals(List.of(), store.reservationOwners());
    assertEquals(new UserUsage(650, 0, 1, 1000, 1), store.usage(ALICE));
  }

  @Test
  void usageDriftIsFoundAndRepaired() throws SQLException {
    put("a", 10, sha(1));
    put("b/c", 20, sha(1));
    assertTrue(store.checkUsage(ALICE).consistent());
    try (Connection c = raw(); Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE users SET used_bytes = 999, file_count = 7, folder_count = 5");
      s.executeUpdate("UPDATE blobs SET refcount = 5");
    }
    UsageCheck bad = store.checkUsage(ALICE);
    assertFalse(bad.consistent());
    assertEquals(30, bad.computed().usedBytes());
    assertEquals(2, bad.computed().fileCount());
    assertEquals(1, bad.computed().folderCount());
    store.repairUsage(ALICE);
    assertTrue(store.checkUsage(ALICE).consistent());
    assertEquals(new UserUsage(30, 0, 2, QUOTA, 1), store.usage(ALICE));
    assertEquals(2, refcount(ALICE, sha(1)));
    assertEquals(List.of(ALICE), store.users());
  }

  @Test
  void concurrentUploadsIntoNewFoldersAndAConcurrentMoveLoseNothing() throws Exception {
    int threads = 6;
    int each = 15;
    ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<?>> jobs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        // All threads race to create the same parents (the upsert of a folder, retried on a unique race).
        jobs.add(pool.submit(() -> {
          go.await();
          for (int i = 0; i < each; i++) {
            store.commitUpload(ALICE, p("shared/deep/f" + id + "-" + i), null, 3, sha(id), null);
          }
          return null;
        }));
      }
      // Meanwhile "shared" is renamed back and forth: every upload lands in one tree or the other, whole.
      jobs.add(pool.submit(() -> {
        go.await();
        for (int i = 0; i < 10; i++) {
          try {
            store.move(ALICE, p("shared"), p("moved" + i), false);
          } catch (MetaException e) {
            assertEquals(Reason.FILE_NOT_FOUND, e.reason()); // not created yet, or just moved away
          }
        }
        return null;
      }));
      go.countDown();
      for (Future<?> f : jobs) f.get(120, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    List<String> paths = allPaths();
    assertEquals(threads * each, paths.size(), paths.toString());
    Set<String> names = new HashSet<>();
    for (String path : paths) names.add(path.substring(path.lastIndexOf('/') + 1));
    assertEquals(threads * each, names.size(), "each upload exactly once");
    UserUsage usage = store.usage(ALICE);
    // How many trees the renames split the uploads into varies; the check below counts them from the rows.
    assertEquals(new UserUsage(3L * threads * each, 0, threads * each, QUOTA, usage.folderCount()), usage);
    assertTrue(usage.folderCount() >= 2, "shared (or its new name) and deep at least");
    assertTrue(store.checkUsage(ALICE).consistent(), "every folder made exactly once counted");
  }

  // ------------------------------------------------------------------ listings

  static final List<String> AWKWARD = List.of("a", "B", "Z", "z", "a b", "a-b", "a0", "é", "e\u0301", "日本",
      "\uFFFD", "\uD834\uDD1E", "~", "_", "0");

  @Test
  void namesAndPathsSortByUtf8Bytes() {
    for (String n : AWKWARD) put("dir/" + n, 1, sha(1));
    store.mkdirs(ALICE, p("a/inner"));
    put("a/x", 1, sha(1));
    put("a/inner/y", 1, sha(1));

    List<String> expected = new ArrayList<>(AWKWARD);
    expected.sort(FileNames::compareUtf8);
    List<String> listed = new ArrayList<>();
    for (Node n : store.list(ALICE, p("dir"), new ListOrder(ListOrder.Sort.NAME, false, false), 100, null).entries()) {
      listed.add(n.name());
    }
    assertEquals(expected, listed);
    // U+FFFD sorts before U+1D11E in UTF-16 but after it in UTF-8: this is the case that tells them apart.
    assertTrue(listed.indexOf("\uFFFD") < listed.indexOf("\uD834\uDD1E"));

    // The whole tree: "a b" < "a-b" < "a/..." < "a0" by bytes, although the folder a sorts first by name.
    put("a b", 1, sha(1));
    put("a-b", 1, sha(1));
    put("a0", 1, sha(1));
    List<String> paths = allPaths();
    List<String> sorted = new ArrayList<>(paths);
    sorted.sort(FileNames::compareUtf8);
    assertEquals(sorted, paths);
    assertEquals(List.of("a b", "a-b", "a/inner/y", "a/x", "a0"), paths.subList(0, 5));
    assertEquals(AWKWARD.size() + 5, paths.size());
  }

  @Test
  void pagesAreCompleteAndStableInEveryOrderWhileTheFolderChanges() {
    for (int i = 0; i < 12; i++) store.mkdirs(ALICE, p("big/sub" + (char) ('a' + (i * 7) % 12)));
    for (int i = 0; i < 60; i++) put("big/f" + ((i * 37) % 60), (i * 13) % 9, sha(i)); // sizes repeat: ties
    for (ListOrder.Sort sort : ListOrder.Sort.values()) {
      for (boolean desc : new boolean[] {false, true}) {
        for (boolean foldersFirst : new boolean[] {true, false}) {
          ListOrder order = new ListOrder(sort, desc, foldersFirst);
          List<Node> all = store.list(ALICE, p("big"), order, 10_000, null).entries();
          assertEquals(72, all.size());
          List<Node> expected = new ArrayList<>(all);
          expected.sort(comparator(order));
          assertEquals(names(expected), names(all), order.toString());

          // Page by 7 while a new name and a deletion happen between pages: what stayed throughout comes
          // exactly once and in order.
          List<String> seen = new ArrayList<>();
          String cursor = null;
          int pages = 0;
          do {
            FolderPage page = store.list(ALICE, p("big"), order, 7, cursor);
            assertTrue(page.entries().size() <= 7);
            page.entries().forEach(n -> seen.add(n.name()));
            cursor = page.cursor();
            if (pages++ == 2) {
              put("big/new-" + sort + desc + foldersFirst, 3, sha(1));
              store.deleteFile(ALICE, p("big/new-" + sort + desc + foldersFirst), null);
            }
          } while (cursor != null);
          assertEquals(new HashSet<>(seen).size(), seen.size(), "no entry twice: " + order);
          assertEquals(names(expected), seen, order.toString());
        }
      }
    }
    String c = store.list(ALICE, p("big"), ListOrder.DEFAULT, 5, null).cursor();
    assertNotNull(c);
    assertCode(ErrorCode.BAD_REQUEST, () -> store.list(ALICE, p("big"),
        new ListOrder(ListOrder.Sort.SIZE, false, true), 5, c)); // a cursor of another order
    assertCode(ErrorCode.BAD_REQUEST, () -> store.list(ALICE, p("big"), ListOrder.DEFAULT, 5, "garbage"));
    assertCode(ErrorCode.BAD_REQUEST, () -> store.list(ALICE, p("big"), ListOrder.DEFAULT, 0, null));
    assertCode(ErrorCode.BAD_REQUEST, () -> store.list(ALICE, p("big"), ListOrder.DEFAULT, 10_001, null));
    FolderPage last = store.list(ALICE, p("big"), ListOrder.DEFAULT, 72, null);
    assertNull(last.cursor(), "exactly a page: no cursor");
  }

  static Comparator<Node> comparator(ListOrder o) {
    Comparator<Node> key = switch (o.sort()) {
      case NAME -> (a, b) -> 0;
      case SIZE -> Comparator.comparingLong(Node::size);
      case MODIFIED -> Comparator.comparingLong(Node::modified);
    };
    Comparator<Node> within = key.thenComparing((a, b) -> FileNames.compareUtf8(a.name(), b.name()));
    if (o.descending()) within = within.reversed();
    if (!o.foldersFirst()) return within;
    return Comparator.<Node>comparingInt(n -> n.kind().code).thenComparing(within);
  }

  static List<String> names(List<Node> nodes) {
    List<String> out = new ArrayList<>();
    nodes.forEach(n -> out.add(n.name()));
    return out;
  }

  /** A walk resumed after any listed path yields exactly the rest of the full walk, in the same order. */
  @Test
  void aFileStreamResumesAfterAPathWithoutReadingWhatCameBefore() {
    for (String path : List.of("a b", "a-b", "a/inner/y", "a/x", "a0", "b/c/d/e", "b/c/f", "b/g", "z",
        "dir/\uFFFD", "dir/\uD834\uDD1E", "dir/caf\u00e9")) {
      put(path, 1, sha(1));
    }
    store.mkdirs(ALICE, p("empty/deeper"));
    List<String> all = allPaths();
    assertEquals(12, all.size());
    for (int i = 0; i < all.size(); i++) {
      List<String> rest = new ArrayList<>();
      try (FileStream s = store.streamFilesAfter(ALICE, p(all.get(i)))) {
        assertEquals(12L, s.usage().usedBytes());
        s.forEachRemaining(f -> rest.add(f.name()));
      }
      assertEquals(all.subList(i + 1, all.size()), rest, "after " + all.get(i));
    }
    // After a path that is gone (its folders too), or one whose last segment is now a folder: the walk goes
    // on with exactly the paths that sort after it, as if it had just listed it.
    for (String gone : List.of("b/c/zzz", "b/a/x", "a/zz", "b/c/d", "dir/caf", "0", "zz", "empty/deeper/x")) {
      List<String> expected = all.stream().filter(x -> FileNames.compareUtf8(x, gone) > 0).toList();
      assertEquals(expected, after(gone), "after " + gone);
    }
    assertEquals(List.of("b/g", "dir/caf\u00e9", "dir/\uFFFD", "dir/\uD834\uDD1E", "z"), after("b/c/zzz"));
  }

  private List<String> after(String path) {
    List<String> out = new ArrayList<>();
    try (FileStream s = store.streamFilesAfter(ALICE, p(path))) {
      s.forEachRemaining(f -> out.add(f.name()));
    }
    return out;
  }

  @Test
  void theFileStreamPagesThroughLargeFoldersAndGivesItsConnectionBack() {
    int flat = TreeWalk.PAGE + 10; // more siblings than one page of the walk
    for (int i = 0; i < flat; i++) put("s/flat/" + String.format("%04d", i), 2, sha(i));
    for (int i = 0; i < 3; i++) store.copy(ALICE, p("s/flat"), p("s/c" + i), false);
    int expected = 4 * flat;
    int n = 0;
    String prev = null;
    try (FileStream s = store.streamFiles(ALICE)) {
      assertEquals(2L * expected, s.usage().usedBytes(), "usage from the same snapshot");
      while (s.hasNext()) {
        FileInfo f = s.next();
        if (prev != null) assertTrue(FileNames.compareUtf8(prev, f.name()) < 0, prev + " then " + f.name());
        prev = f.name();
        n++;
      }
    }
    assertEquals(expected, n);
    // Many streams closed early (or read to the end) never starve the pool.
    for (int i = 0; i < 30; i++) {
      try (FileStream s = store.streamFiles(ALICE)) {
        assertTrue(s.hasNext());
      }
    }
    assertEquals(expected, allPaths().size());
  }

  // ------------------------------------------------------------------ accounts and schema

  @Test
  void accountsAreUniqueIgnoringCase() {
    assertTrue(store.createAccount("Alice", "$pbkdf2$x", 42));
    assertFalse(store.createAccount("ALICE", "$pbkdf2$y", 43));
    Account a = store.findAccount("alice").orElseThrow();
    assertEquals(new Account("Alice", "$pbkdf2$x", 42), a);
    assertTrue(store.findAccount("bob").isEmpty());
  }

  @Test
  void deadPropertiesAreBoundedPerNodeAndARefusedPatchChangesNothing() {
    put("props.txt", 1, sha(1));
    var kept = new dropbox.bus.DeadProperty("urn:x", "kept", "v");
    store.patchProperties(ALICE, p("props.txt"), List.of(kept), List.of());
    // Over the characters: one value that alone is larger than what a node may carry.
    var huge = new dropbox.bus.DeadProperty("urn:x", "huge", "x".repeat(dropbox.bus.DeadProperty.MAX_CHARS_PER_NODE));
    StorageException big = assertThrows(StorageException.class,
        () -> store.patchProperties(ALICE, p("props.txt"), List.of(huge), List.of(kept)));
    assertEquals(ErrorCode.TOO_LARGE, big.code());
    assertEquals(List.of(kept), store.properties(ALICE, p("props.txt")), "the refused patch removed nothing either");
    // Over the count: the limit itself fits (with the one already there), one more does not.
    List<dropbox.bus.DeadProperty> many = new ArrayList<>();
    for (int i = 1; i < dropbox.bus.DeadProperty.MAX_PER_NODE; i++) many.add(new dropbox.bus.DeadProperty("urn:x", "p" + i, "v"));
    store.patchProperties(ALICE, p("props.txt"), many, List.of());
    assertEquals(dropbox.bus.DeadProperty.MAX_PER_NODE, store.properties(ALICE, p("props.txt")).size());
    StorageException count = assertThrows(StorageException.class, () -> store.patchProperties(ALICE, p("props.txt"),
        List.of(new dropbox.bus.DeadProperty("urn:x", "one-more", "v")), List.of()));
    assertEquals(ErrorCode.TOO_LARGE, count.code());
    // Replacing a value does not add a property, and removing makes room.
    store.patchProperties(ALICE, p("props.txt"), List.of(new dropbox.bus.DeadProperty("urn:x", "kept", "w")), List.of());
    assertEquals(dropbox.bus.DeadProperty.MAX_PER_NODE, store.properties(ALICE, p("props.txt")).size());
    store.patchProperties(ALICE, p("props.txt"), List.of(), List.of(kept));
    assertEquals(dropbox.bus.DeadProperty.MAX_PER_NODE - 1, store.properties(ALICE, p("props.txt")).size());
    store.patchProperties(ALICE, p("props.txt"), List.of(new dropbox.bus.DeadProperty("urn:x", "one-more", "v")), List.of());
    assertEquals(dropbox.bus.DeadProperty.MAX_PER_NODE, store.properties(ALICE, p("props.txt")).size());
  }

  @Test
  void deadPropertiesFollowMovesAndCopiesAndGoWithTheirNode() {
    put("w/a/f.txt", 3, sha(1));
    store.mkdirs(ALICE, p("w/a/sub"));
    var colour = new dropbox.bus.DeadProperty("urn:x", "colour", "<v xmlns=\"urn:x\">red</v>");
    var size = new dropbox.bus.DeadProperty("", "size", "big");
    store.patchProperties(ALICE, p("w/a"), List.of(colour), List.of());
    store.patchProperties(ALICE, p("w/a/f.txt"), List.of(colour, size), List.of());
    store.patchProperties(ALICE, p("w/a/sub"), List.of(size), List.of());
    // One transaction: sets and removes together.
    store.patchProperties(ALICE, p("w/a/f.txt"), List.of(), List.of(size));
    assertEquals(List.of(colour), store.properties(ALICE, p("w/a/f.txt")));

    store.copy(ALICE, p("w/a"), p("w/b"), false);
    assertEquals(List.of(colour), store.properties(ALICE, p("w/b")));
    assertEquals(List.of(colour), store.properties(ALICE, p("w/b/f.txt")));
    assertEquals(List.of(size), store.properties(ALICE, p("w/b/sub")));
    store.copy(ALICE, p("w/a/f.txt"), p("w/f2.txt"), false);
    assertEquals(List.of(colour), store.properties(ALICE, p("w/f2.txt")));

    store.move(ALICE, p("w/a"), p("w/moved"), false);
    assertEquals(List.of(size), store.properties(ALICE, p("w/moved/sub")));
    store.deleteFolder(ALICE, p("w/moved"));
    store.deleteFile(ALICE, p("w/f2.txt"), null);
    // A new node at the old path starts without properties (no rows left behind for a reused id).
    put("w/f2.txt", 1, sha(2));
    assertEquals(List.of(), store.properties(ALICE, p("w/f2.txt")));
    assertEquals(List.of(colour), store.properties(ALICE, p("w/b/f.txt")), "the copy keeps its own");
    assertReason(Reason.FILE_NOT_FOUND, () -> store.properties(ALICE, p("w/moved")));
    Node m = store.setModified(ALICE, p("w/b/f.txt"), 1234L);
    assertEquals(1234L, store.resolve(ALICE, p("w/b/f.txt")).orElseThrow().modified());
    assertEquals(1234L, m.modified());
    assertReason(Reason.IS_FOLDER, () -> store.setModified(ALICE, p("w/b"), 1L));
  }

  @Test
  void openFileFindsFilesAtEveryDepthWithTheirInlineBytesAndNothingElse() {
    // Depth 1 up to past FileLookup.MAX_DEPTH: the one-statement lookup and the transaction walk beyond it.
    StringBuilder dir = new StringBuilder();
    for (int d = 1; d <= FileLookup.MAX_DEPTH + 2; d++) {
      String path = dir + "f" + d;
      byte[] bytes = ("content " + d).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      clock.incrementAndGet();
      store.commitInline(ALICE, p(path), null, sha(100 + d), bytes, null);
      StoredFile f = store.openFile(ALICE, p(path)).orElseThrow(() -> new AssertionError(path));
      assertEquals("f" + d, f.node().name());
      assertTrue(f.node().isFile());
      assertEquals(sha(100 + d), f.node().sha256());
      assertEquals(bytes.length, f.node().size());
      assertEquals(store.resolve(ALICE, p(path)).orElseThrow(), f.node(), "the same row as a walk finds");
      assertEquals(new String(bytes, java.nio.charset.StandardCharsets.UTF_8),
          new String(f.inline(), java.nio.charset.StandardCharsets.UTF_8), path);
      assertTrue(store.openFile(ALICE, p(dir + "missing")).isEmpty(), "no such file at depth " + d);
      if (d > 1) {
        String folder = dir.substring(0, dir.length() - 1);
        assertTrue(store.openFile(ALICE, p(folder)).isEmpty(), "a folder is not a file: " + folder);
        // A file on the way: f1 is a file, so nothing lies below it, whatever the path's depth.
        assertTrue(store.openFile(ALICE, p("f1/" + path)).isEmpty());
      }
      dir.append("d").append(d).append('/');
    }
    put("big/content-file", 5, sha(1));
    StoredFile file = store.openFile(ALICE, p("big/content-file")).orElseThrow();
    assertNull(file.inline(), "a content file has no inline bytes");
    assertEquals(5, file.node().size());
    assertTrue(store.openFile(ALICE, TreePath.ROOT).isEmpty(), "the root is a folder");
    assertTrue(store.openFile("bob", p("f1")).isEmpty(), "another user's tree");
    store.deleteFile(ALICE, p("f1"), null);
    assertTrue(store.openFile(ALICE, p("f1")).isEmpty(), "a deleted file is gone at once");
  }

  /** What openFile answers must always be what a walk of the committed tree finds (SQLite: LookupCache). */
  private void assertOpenFileAgreesWithTheTree(String... paths) {
    for (String path : paths) {
      Optional<Node> walked = store.resolve(ALICE, p(path)).filter(Node::isFile);
      Optional<StoredFile> opened = store.openFile(ALICE, p(path));
      assertEquals(walked, opened.map(StoredFile::node), path);
      // Twice: the second may come from a cache, and must be the same.
      assertEquals(walked, store.openFile(ALICE, p(path)).map(StoredFile::node), path + ", asked again");
    }
  }

  private byte[] text(String s) { return s.getBytes(java.nio.charset.StandardCharsets.UTF_8); }

  @Test
  void openFileFollowsEveryKindOfChangeAtOnce() {
    String[] watched = {"d/f", "d/g", "e/f", "e/g", "c", "d/sub/h", "e/sub/h"};
    store.commitInline(ALICE, p("d/f"), null, sha(1), text("one"), null);
    store.commitInline(ALICE, p("d/sub/h"), null, sha(2), text("two"), null);
    assertOpenFileAgreesWithTheTree(watched);
    assertEquals("one", new String(store.openFile(ALICE, p("d/f")).orElseThrow().inline(), java.nio.charset.StandardCharsets.UTF_8));
    clock.incrementAndGet();
    store.commitInline(ALICE, p("d/f"), null, sha(3), text("three"), null); // replaced
    assertEquals("three", new String(store.openFile(ALICE, p("d/f")).orElseThrow().inline(), java.nio.charset.StandardCharsets.UTF_8));
    assertOpenFileAgreesWithTheTree(watched);
    store.move(ALICE, p("d/f"), p("d/g"), false); // a file renamed
    assertOpenFileAgreesWithTheTree(watched);
    store.move(ALICE, p("d"), p("e"), false); // its folder renamed: every path below it changes
    assertOpenFileAgreesWithTheTree(watched);
    store.copy(ALICE, p("e/g"), p("c"), false);
    assertOpenFileAgreesWithTheTree(watched);
    store.setModified(ALICE, p("c"), 42L);
    assertEquals(42L, store.openFile(ALICE, p("c")).orElseThrow().node().modified());
    store.copy(ALICE, p("e/sub/h"), p("c"), true); // overwritten by a copy
    assertEquals(sha(2), store.openFile(ALICE, p("c")).orElseThrow().node().sha256());
    store.deleteFile(ALICE, p("c"), null);
    assertOpenFileAgreesWithTheTree(watched);
    store.deleteFolder(ALICE, p("e"));
    assertOpenFileAgreesWithTheTree(watched);
    for (String path : watched) assertTrue(store.openFile(ALICE, p(path)).isEmpty(), path);
  }

  /**
   * Readers racing a writer never go back in time: a read that starts after a replacement returned sees that
   * version or a later one, and every read sees a version that was committed. This is what a cache of
   * lookups (LookupCache) must not break: any stale hit after a commit fails it.
   */
  @Test
  void readsRacingReplacementsNeverSeeAnOlderVersionThanTheLastAcknowledged() throws Exception {
    int versions = 300;
    AtomicLong acknowledged = new AtomicLong(-1);
    store.commitInline(ALICE, p("hot/f"), null, sha(1_000_000), text("0"), null);
    acknowledged.set(0);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
    try {
      List<Future<Long>> readers = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        readers.add(pool.submit(() -> {
          long reads = 0;
          long last = 0;
          while (!done.get()) {
            long floor = acknowledged.get();
            StoredFile f = store.openFile(ALICE, p("hot/f")).orElseThrow(() -> new AssertionError("the file vanished"));
            long seen = Long.parseLong(new String(f.inline(), java.nio.charset.StandardCharsets.UTF_8));
            assertTrue(seen >= floor, "read version " + seen + " after version " + floor + " was acknowledged");
            assertTrue(seen >= last, "went back from version " + last + " to " + seen);
            assertEquals(sha(1_000_000 + (int) seen), f.node().sha256(), "the row and its bytes are one version");
            last = seen;
            reads++;
          }
          return reads;
        }));
      }
      for (int v = 1; v <= versions; v++) {
        store.commitInline(ALICE, p("hot/f"), null, sha(1_000_000 + v), text(Integer.toString(v)), null);
        acknowledged.set(v);
        // Reads in between too, so that some lookups are kept and then must be dropped by the next version.
        if (v % 10 == 0) Thread.sleep(2);
      }
      done.set(true);
      long total = 0;
      for (Future<Long> r : readers) total += r.get(60, TimeUnit.SECONDS);
      assertTrue(total > versions, "the readers ran alongside (" + total + " reads)");
    } finally {
      done.set(true);
      pool.shutdownNow();
    }
    assertEquals(Integer.toString(versions),
        new String(store.openFile(ALICE, p("hot/f")).orElseThrow().inline(), java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void flywayMigratesAnEmptyDatabaseOnceAndARestartChangesNothing() throws SQLException {
    put("kept/f", 3, sha(1));
    int all = migrationFiles(this instanceof SqliteMetadataStoreTest ? "sqlite" : "postgresql");
    assertEquals(all, successfulMigrations());
    store.close();
    store = openStore();
    store.close();
    store = openStore();
    assertEquals(all, successfulMigrations());
    assertEquals(List.of("kept/f"), allPaths());
    assertEquals(3, store.usage(ALICE).usedBytes());
  }

  /** How many versioned migrations (V*.sql) the build ships for a dialect: each is applied exactly once. */
  static int migrationFiles(String dialect) {
    try (var files = java.nio.file.Files.list(java.nio.file.Path.of(MetadataStoreContract.class.getClassLoader()
        .getResource("db/migration/" + dialect).toURI()))) {
      return (int) files.filter(f -> f.getFileName().toString().matches("V\\d+__.*\\.sql")).count();
    } catch (Exception e) {
      throw new AssertionError("listing the migrations of " + dialect, e);
    }
  }

  int successfulMigrations() throws SQLException {
    try (Connection c = raw(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM flyway_schema_history WHERE success = "
             + (this instanceof SqliteMetadataStoreTest ? "1" : "true") + " AND version IS NOT NULL")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
