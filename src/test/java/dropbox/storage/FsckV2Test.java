package dropbox.storage;

import dropbox.bus.QuotaPolicy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.bus.FileInfo;
import dropbox.bus.Preconditions;
import dropbox.bus.UploadTicket;
import dropbox.storage.blob.FsBlobStore;
import dropbox.storage.blob.StagingId;
import dropbox.storage.meta.MetadataStore;
import dropbox.storage.meta.MetadataStores;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fsck of a v2 root, one kind of damage per test on a real store (database + blob files): found without
 * --repair (and nothing changed), repaired as reported, then nothing found; what cannot be repaired (lost
 * content) is said. FsckV2PostgresTest runs every case on PostgreSQL.
 */
class FsckV2Test {
  static final long STALE_MS = 900_000;
  static final long GRACE_MS = 3_600_000;
  @TempDir Path root;
  final AtomicLong clock = new AtomicLong(System.currentTimeMillis());
  private Vertx vertx;
  MetadataStore meta;
  private FsBlobStore blobs;
  private StorageServiceV2 engine;

  /** The metadata store of this run (SQLite here; PostgreSQL in the subclass), on the test's clock. */
  MetadataStore openMeta(QuotaPolicy q) throws Exception {
    return MetadataStores.openSqlite(root.resolve(MetadataStores.SQLITE_FILE), 2, 5000, q::quotaFor, clock::get);
  }

