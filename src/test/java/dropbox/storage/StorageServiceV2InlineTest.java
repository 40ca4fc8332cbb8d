package dropbox.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.bus.CommitResult;
import dropbox.bus.DownloadHandle;
import dropbox.bus.ErrorCode;
import dropbox.bus.FileEvent;
import dropbox.bus.Preconditions;
import dropbox.bus.StorageException;
import dropbox.bus.UploadTicket;
import dropbox.storage.meta.MetadataStores;
import dropbox.testing.Contents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The v2 engine with small files kept in the database (storage.inlineMaxBytes, the default 64 KiB): the
 * whole engine contract, plus what inline content changes. A small file has no content file; it is
 * deduplicated, copied, charged, swept and checked by fsck like any blob; a streamed upload that turns out
 * small ends up inline too; content files written before (or larger) are still found and shared.
 * StorageServiceV2InlinePostgresTest runs all of it on PostgreSQL.
 */
class StorageServiceV2InlineTest extends V2EngineContract {
  static final long INLINE = 65536;

  @Override long inlineMax() { return INLINE; }

  /** Regular files under the storage root's blobs/ (content files) and staging/ (uploads in progress). */
  long filesUnder(String dir) throws Exception {
    Path d = root.resolve(dir);
    if (!Files.isDirectory(d)) return 0;
    try (Stream<Path> s = Files.walk(d)) {
      return s.filter(Files::isRegularFile).count();
    }
  }

  CommitResult putSmall(String user, String name, byte[] data) {
    return v2.putSmall(user, name, data, Preconditions.NONE, null);
  }

  @Test
  void aSmallUploadIsKeptInTheDatabaseWithNoFileAndReadBackWhole() throws Exception {
    byte[] data = "four kilobytes, more or less".getBytes();
    CommitResult r = putSmall("alice", "docs/a.txt", data);
    assertTrue(r.created());
    assertEquals(sha(data), r.file().sha256());
    DownloadHandle h = v2.openDownload("alice", "docs/a.txt");
    assertTrue(h.isInline());
    assertNull(h.contentPath());
    assertArrayEquals(data, h.inline().getBytes());
    assertEquals(data.length, h.file().size());
    assertEquals(0, filesUnder("blobs"), "no content file");
    assertEquals(0, filesUnder("staging"), "no staging file");
    assertEquals(data.length, v2.usage("alice").usedBytes());
    assertEquals(List.of(FileEvent.UPLOADED), events.stream().map(FileEvent::type).toList());
    assertConsistent("alice");
  }

  @Test
  void aStreamedUploadThatIsSmallEndsUpInlineAndItsStagingFileIsGone() throws Exception {
    byte[] data = new byte[(int) INLINE]; // exactly the limit: still inline
    data[7] = 7;
    CommitResult r = upload("big", "edge.bin", data);
    assertTrue(r.created());
    assertTrue(v2.openDownload("big", "edge.bin").isInline());
    assertArrayEquals(data, Contents.bytes(v2.openDownload("big", "edge.bin")));
    assertEquals(0, filesUnder("blobs"));
    assertEquals(0, filesUnder("staging"));
    assertEquals(0, meta.usage("big").reservedBytes(), "the reservation became used bytes");
    assertEquals(data.length, v2.usage("big").usedBytes());
    byte[] bigger = new byte[(int) INLINE + 1]; // one byte over: a content file
    upload("big", "over.bin", bigger);
    assertFalse(v2.openDownload("big", "over.bin").isInline());
    assertEquals(1, filesUnder("blobs"));
    assertConsistent("big");
  }

  @Test
  void aStreamedSmallUploadWhoseHashIsWrongIsRefusedAndReleased() throws Exception {
    UploadTicket t = v2.openUpload("alice", "a", 3, null);
    Files.write(Path.of(t.stagingPath()), "abc".getBytes());
    StorageException e = assertThrows(StorageException.class, () ->
        v2.commitUpload("alice", "a", t.uploadId(), 3, sha("xyz".getBytes()), Preconditions.NONE, null));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    assertEquals(0, v2.list("alice").files().size());
    assertEquals(0, meta.usage("alice").reservedBytes());
    assertEquals(0, filesUnder("staging"));
  }

  @Test
  void sameSmallBytesAreStoredOnceEveryCopyChargedAndSweptOnlyAfterTheLastReferenceAndTheGrace() throws Exception {
    byte[] data = "shared".getBytes();
    putSmall("alice", "a", data);
    upload("alice", "b", data); // the streamed path finds the same inline blob
    v2.copy("alice", "a", "c", false);
    assertEquals(18, v2.usage("alice").usedBytes(), "three files of 6 bytes");
    assertEquals(3, refcount("alice", sha(data)));
    assertEquals(1, blobRows("alice"));
    v2.delete("alice", "a");
    v2.delete("alice", "b");
    assertArrayEquals(data, Contents.bytes(v2.openDownload("alice", "c")));
    v2.delete("alice", "c");
    assertEquals(0, v2.usage("alice").usedBytes());
    assertEquals(0, sweepContent(false), "within the grace period the bytes stay");
    assertTrue(meta.inlineContent("alice", sha(data)).isPresent());
    sweepContent(true);
    assertTrue(meta.inlineContent("alice", sha(data)).isEmpty(), "swept after the grace period");
    assertEquals(0, blobRows("alice"));
    assertConsistent("alice");
  }

  @Test
  void usersDoNotShareInlineContent() throws Exception {
    byte[] data = "same bytes".getBytes();
    putSmall("alice", "a", data);
    putSmall("bob", "a", data);
    v2.delete("alice", "a");
    sweepContent(true);
    assertArrayEquals(data, Contents.bytes(v2.openDownload("bob", "a")));
  }

