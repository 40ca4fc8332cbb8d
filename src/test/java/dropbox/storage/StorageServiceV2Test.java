package dropbox.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.bus.CommitResult;
import dropbox.bus.DownloadHandle;
import dropbox.bus.ErrorCode;
import dropbox.bus.FolderPage;
import dropbox.bus.Preconditions;
import dropbox.bus.StorageException;
import dropbox.bus.UploadTicket;
import dropbox.storage.blob.BlobKey;
import dropbox.storage.blob.StagingId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The v2 engine (database + content-addressed blobs) on SQLite: the engine contract, plus dedup
 * accounting, recovery and the sweeper, with every file a content file (storage.inlineMaxBytes 0: these
 * tests look at the files). StorageServiceV2PostgresTest runs all of it on PostgreSQL; small files kept in
 * the database are StorageServiceV2InlineTest's.
 */
class StorageServiceV2Test extends V2EngineContract {
  @Override long inlineMax() { return 0; }

  /** Content files of the user on disk, whatever their layout. */
  long contentFiles(String user) throws Exception {
    Path dir = root.resolve("blobs").resolve(user);
    if (!Files.isDirectory(dir)) return 0;
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).count();
    }
  }

  long stagingFiles() throws Exception {
    Path dir = root.resolve("staging");
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).count();
    }
  }

  /** The folder actions over the metadata store: their results, their refusals, their events, the quota. */
  @Test
  void folderActionsWithTheirErrorsAndEvents() throws Exception {
    upload("alice", "docs/a.txt", new byte[10]); // creates docs
    engine.mkdir("alice", "docs/sub");
    engine.mkdir("alice", "docs/sub"); // already there: success, no event
    FolderPage root = engine.listFolder("alice", "", 10, null);
    assertEquals(List.of("docs"), root.entries().stream().map(e -> e.info().name()).toList());
    assertTrue(root.entries().get(0).folder());
    FolderPage docs = engine.listFolder("alice", "docs", 1, null); // paged: one entry a page
    assertEquals("sub", docs.entries().get(0).info().name());
    assertTrue(docs.entries().get(0).folder());
    FolderPage next = engine.listFolder("alice", "docs", 1, docs.cursor());
    assertEquals("a.txt", next.entries().get(0).info().name());
    assertEquals(10, next.entries().get(0).info().size());
    assertEquals(10, next.usage().usedBytes());

    assertEquals("docs/b.txt", engine.move("alice", "docs/a.txt", "docs/b.txt", false).name());
    assertEquals(10, engine.copy("alice", "docs", "copy", false).size() + 10); // a folder's size is 0
    assertEquals(20, engine.usage("alice").usedBytes(), "the copy counts against the quota");
    assertCode(ErrorCode.TARGET_EXISTS, () -> engine.move("alice", "docs/b.txt", "copy/b.txt", false));
    assertCode(ErrorCode.INVALID_MOVE, () -> engine.move("alice", "docs", "docs/sub/x", false));
    assertCode(ErrorCode.NOT_FOUND, () -> engine.copy("alice", "nope", "x", false));
    assertCode(ErrorCode.PATH_CONFLICT, () -> engine.mkdir("alice", "docs/b.txt/x"));
    assertCode(ErrorCode.IS_FOLDER, () -> engine.delete("alice", "docs"));
    assertCode(ErrorCode.FOLDER_NOT_FOUND, () -> engine.listFolder("alice", "nope", 10, null));
    assertCode(ErrorCode.FOLDER_NOT_FOUND, () -> engine.rmdir("alice", "docs/b.txt"));
    assertCode(ErrorCode.INVALID_NAME, () -> engine.mkdir("alice", "a//b"));
    assertCode(ErrorCode.BAD_REQUEST, () -> engine.listFolder("alice", "docs", 0, null));
    assertCode(ErrorCode.BAD_REQUEST, () -> engine.listFolder("alice", "docs", 10_001, null));
    engine.rmdir("alice", "docs");
    assertEquals(10, engine.usage("alice").usedBytes());
    assertConsistent("alice");

    assertEquals(List.of("uploaded:docs/a.txt", "folder_created:docs/sub", "moved:docs/a.txt>docs/b.txt",
        "folder_created:copy", "folder_deleted:docs"), events.stream()
        .map(e -> e.type() + ":" + (e.from() == null ? "" : e.from() + ">") + e.name()).toList());
    assertEquals(10, events.get(events.size() - 1).size(), "the removed folder's bytes");
  }

  /** A moved event carries the entry's own modified time (its last upload), not the time of the move. */
  @Test
  void aMovedEventCarriesTheEntrysModifiedTime() throws Exception {
    upload("alice", "m/a.txt", new byte[3]);
    long uploaded = engine.listFolder("alice", "m", 10, null).entries().get(0).info().modified();
    clock.addAndGet(3_600_000);
    engine.move("alice", "m/a.txt", "m/b.txt", false);
    var ev = events.get(events.size() - 1);
    assertEquals("moved", ev.type());
    assertEquals(uploaded, ev.modified());
    assertEquals(uploaded, engine.listFolder("alice", "m", 10, null).entries().get(0).info().modified());
  }

  private static void assertCode(ErrorCode code, org.junit.jupiter.api.function.Executable call) {
    assertEquals(code, assertThrows(StorageException.class, call).code());
  }

  /**
   * A folder moved or copied deeper or under a longer name must not take a path below it past the path
   * rules (64 segments, 4000 bytes): no command could name that file again. Up to the limits it may.
   */
  @Test
  void aMoveOrCopyThatWouldPutAPathPastTheLimitsIsRefused() throws Exception {
    String deep = String.join("/", java.util.Collections.nCopies(60, "d"));
    upload("alice", deep + "/f", new byte[] {1}); // 61 segments
    engine.mkdir("alice", "p/q/r/s");
    // "d" to "p/q/r/s/d": 4 segments deeper, the file would have 65.
    assertCode(ErrorCode.INVALID_MOVE, () -> engine.move("alice", "d", "p/q/r/s/d", false));
    assertCode(ErrorCode.INVALID_MOVE, () -> engine.copy("alice", "d", "p/q/r/s/d", false));
    // 3 deeper: exactly 64, allowed.
    assertEquals("p/q/r/d", engine.move("alice", "d", "p/q/r/d", false).name());
    assertEquals(1, engine.openDownload("alice", "p/q/r/" + deep + "/f").file().size());
    // Bytes: 15 segments of 250 bytes (3 764 with the file), under a longer name it would pass 4 000.
    String seg = "L".repeat(250);
    String longPath = String.join("/", java.util.Collections.nCopies(15, seg));
    upload("alice", longPath + "/f", new byte[] {2});
    engine.mkdir("alice", "M".repeat(250));
    assertCode(ErrorCode.INVALID_MOVE, () -> engine.move("alice", seg, "M".repeat(250) + "/" + seg, false));
    assertCode(ErrorCode.INVALID_MOVE, () -> engine.copy("alice", seg, "M".repeat(250) + "/" + seg, false));
    assertEquals(1, engine.openDownload("alice", longPath + "/f").file().size(), "nothing moved");
    // A rename that shortens or keeps the length needs no look below and works.
    engine.move("alice", seg, "S", false);
    assertEquals(2, engine.usage("alice").usedBytes());
    assertConsistent("alice");
  }

  /**
   * Rows cost no bytes when files are empty, so besides the byte quota a user has at most quota.maxFiles
   * files, and one copy makes at most storage.maxCopyEntries files and folders: nine doubling COPYs had made
   * a million rows under a 1000-byte quota. Refused as the quota is, and nothing of a refused copy stays.
   */
  @Test
  void filesAndCopiesAreBoundedBesidesTheBytes() throws Exception {
    meta.setEntryLimits(new dropbox.storage.meta.EntryLimits(6, 0, 4));
    for (int i = 0; i < 4; i++) upload("alice", "t/e" + i, new byte[0]); // folder t + 4 files: 5 entries
    StorageException tooBig = assertThrows(StorageException.class, () -> engine.copy("alice", "t", "t2", false));
    assertEquals(ErrorCode.QUOTA_EXCEEDED, tooBig.code());
    assertTrue(tooBig.getMessage().contains("at most 4 files and folders"), tooBig.getMessage());
    upload("alice", "small/x", new byte[0]);
    engine.copy("alice", "small", "small2", false); // 2 entries: allowed, 6 files now
    assertEquals(6, engine.usage("alice").fileCount());
    StorageException tooMany = assertThrows(StorageException.class, () -> upload("alice", "seventh", new byte[0]));
    assertEquals(ErrorCode.QUOTA_EXCEEDED, tooMany.code());
    assertTrue(tooMany.getMessage().contains("at most 6 files"), tooMany.getMessage());
    assertEquals(ErrorCode.QUOTA_EXCEEDED,
        assertThrows(StorageException.class, () -> engine.copy("alice", "small/x", "y", false)).code());
    assertCode(ErrorCode.NOT_FOUND, () -> engine.openDownload("alice", "t2/e0"));
    upload("alice", "t/e0", new byte[] {1}); // replacing a file adds none
    engine.delete("alice", "t/e1");
    upload("alice", "seventh", new byte[0]); // room again after a delete
    assertEquals(6, engine.usage("alice").fileCount());
    assertEquals(0, stagingFiles(), "refused uploads left no staging file");
    assertConsistent("alice");
  }

  @Test
  void sameBytesAreStoredOnceButEveryCopyCountsAgainstTheQuota() throws Exception {
    byte[] data = "the same bytes".getBytes();
    upload("alice", "a", data);
    CommitResult b = upload("alice", "b", data);
    assertEquals(2 * data.length, engine.usage("alice").usedBytes(), "quota is logical bytes");
    assertEquals(2, engine.usage("alice").fileCount());
    assertEquals(1, contentFiles("alice"), "stored once");
    assertEquals(0, stagingFiles(), "the second upload's staging file was dropped");
    assertEquals(b.file().sha256(), engine.openDownload("alice", "a").file().sha256());

    engine.delete("alice", "a");
    assertEquals(0, sweepContent(true), "still referenced by b");
    assertEquals("the same bytes", Files.readString(Path.of(engine.openDownload("alice", "b").contentPath())));
    upload("alice", "b", data); // re-uploading the same bytes never takes the blob through 0
    assertEquals(0, sweepContent(true));
    engine.delete("alice", "b");
    assertEquals(0, sweepContent(false), "within the grace period");
    assertEquals(1, sweepContent(true));
    assertEquals(0, contentFiles("alice"));
    assertConsistent("alice");
  }

  /**
   * A copy stores nothing: one blob, two references (the database's count equals the two file rows),
   * charged twice as logical bytes; deleting either keeps the content for the other.
   */
  @Test
  void aCopyIsOneBlobWithTwoReferencesChargedTwice() throws Exception {
    byte[] data = "copied, not stored twice".getBytes();
    upload("alice", "docs/a", data);
    engine.copy("alice", "docs/a", "b", false);
    engine.copy("alice", "docs", "docs2", false);
    assertEquals(3L * data.length, engine.usage("alice").usedBytes());
    assertEquals(1, contentFiles("alice"));
    assertEquals(List.of(), meta.wrongBlobCounts("alice"), "refcount = the 3 rows that use it");
    assertCode(ErrorCode.QUOTA_EXCEEDED, () -> {
      for (int i = 0; i < 100; i++) engine.copy("alice", "docs", "more" + i, false); // 1000 bytes run out
    });
    assertConsistent("alice");
    engine.delete("alice", "docs/a");
    engine.rmdir("alice", "docs2");
    assertEquals(0, sweepContent(true), "b still uses it");
    assertEquals(new String(data), Files.readString(Path.of(engine.openDownload("alice", "b").contentPath())));
    assertEquals(List.of(), meta.wrongBlobCounts("alice"));
  }

  /** The same bytes uploaded under many names at once: stored once, every copy charged, counts right. */
  @Test
  void concurrentUploadsOfTheSameBytesStoreOneBlob() throws Exception {
    byte[] data = new byte[5000];
    new java.util.Random(3).nextBytes(data);
    int n = 12;
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<CommitResult>> all = new java.util.ArrayList<>();
      for (int i = 0; i < n; i++) {
        String name = "d" + (i % 3) + "/same" + i;
        all.add(pool.submit(() -> upload("big", name, data)));
      }
      for (Future<CommitResult> f : all) f.get(60, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, contentFiles("big"));
    assertEquals(0, stagingFiles());
    assertEquals((long) n * data.length, engine.usage("big").usedBytes());
    assertEquals(List.of(), meta.wrongBlobCounts("big"));
    assertConsistent("big");
  }

  /**
   * Uploads into a folder while another thread keeps moving that folder away (and copying it): every
   * acknowledged upload ends up in exactly one place of the tree with its content, none half-moved, each
   * copy a snapshot of files that exist, and the usage is the sum of what is listed.
   */
  @Test
  void uploadsIntoAFolderThatIsMovedMeanwhileEndUpInExactlyOnePlace() throws Exception {
    int writers = 3;
    int perWriter = 25;
    java.util.Map<String, String> acked = new java.util.concurrent.ConcurrentHashMap<>();
    java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
    List<String> copies = new java.util.concurrent.CopyOnWriteArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
    try {
      List<Future<?>> work = new java.util.ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int id = w;
        work.add(pool.submit(() -> {
          java.util.Random rnd = new java.util.Random(id);
          for (int i = 0; i < perWriter; i++) {
            byte[] data = new byte[1 + rnd.nextInt(3000)];
            rnd.nextBytes(data);
            String name = "w" + id + "-" + i;
            upload("big", "box/in/" + name, data);
            acked.put(name, sha(data));
          }
          return null;
        }));
      }
      Future<?> mover = pool.submit(() -> {
        for (int k = 0; !done.get(); k++) {
          try {
            if (k % 3 == 2) {
              engine.copy("big", "box", "copy" + k, false);
              copies.add("copy" + k);
            } else {
              engine.move("big", "box", "moved" + k, false);
            }
          } catch (StorageException e) {
            // box not re-created yet; or (a copy) the quota is used up: both leave the tree as it was
            assertTrue(e.code() == ErrorCode.NOT_FOUND || (k % 3 == 2 && e.code() == ErrorCode.QUOTA_EXCEEDED),
                e.getMessage());
          }
          Thread.sleep(2);
        }
        return null;
      });
      for (Future<?> f : work) f.get(120, TimeUnit.SECONDS);
      done.set(true);
      mover.get(30, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    assertEquals(writers * perWriter, acked.size());
    java.util.Map<String, List<String>> places = new java.util.HashMap<>();
    long sum = 0;
    var listing = engine.list("big");
    for (var f : listing.files()) {
      sum += f.size();
      String[] parts = f.name().split("/");
      String base = parts[parts.length - 1];
      assertEquals(3, parts.length, "folder/in/name: " + f.name());
      assertEquals("in", parts[1], f.name());
      assertEquals(acked.get(base), f.sha256(), "the content of " + f.name() + " is the upload's");
      if (!copies.contains(parts[0])) places.computeIfAbsent(base, b -> new java.util.ArrayList<>()).add(f.name());
    }
    for (String name : acked.keySet()) {
      assertEquals(1, places.getOrDefault(name, List.of()).size(), name + " is in exactly one place: " + places.get(name));
    }
    assertEquals(acked.keySet(), places.keySet(), "nothing but the acknowledged uploads");
    assertEquals(sum, listing.usage().usedBytes(), "usage = listing");
    assertEquals(List.of(), meta.wrongBlobCounts("big"));
    assertConsistent("big");
    for (var f : listing.files()) {
      assertEquals(f.sha256(), sha(Files.readAllBytes(Path.of(engine.openDownload("big", f.name()).contentPath()))));
    }
  }

  @Test
  void aContentFileOfTheWrongSizeIsNeverServedAsTheFile() throws Exception {
    upload("alice", "cut", "0123456789".getBytes());
    Path content = Path.of(engine.openDownload("alice", "cut").contentPath());
    // Damage while the server is up or down: truncated, then grown. Either way, not these bytes under its ETag.
    Files.write(content, "0123".getBytes());
    StorageException cut = assertThrows(StorageException.class, () -> engine.openDownload("alice", "cut"));
    assertEquals(ErrorCode.INTERNAL, cut.code());
    Files.write(content, "0123456789 and more".getBytes());
    assertEquals(ErrorCode.INTERNAL, assertThrows(StorageException.class, () -> engine.openDownload("alice", "cut")).code());
    Files.write(content, "0123456789".getBytes());
    assertEquals("0123456789", Files.readString(Path.of(engine.openDownload("alice", "cut").contentPath())));
  }

  @Test
  void usersDoNotShareContent() throws Exception {
    upload("alice", "a", "shared?".getBytes());
    upload("bob", "a", "shared?".getBytes());
    assertEquals(1, contentFiles("alice"));
    assertEquals(1, contentFiles("bob"));
    engine.delete("alice", "a");
    sweepContent(true);
    assertEquals("shared?", Files.readString(Path.of(engine.openDownload("bob", "a").contentPath())));
  }

  @Test
  void recoveryOfALoneNodeReapsWhatADeadProcessLeftAndKeepsEveryCommittedFile() throws Exception {
    upload("alice", "kept", "kept".getBytes());
    UploadTicket streaming = engine.openUpload("alice", "partial", 500, null);
    Files.write(Path.of(streaming.stagingPath()), new byte[200]);
    // Published but never committed: the process died between the blob and the database commit.
    UploadTicket published = engine.openUpload("alice", "orphan", 7, null);
    Files.write(Path.of(published.stagingPath()), "orphan!".getBytes());
    blobs.publish(new StagingId("alice", "node-a", published.uploadId()), sha("orphan!".getBytes()), 7);
    assertEquals(2, contentFiles("alice"));
    engine.close();

    engine = open(1000); // the next process
    upkeep.recover();
    assertFalse(Files.exists(Path.of(streaming.stagingPath())));
    assertEquals(0, stagingFiles());
    assertEquals(1, contentFiles("alice"), "the orphan blob is gone");
    assertEquals(0, meta.usage("alice").reservedBytes(), "reservations released");
    assertEquals("kept", Files.readString(Path.of(engine.openDownload("alice", "kept").contentPath())));
    assertEquals(4, engine.list("alice").usage().usedBytes());
    engine.abortUpload("alice", engine.openUpload("alice", "x", 996, null).uploadId(), null);
    assertConsistent("alice");
  }

  @Test
  void maintenanceLeavesLiveUploadsAloneAndReapsOnlyStaleOnes() throws Exception {
    UploadTicket live = engine.openUpload("alice", "live", 3, null);
    Files.write(Path.of(live.stagingPath()), "abc".getBytes());
    UploadTicket stale = engine.openUpload("alice", "stale", 3, null);
    Files.setLastModifiedTime(Path.of(stale.stagingPath()),
        java.nio.file.attribute.FileTime.fromMillis(clock.get() - STALE_MS - 1000));
    upkeep.maintain();
    assertTrue(Files.exists(Path.of(live.stagingPath())));
    assertFalse(Files.exists(Path.of(stale.stagingPath())));
    assertEquals(3, meta.usage("alice").reservedBytes(), "the stale upload's reservation went with it");
    engine.commitUpload("alice", "live", live.uploadId(), 3, sha("abc".getBytes()), Preconditions.NONE, null);
    assertEquals("abc", Files.readString(Path.of(engine.openDownload("alice", "live").contentPath())));
    // The file-walking scan runs once per stale period, the indexed work every time.
    UploadTicket later = engine.openUpload("alice", "later", 3, null);
    Files.setLastModifiedTime(Path.of(later.stagingPath()),
        java.nio.file.attribute.FileTime.fromMillis(clock.get() - STALE_MS - 1000));
    upkeep.maintain();
    assertTrue(Files.exists(Path.of(later.stagingPath())), "not rescanned within the stale period");
    clock.addAndGet(STALE_MS);
    upkeep.maintain();
    assertFalse(Files.exists(Path.of(later.stagingPath())));
    // The stale upload's front end gets a clear answer if it comes back after all: try again (its client
    // did nothing wrong).
    assertEquals(ErrorCode.BUSY, assertThrows(StorageException.class, () ->
        engine.commitUpload("alice", "stale", stale.uploadId(), 0, sha(new byte[0]), Preconditions.NONE, null)).code());
  }

  /**
   * A scan that meets a user's lock held past its timeout skips that user and is owed: the next run
   * (a minute later, not a stale period) reaps what it skipped, and the other users are scanned anyway.
   */
  @Test
  void aScanThatFindsAUserBusyIsRunAgainAtTheNextMaintenance() throws Exception {
    LocalLockManager lm = new LocalLockManager(vertx);
    StorageServiceV2 quick = new StorageServiceV2(meta, blobs, lm, quotas(1000), 200, "node-a", e -> { }, clock::get, 0);
    V2Upkeep upkeepQuick = new V2Upkeep(quick, blobs, true, () -> null, STALE_MS, GRACE_MS);
    upkeepQuick.maintain(); // the periodic scan has just run
    UploadTicket alice = quick.openUpload("alice", "a", 3, null);
    UploadTicket bob = quick.openUpload("bob", "b", 3, null);
    for (UploadTicket t : List.of(alice, bob)) {
      Files.write(Path.of(t.stagingPath()), "abc".getBytes());
      Files.setLastModifiedTime(Path.of(t.stagingPath()),
          java.nio.file.attribute.FileTime.fromMillis(clock.get() - STALE_MS - 1000));
    }
    clock.addAndGet(STALE_MS); // the scan is due
    LockManager.Held held = Blocking.await(lm.acquire(StorageLocks.userLock("alice"), 1000), 2000);
    try {
      upkeepQuick.maintain();
    } finally {
      held.release();
    }
    assertTrue(Files.exists(Path.of(alice.stagingPath())), "alice was busy: skipped");
    assertFalse(Files.exists(Path.of(bob.stagingPath())), "bob was scanned all the same");
    upkeepQuick.maintain(); // same instant: owed, so it runs although the stale period has not passed
    assertFalse(Files.exists(Path.of(alice.stagingPath())));
    assertEquals(0, meta.usage("alice").reservedBytes());
    assertConsistent("alice");
  }

  /**
   * A node that sees no other member (started with the wrong member list, or one side of a split) took
   * every other node for dead and released their live uploads. A node that wrote a heartbeat lately is
   * alive whatever the membership says; one silent for HEARTBEAT_LIVE_MS is not.
   */
  @Test
  void aNodeMissingFromTheMembershipButBeatingKeepsItsUploads() throws Exception {
    V2Upkeep other = new V2Upkeep(new StorageServiceV2(meta, blobs, new LocalLockManager(vertx), quotas(1000), 5000,
        "node-other", e -> { }, clock::get, 0), blobs, false, () -> Set.of("node-other"), STALE_MS, GRACE_MS);
    V2Upkeep lonely = new V2Upkeep(v2, blobs, false, () -> Set.of("node-a"), STALE_MS, GRACE_MS);
    other.heartbeat();
    UploadTicket t = engine.openUpload("alice", "in-flight", 300, "node-other");
    Files.write(Path.of(t.stagingPath()), new byte[300]);
    lonely.recover(); // a clustered start runs maintenance: node-other is no member of its cluster
    assertTrue(Files.exists(Path.of(t.stagingPath())), "a beating node's staging file stays");
    assertEquals(300, meta.usage("alice").reservedBytes(), "and its reservation");
    clock.addAndGet(V2Upkeep.HEARTBEAT_LIVE_MS + 1); // node-other falls silent
    lonely.maintain();
    assertEquals(0, meta.usage("alice").reservedBytes(), "a silent node's upload is released");
    assertConsistent("alice");
  }

  @Test
  void reservationsOfADepartedNodeAreReleasedWithTheirStagingFilesAndNoOthers() throws Exception {
    V2Upkeep clustered = new V2Upkeep(v2, blobs, false, () -> Set.of("node-live", "node-a"), STALE_MS, GRACE_MS);
    clustered.maintain(); // the periodic file scan has just run: the departure alone must trigger the next one
    UploadTicket dead = engine.openUpload("alice", "from-dead", 900, "node-dead");
    Files.write(Path.of(dead.stagingPath()), new byte[300]);
    UploadTicket live = engine.openUpload("alice", "from-live", 50, "node-live");
    assertEquals(ErrorCode.QUOTA_EXCEEDED,
        assertThrows(StorageException.class, () -> engine.openUpload("alice", "x", 100, "node-live")).code());
    clustered.maintain();
    assertFalse(Files.exists(Path.of(dead.stagingPath())));
    assertTrue(Files.exists(Path.of(live.stagingPath())));
    assertEquals(50, meta.usage("alice").reservedBytes());
    engine.abortUpload("alice", engine.openUpload("alice", "x", 900, "node-live").uploadId(), "node-live");
    assertEquals(ErrorCode.BUSY, assertThrows(StorageException.class, () -> engine.commitUpload("alice",
        "from-dead", dead.uploadId(), 300, sha(new byte[300]), Preconditions.NONE, "node-dead")).code());
    // Membership unknown (the cluster is shutting down): nothing is judged dead.
    new V2Upkeep(v2, blobs, false, () -> null, STALE_MS, GRACE_MS).maintain();
    assertTrue(Files.exists(Path.of(live.stagingPath())));
  }

  /**
   * A commit refused after its content was published (a path conflict here; a precondition or the quota
   * alike) takes that content back with it, so refused uploads cannot fill the disk outside the quota;
   * content that a file does reference stays.
   */
  @Test
  void aRefusedCommitLeavesNoContentBehindButKeepsContentInUse() throws Exception {
    upload("big", "afile", big('a'));
    // A conflict known when the upload opens is refused then, before any byte is sent or held.
    assertCode(ErrorCode.PATH_CONFLICT, () -> engine.openUpload("big", "afile/f", 70_000, null));
    engine.mkdir("big", "folder/sub");
    assertCode(ErrorCode.PATH_CONFLICT, () -> engine.openUpload("big", "folder", 70_000, null));
    assertEquals(0, meta.usage("big").reservedBytes());
    // One that arises while the body streams (a folder made at the path meanwhile) is refused at the
    // commit, after the content was published: the refusal takes that content with it.
    for (char c : new char[] {'1', '2', '3'}) {
      byte[] data = big(c);
      UploadTicket t = engine.openUpload("big", "late" + c, data.length, null);
      Files.write(Path.of(t.stagingPath()), data);
      engine.mkdir("big", "late" + c + "/meanwhile");
      assertCode(ErrorCode.PATH_CONFLICT, () ->
          engine.commitUpload("big", "late" + c, t.uploadId(), data.length, sha(data), Preconditions.NONE, null));
    }
    assertEquals(1, contentFiles("big"), "the refused uploads' content is gone at once");
    assertEquals(0, stagingFiles());
    // The same bytes as a stored file: the refusal must not take them from it.
    byte[] same = big('a');
    UploadTicket t = engine.openUpload("big", "late4", same.length, null);
    Files.write(Path.of(t.stagingPath()), same);
    engine.mkdir("big", "late4/meanwhile");
    assertCode(ErrorCode.PATH_CONFLICT, () ->
        engine.commitUpload("big", "late4", t.uploadId(), same.length, sha(same), Preconditions.NONE, null));
    assertEquals(1, contentFiles("big"));
    assertEquals(new String(big('a')), Files.readString(Path.of(engine.openDownload("big", "afile").contentPath())));
    assertEquals(0, meta.usage("big").reservedBytes());
    assertConsistent("big");
  }

  /**
   * A full disk refuses every upload, so deleting files to make room must make room: while less than
   * storage.lowSpaceBytes is usable, relieve() removes deleted content after 30 s instead of the hour of
   * the grace period; with space enough it leaves the grace alone, and content in use is never removed.
   */
  @Test
  void whileTheStorageIsNearlyFullDeletedContentGoesAfterSecondsNotTheGracePeriod() throws Exception {
    java.util.concurrent.atomic.AtomicLong usable = new java.util.concurrent.atomic.AtomicLong(1L << 40);
    SpaceReserve reserve = new SpaceReserve(root);
    V2Upkeep upkeep = new V2Upkeep(v2, blobs, true, () -> null, STALE_MS, GRACE_MS, null, usable::get, 64L << 20, reserve);
    upload("big", "gone", big('g'));
    upload("big", "kept", big('k'));
    upload("big", "copy", big('k'));
    engine.delete("big", "gone");
    engine.delete("big", "kept"); // "copy" still references its bytes
    clock.addAndGet(V2Upkeep.LOW_SPACE_GRACE_MS + 1);
    upkeep.relieve();
    assertEquals(2, contentFiles("big"), "enough space: the grace period holds");
    assertEquals(SpaceReserve.BYTES, Files.size(reserve.file()), "and the reserve is made");

    usable.set(32L << 20);
    clock.addAndGet(-2);
    upkeep.relieve();
    assertEquals(2, contentFiles("big"), "deleted less than 30 s ago: still kept");
    assertTrue(Files.exists(reserve.file()), "nearly full is not full: the reserve stays");
    usable.set(SpaceReserve.RELEASE_BELOW - 1);
    clock.addAndGet(2);
    upkeep.relieve();
    assertEquals(1, contentFiles("big"), "nearly full: the deleted content is removed");
    assertFalse(Files.exists(reserve.file()), "full: the reserve was given up so deletes can commit");
    assertEquals(new String(big('k')), Files.readString(Path.of(engine.openDownload("big", "copy").contentPath())));
    assertConsistent("big");

    // 0 turns it off.
    engine.delete("big", "copy");
    clock.addAndGet(V2Upkeep.LOW_SPACE_GRACE_MS + 1);
    new V2Upkeep(v2, blobs, true, () -> null, STALE_MS, GRACE_MS, null, () -> 0, 0, null).relieve();
    assertEquals(1, contentFiles("big"));
    upkeep.relieve();
    assertEquals(0, contentFiles("big"));
  }

  /**
   * The one race between an upload and the sweeper: the upload's publish finds the user's old,
   * unreferenced blob and drops its staging file, then the sweeper deletes that blob before the commit
   * gets the user lock. The commit must see it under the lock and refuse, not commit a row without content.
   */
  @Test
  void aBlobSweptBetweenPublishAndCommitIsNeverCommittedWithoutContent() throws Exception {
    byte[] data = "recycled".getBytes();
    upload("alice", "old", data);
    engine.delete("alice", "old");
    clock.addAndGet(GRACE_MS + 1);
    UploadTicket t = engine.openUpload("alice", "new", data.length, null);
    Files.write(Path.of(t.stagingPath()), data);
    LockManager.Held userLock = new LocalLockManager(vertx).acquire(StorageLocks.userLock("alice"), 5000)
        .await(5, TimeUnit.SECONDS);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<CommitResult> commit = pool.submit(() -> engine.commitUpload("alice", "new", t.uploadId(), data.length,
          sha(data), Preconditions.NONE, null));
      long deadline = System.currentTimeMillis() + 10_000;
      while (Files.exists(Path.of(t.stagingPath())) && System.currentTimeMillis() < deadline) Thread.sleep(5);
      assertFalse(Files.exists(Path.of(t.stagingPath())), "published: found the old blob, staging dropped");
      // What the sweeper does, holding the user lock.
      assertTrue(meta.forgetBlob("alice", sha(data), clock.get() - GRACE_MS));
      blobs.sweep(java.util.List.of(new BlobKey("alice", sha(data))));
      userLock.release();
      java.util.concurrent.ExecutionException e =
          assertThrows(java.util.concurrent.ExecutionException.class, () -> commit.get(10, TimeUnit.SECONDS));
      assertEquals(ErrorCode.BUSY, ((StorageException) e.getCause()).code());
    } finally {
      userLock.release();
      pool.shutdownNow();
    }
    assertTrue(engine.list("alice").files().isEmpty());
    assertEquals(ErrorCode.NOT_FOUND, assertThrows(StorageException.class, () -> engine.openDownload("alice", "new")).code());
    engine.abortUpload("alice", engine.openUpload("alice", "x", 1000, null).uploadId(), null); // reservation gone
    upload("alice", "new", data); // and a retry stores it
    DownloadHandle h = engine.openDownload("alice", "new");
    assertEquals("recycled", Files.readString(Path.of(h.contentPath())));
    assertConsistent("alice");
  }

  @Test
  void aMalformedOwnerOrHashIsABadRequestAndLeavesNothingHeld() throws Exception {
    assertEquals(ErrorCode.BAD_REQUEST, assertThrows(StorageException.class,
        () -> engine.openUpload("alice", "a", 10, "../../x")).code());
    UploadTicket t = engine.openUpload("alice", "a", 3, null);
    Files.write(Path.of(t.stagingPath()), "abc".getBytes());
    assertEquals(ErrorCode.BAD_REQUEST, assertThrows(StorageException.class,
        () -> engine.commitUpload("alice", "a", t.uploadId(), 3, "../../etc", Preconditions.NONE, null)).code());
    assertFalse(Files.exists(Path.of(t.stagingPath())));
    assertEquals(0, meta.usage("alice").reservedBytes());
    assertEquals(0, contentFiles("alice"));
  }
}