  /** A direct connection to the same database, to damage it the way a bug or an operator would. */
  Connection db() throws Exception {
    return DriverManager.getConnection("jdbc:sqlite:" + root.resolve(MetadataStores.SQLITE_FILE));
  }

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    QuotaPolicy q = StorageEngineContract.quotas(1000);
    meta = openMeta(q);
    blobs = new FsBlobStore(root, true);
    // Content files (inline off): these cases damage the files; inline content is StorageServiceV2InlineTest's.
    engine = new StorageServiceV2(meta, blobs, new LocalLockManager(vertx), q, 5000, "node-a", e -> { }, clock::get, 0);
  }

  @AfterEach
  void tearDown() {
    engine.close();
    vertx.close().await();
  }

  private void upload(String user, String name, byte[] data) throws Exception {
    UploadTicket t = engine.openUpload(user, name, data.length, null);
    Files.write(Path.of(t.stagingPath()), data);
    engine.commitUpload(user, name, t.uploadId(), data.length, sha(data), Preconditions.NONE, null);
  }

  private static String sha(byte[] d) throws Exception { return StorageEngineContract.sha(d); }

  private void sql(String statement) throws Exception {
    try (Connection c = db(); Statement s = c.createStatement()) {
      assertTrue(s.executeUpdate(statement) > 0, statement);
    }
  }

  private List<Fsck.Problem> fsck(boolean repair) throws Exception {
    return new FsckV2(meta, blobs).run(repair, STALE_MS, GRACE_MS, clock.get());
  }

  private List<String> kinds(List<Fsck.Problem> problems) {
    return problems.stream().map(Fsck.Problem::kind).sorted().toList();
  }

  /** Found twice without repair (a read-only run changes nothing), then repaired, then clean. */
  private List<Fsck.Problem> findThenRepair(String... kinds) throws Exception {
    List<String> want = Stream.of(kinds).sorted().toList();
    assertEquals(want, kinds(fsck(false)));
    assertEquals(want, kinds(fsck(false)), "a run without --repair changed nothing");
    List<Fsck.Problem> repaired = fsck(true);
    assertEquals(want, kinds(repaired));
    assertEquals(List.of(), fsck(false), "clean after repair");
    return repaired;
  }

  /** Ages every content file, so that none is a young upload between its publish and its commit. */
  private void ageBlobFiles() throws Exception {
    FileTime old = FileTime.fromMillis(clock.get() - 2 * STALE_MS);
    try (var walk = Files.walk(root.resolve("blobs"))) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) Files.setLastModifiedTime(p, old);
    }
  }

  private long contentFiles() throws Exception {
    try (var walk = Files.walk(root.resolve("blobs"))) {
      return walk.filter(Files::isRegularFile).count();
    }
  }

  @Test
  void aHealthyStoreWithFoldersCopiesAndDedupIsClean() throws Exception {
    upload("alice", "docs/a.txt", "alpha".getBytes());
    upload("alice", "docs/sub/b.txt", "beta".getBytes());
    upload("alice", "same", "alpha".getBytes());
    engine.copy("alice", "docs", "copy", false);
    engine.move("alice", "copy", "archive/copy", false);
    upload("bob", "a", "alpha".getBytes());
    engine.delete("bob", "a"); // unreferenced, within its grace period
    UploadTicket live = engine.openUpload("alice", "live", 3, null);
    Files.write(Path.of(live.stagingPath()), "abc".getBytes());
    ageBlobFiles();
    assertEquals(List.of(), fsck(false));
    assertEquals(List.of(), fsck(true));
    assertTrue(Files.exists(Path.of(live.stagingPath())), "a live upload is left alone");
    assertEquals(3, meta.usage("alice").reservedBytes());
  }

  /** Cannot be repaired: the row is removed (it would fail every download), the usage follows, and it is said. */
  @Test
  void aFileWhoseContentIsMissingIsRemovedAndReportedAsLost() throws Exception {
    upload("alice", "keep", "kept".getBytes());
    upload("alice", "docs/lost", "lost!".getBytes());
    Files.delete(Path.of(engine.openDownload("alice", "docs/lost").contentPath()));
    List<Fsck.Problem> repaired = findThenRepair("metadata without content");
    assertTrue(repaired.get(0).detail().startsWith("docs/lost, 5 bytes"), repaired.toString());
    assertTrue(repaired.get(0).detail().contains("content lost, cannot be restored"), repaired.toString());
    assertEquals(List.of("keep"), engine.list("alice").files().stream().map(FileInfo::name).toList());
    assertEquals(4, engine.usage("alice").usedBytes());
    assertEquals(1, engine.usage("alice").fileCount());
    assertEquals("kept", Files.readString(Path.of(engine.openDownload("alice", "keep").contentPath())));
  }

  /** A content file of the wrong size is reported and left for the operator: nothing deletes the file. */
  @Test
  void aContentFileOfTheWrongSizeIsReportedNotRepaired() throws Exception {
    upload("alice", "keep", "kept".getBytes());
    upload("alice", "docs/cut", "0123456789".getBytes());
    Path content = Path.of(engine.openDownload("alice", "docs/cut").contentPath());
    Files.write(content, "0123".getBytes());
    assertEquals(List.of("damaged content"), kinds(fsck(false)));
    List<Fsck.Problem> afterRepair = fsck(true);
    assertEquals(List.of("damaged content"), kinds(afterRepair), "repair does not pretend to fix it");
    assertTrue(afterRepair.get(0).detail().startsWith("docs/cut: 10 bytes, but its content file"), afterRepair.toString());
    assertTrue(afterRepair.get(0).detail().contains("has 4"), afterRepair.toString());
    assertEquals(10, engine.usage("alice").usedBytes() - 4, "the file and its usage are kept");
    Files.write(content, "0123456789".getBytes()); // restored from a backup
    assertEquals(List.of(), fsck(false));
  }

  /** A changed byte keeps the size: only --verify, which re-hashes every content file, finds it. */
  @Test
  void aFlippedByteIsFoundByVerifyOnly() throws Exception {
    upload("alice", "keep", "kept".getBytes());
    upload("alice", "docs/flip", "0123456789".getBytes());
    upload("alice", "docs/same", "0123456789".getBytes()); // the same content file: read once, both reported
    Path content = Path.of(engine.openDownload("alice", "docs/flip").contentPath());
    Files.write(content, "0123X56789".getBytes());
    assertEquals(List.of(), fsck(false), "sizes alone cannot see it");
    List<Fsck.Problem> verified = new FsckV2(meta, blobs, true).run(true, STALE_MS, GRACE_MS, clock.get());
    assertEquals(List.of("damaged content", "damaged content"), kinds(verified), "each file using it");
    assertTrue(verified.stream().allMatch(p -> p.detail().contains("has other bytes")), verified.toString());
    assertTrue(Files.exists(content), "not repaired: the operator restores it");
    Files.write(content, "0123456789".getBytes());
    assertEquals(List.of(), new FsckV2(meta, blobs, true).run(false, STALE_MS, GRACE_MS, clock.get()));
  }

  @Test
  void contentFilesTheDatabaseDoesNotKnowAreDeletedOnceOld() throws Exception {
    upload("alice", "keep", "kept".getBytes());
    UploadTicket orphan = engine.openUpload("alice", "orphan", 6, null);
    Files.write(Path.of(orphan.stagingPath()), "orphan".getBytes());
    blobs.publish(new StagingId("alice", "node-a", orphan.uploadId()), sha("orphan".getBytes()), 6);
    engine.abortUpload("alice", orphan.uploadId(), null); // the process died between publish and commit
    assertEquals(List.of(), fsck(false), "a young unknown file may be an upload about to commit");
    ageBlobFiles();
    findThenRepair("content without metadata");
    assertEquals(1, contentFiles());
    assertEquals("kept", Files.readString(Path.of(engine.openDownload("alice", "keep").contentPath())));
  }

  @Test
  void contentUnreferencedPastItsGracePeriodIsDeleted() throws Exception {
    upload("alice", "gone", "gone".getBytes());
    upload("alice", "keep", "kept".getBytes());
    engine.delete("alice", "gone");
    clock.addAndGet(GRACE_MS); // within grace + stale: a running node's sweeper would take it first
    assertEquals(List.of(), fsck(false));
    clock.addAndGet(STALE_MS + 1);
    findThenRepair("unreferenced content past its grace period");
    assertEquals(1, contentFiles());
    assertFalse(meta.hasBlob("alice", sha("gone".getBytes())));
    assertEquals("kept", Files.readString(Path.of(engine.openDownload("alice", "keep").contentPath())));
  }

  @Test
  void wrongReferenceCountsAreRewrittenFromTheTree() throws Exception {
    upload("alice", "a", "twice".getBytes());
    upload("alice", "b", "twice".getBytes());
    upload("alice", "c", "once".getBytes());
    upload("alice", "d", "unused".getBytes());
    engine.delete("alice", "d");
    // Too high (never swept), too low and stamped at 0 (the sweeper would delete content in use), 0 unstamped.
    sql("UPDATE blobs SET refcount = 5 WHERE sha256 = '" + sha("twice".getBytes()) + "'");
    sql("UPDATE blobs SET refcount = 0, zero_since = 1 WHERE sha256 = '" + sha("once".getBytes()) + "'");
    sql("UPDATE blobs SET zero_since = NULL WHERE sha256 = '" + sha("unused".getBytes()) + "'");
    List<Fsck.Problem> repaired = findThenRepair("wrong reference count", "wrong reference count",
        "wrong reference count");
    assertTrue(repaired.stream().anyMatch(p -> p.detail().contains("could delete content still in use")), repaired.toString());
    assertTrue(repaired.stream().anyMatch(p -> p.detail().contains("never swept")), repaired.toString());
    // The counts are right again: the sweeper leaves what is used and, after the grace period, takes the rest.
    V2Upkeep upkeep = new V2Upkeep(engine, blobs, true, () -> null, STALE_MS, GRACE_MS);
    clock.addAndGet(GRACE_MS + 1);
    assertEquals(1, upkeep.sweepUnreferenced(clock.get()));
    assertEquals("once", Files.readString(Path.of(engine.openDownload("alice", "c").contentPath())));
    engine.delete("alice", "a");
    assertEquals("twice", Files.readString(Path.of(engine.openDownload("alice", "b").contentPath())));
    assertEquals(List.of(), fsck(false));
  }

  @Test
  void aUsageRowThatDiffersFromTheTreeIsRewritten() throws Exception {
    upload("alice", "a", "12345".getBytes());
    upload("alice", "b/c", "678".getBytes());
    sql("UPDATE users SET used_bytes = 999, file_count = 7 WHERE name_key = 'alice'");
    findThenRepair("usage differs from files");
    assertEquals(8, engine.usage("alice").usedBytes());
    assertEquals(2, engine.usage("alice").fileCount());
    assertEquals(992, meta.usage("alice").freeBytes());
  }

  @Test
  void reservationsNoUploadWillEndAreReleasedAndLiveOnesKept() throws Exception {
    UploadTicket expired = engine.openUpload("alice", "expired", 100, null);
    UploadTicket noStaging = engine.openUpload("alice", "gone", 200, null);
    Files.delete(Path.of(noStaging.stagingPath()));
    UploadTicket idle = engine.openUpload("alice", "idle", 300, null);
    UploadTicket live = engine.openUpload("alice", "live", 50, null);
    UploadTicket fresh = engine.openUpload("alice", "fresh", 10, null); // opened just now: left alone
    sql("UPDATE reservations SET deadline = " + (clock.get() - 1) + " WHERE id = '" + expired.uploadId() + "'");
    clock.addAndGet(STALE_MS + 1000); // the others are older than the stale period now...
    Files.setLastModifiedTime(Path.of(live.stagingPath()), FileTime.fromMillis(clock.get())); // ...this one is written to
    Files.setLastModifiedTime(Path.of(fresh.stagingPath()), FileTime.fromMillis(clock.get()));
    sql("UPDATE reservations SET deadline = " + (clock.get() + StorageServiceV2.RESERVATION_LIFETIME_MS)
        + " WHERE id = '" + fresh.uploadId() + "'");
    Files.setLastModifiedTime(Path.of(idle.stagingPath()), FileTime.fromMillis(clock.get() - STALE_MS - 1000));
    Files.setLastModifiedTime(Path.of(expired.stagingPath()), FileTime.fromMillis(clock.get()));
    List<Fsck.Problem> repaired = findThenRepair("stale reservation", "stale reservation", "stale reservation",
        "leftover staging file"); // idle's staging file goes with it
    assertTrue(repaired.stream().anyMatch(p -> p.detail().contains(expired.uploadId()) && p.detail().contains("deadline")));
    assertTrue(repaired.stream().anyMatch(p -> p.detail().contains(noStaging.uploadId())));
    assertTrue(repaired.stream().anyMatch(p -> p.detail().contains(idle.uploadId())));
    assertEquals(60, meta.usage("alice").reservedBytes(), "the live and the fresh upload keep theirs");
    engine.commitUpload("alice", "live", live.uploadId(), 0, sha(new byte[0]), Preconditions.NONE, null);
    assertTrue(meta.checkUsage("alice").consistent());
  }

  @Test
  void stagingFilesOfDeadUploadsAreDeletedAndLiveOnesKept() throws Exception {
    UploadTicket dead = engine.openUpload("alice", "dead", 10, null);
    Files.write(Path.of(dead.stagingPath()), new byte[5]);
    UploadTicket live = engine.openUpload("alice", "live", 3, null);
    Files.write(Path.of(live.stagingPath()), "abc".getBytes());
    engine.abortUpload("alice", dead.uploadId(), null);
    Files.write(Path.of(dead.stagingPath()), new byte[5]); // an abort whose unlink was lost in a crash
    Files.setLastModifiedTime(Path.of(dead.stagingPath()), FileTime.fromMillis(clock.get() - 2 * STALE_MS));
    findThenRepair("leftover staging file");
    assertFalse(Files.exists(Path.of(dead.stagingPath())));
    assertTrue(Files.exists(Path.of(live.stagingPath())), "a live upload is left alone");
    assertEquals(3, meta.usage("alice").reservedBytes());
  }
}