  @Test
  void aSmallUploadIsRefusedWhenTheQuotaIsFullOrTheFileTooLargeAndNothingIsStored() throws Exception {
    putSmall("alice", "a", new byte[900]);
    StorageException full = assertThrows(StorageException.class, () -> putSmall("alice", "b", new byte[200]));
    assertEquals(ErrorCode.QUOTA_EXCEEDED, full.code());
    StorageException large = assertThrows(StorageException.class, () -> putSmall("alice", "c", new byte[1001]));
    assertEquals(ErrorCode.TOO_LARGE, large.code());
    assertEquals("File too large (limit 1000 bytes)", large.getMessage());
    assertEquals(List.of("a"), v2.list("alice").files().stream().map(f -> f.name()).toList());
    assertEquals(900, v2.usage("alice").usedBytes());
    putSmall("alice", "a", new byte[1000]); // a replacement is charged its growth only
    assertEquals(1000, v2.usage("alice").usedBytes());
    assertConsistent("alice");
  }

  @Test
  void preconditionsAndPathRulesHoldForSmallUploads() throws Exception {
    putSmall("alice", "a", "one".getBytes());
    StorageException exists = assertThrows(StorageException.class, () ->
        v2.putSmall("alice", "a", "two".getBytes(), new Preconditions(true, null), null));
    assertEquals(ErrorCode.PRECONDITION_FAILED, exists.code());
    StorageException changed = assertThrows(StorageException.class, () ->
        v2.putSmall("alice", "a", "two".getBytes(), new Preconditions(false, sha("other".getBytes())), null));
    assertEquals(ErrorCode.PRECONDITION_FAILED, changed.code());
    v2.putSmall("alice", "a", "two".getBytes(), new Preconditions(false, sha("one".getBytes())), null);
    assertEquals("two", Contents.text(v2.openDownload("alice", "a")));
    v2.mkdir("alice", "dir");
    assertEquals(ErrorCode.PATH_CONFLICT, assertThrows(StorageException.class, () ->
        putSmall("alice", "dir", "x".getBytes())).code());
    assertEquals(ErrorCode.INVALID_NAME, assertThrows(StorageException.class, () ->
        putSmall("alice", "../x", "x".getBytes())).code());
    assertEquals(1, v2.list("alice").files().size());
    assertConsistent("alice");
  }

  @Test
  void parallelSmallUploadsOfTheSameBytesStoreOneBlob() throws Exception {
    byte[] data = "twelve times".getBytes();
    ExecutorService pool = Executors.newFixedThreadPool(12);
    try {
      List<Future<CommitResult>> all = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        String name = "f" + i;
        all.add(pool.submit(() -> putSmall("alice", name, data)));
      }
      for (Future<CommitResult> f : all) f.get();
    } finally {
      pool.shutdown();
    }
    assertEquals(1, blobRows("alice"));
    assertEquals(12, refcount("alice", sha(data)));
    assertEquals(12L * data.length, v2.usage("alice").usedBytes());
    assertConsistent("alice");
  }

  /** A content file written before inline storage (or by a node with it off) is found and shared, not copied. */
  @Test
  void anOlderContentFileOfTheSameBytesIsReusedNotDuplicatedInTheDatabase() throws Exception {
    v2.close();
    engine = open(1000, 0);
    byte[] data = "written as a file".getBytes();
    upload("alice", "old", data);
    assertEquals(1, filesUnder("blobs"));
    v2.close();
    engine = open(1000, INLINE);
    putSmall("alice", "new", data);
    DownloadHandle h = v2.openDownload("alice", "new");
    assertFalse(h.isInline(), "the existing content file serves it");
    assertArrayEquals(data, Contents.bytes(h));
    assertEquals(2, refcount("alice", sha(data)));
    assertTrue(meta.inlineContent("alice", sha(data)).isEmpty());
    assertTrue(new FsckV2(meta, blobs).run(false, STALE_MS, GRACE_MS,
        clock.get()).isEmpty());
  }

  @Test
  void fsckFindsNothingWrongWithInlineFilesAndRepairsTheirCounts() throws Exception {
    putSmall("alice", "a", "inline one".getBytes());
    putSmall("alice", "b", "inline two".getBytes());
    upload("big", "big", big('b'));
    FsckV2 fsck = new FsckV2(meta, blobs);
    assertTrue(fsck.run(false, STALE_MS, GRACE_MS, clock.get()).isEmpty());
    try (Connection c = db(); Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE blobs SET refcount = 5 WHERE content IS NOT NULL");
    }
    List<String> kinds = fsck.run(true, STALE_MS, GRACE_MS, clock.get())
        .stream().map(p -> p.kind()).distinct().toList();
    assertFalse(kinds.isEmpty(), "the wrong counts are found");
    assertTrue(fsck.run(false, STALE_MS, GRACE_MS, clock.get()).isEmpty());
    assertEquals("inline one", Contents.text(v2.openDownload("alice", "a")));
  }

  /** A direct connection to the same database (SQLite here; the PostgreSQL subclass overrides it). */
  Connection db() throws Exception {
    return DriverManager.getConnection("jdbc:sqlite:" + root.resolve(MetadataStores.SQLITE_FILE));
  }

  private long blobRows(String user) throws Exception {
    return query("SELECT COUNT(*) FROM blobs b JOIN users u ON u.id = b.user_id WHERE u.name_key = '" + user + "'");
  }

  private long refcount(String user, String sha) throws Exception {
    return query("SELECT b.refcount FROM blobs b JOIN users u ON u.id = b.user_id WHERE u.name_key = '" + user
        + "' AND b.sha256 = '" + sha + "'");
  }

  private long query(String sql) throws Exception {
    try (Connection c = db(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getLong(1) : -1;
    }
  }
}
