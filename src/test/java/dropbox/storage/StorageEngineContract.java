package dropbox.storage;

import dropbox.bus.QuotaPolicy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.bus.CommitResult;
import dropbox.bus.DownloadHandle;
import dropbox.bus.ErrorCode;
import dropbox.bus.FileEvent;
import dropbox.bus.FileInfo;
import dropbox.bus.Listing;
import dropbox.bus.Preconditions;
import dropbox.bus.StorageException;
import dropbox.bus.UploadTicket;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every storage engine must do, on real files, called directly (no event bus): the blocking core
 * behind StorageVerticle. Subclasses: StorageServiceTest (v1), StorageServiceV2Test (v2 on SQLite),
 * StorageServiceV2PostgresTest (v2 on PostgreSQL).
 */
abstract class StorageEngineContract {
  @TempDir Path root;
  Vertx vertx;
  StorageEngine engine;
  final List<FileEvent> events = new CopyOnWriteArrayList<>();
  final AtomicLong clock = new AtomicLong(1_700_000_000_000L);

  /** The engine under test on root, quota bytes for everyone but "big" (1 000 000), with events and clock. */
  abstract StorageEngine open(long quota) throws Exception;

  /** Removes content superseded or deleted: all of it when pastGrace, else what the grace period allows. */
  abstract int sweepContent(boolean pastGrace) throws Exception;

  /** The engine's own consistency check finds nothing wrong with user's usage. */
  abstract void assertConsistent(String user) throws Exception;

  static QuotaPolicy quotas(long quota) {
    return new QuotaPolicy(quota, new JsonObject().put("big", 1_000_000L), Long.MAX_VALUE);
  }

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    engine = open(1000);
  }

  @AfterEach
  void tearDown() {
    if (engine != null) engine.close();
    vertx.close().await();
  }

  CommitResult upload(String user, String name, byte[] data) throws Exception {
    UploadTicket t = engine.openUpload(user, name, data.length, null);
    Files.write(Path.of(t.stagingPath()), data);
    return engine.commitUpload(user, name, t.uploadId(), data.length, sha(data), Preconditions.NONE, null);
  }

  static String sha(byte[] d) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(d));
  }

  @Test
  void metadataRoundTripKeepsCreatedAcrossReplace() throws Exception {
    CommitResult first = upload("alice", "notes.txt", "hello".getBytes());
    assertTrue(first.created());
    clock.addAndGet(5000);
    CommitResult second = upload("alice", "notes.txt", "hello world".getBytes());
    assertFalse(second.created());
    FileInfo f = second.file();
    assertEquals(11, f.size());
    assertEquals(sha("hello world".getBytes()), f.sha256());
    assertEquals(first.file().created(), f.created());
    assertEquals(first.file().modified() + 5000, f.modified());

    DownloadHandle h = engine.openDownload("alice", "notes.txt");
    assertEquals("hello world", dropbox.testing.Contents.text(h));
    Listing l = engine.list("alice");
    assertEquals(List.of(f), l.files());
    assertEquals(11, l.usage().usedBytes());
    assertEquals(1, l.usage().fileCount());
    assertEquals(List.of(FileEvent.UPLOADED, FileEvent.UPLOADED), events.stream().map(FileEvent::type).toList());
  }

  /** Content files (larger than storage.inlineMaxBytes): a download in flight keeps reading the old one. */
  @Test
  void aReplacedContentFileStaysReadableForTheGracePeriod() throws Exception {
    byte[] one = big('1');
    upload("big", "a", one);
    DownloadHandle old = engine.openDownload("big", "a");
    upload("big", "a", big('2'));
    engine.delete("big", "a");
    assertArrayEquals(one, Files.readAllBytes(Path.of(old.contentPath())));
    assertEquals(0, sweepContent(false));
    assertEquals(2, sweepContent(true));
    assertFalse(Files.exists(Path.of(old.contentPath())));
  }

  /** Bytes above the default storage.inlineMaxBytes (64 KiB), so they are a content file in every engine. */
  static byte[] big(char fill) {
    byte[] b = new byte[70_000];
    java.util.Arrays.fill(b, (byte) fill);
    return b;
  }

  @Test
  void deleteFreesQuotaAndUnknownNamesAreNotFound() throws Exception {
    upload("alice", "a", new byte[300]);
    assertEquals(300, engine.usage("alice").usedBytes());
    assertEquals(300, engine.delete("alice", "a").size());
    assertEquals(0, engine.usage("alice").usedBytes());
    StorageException e = assertThrows(StorageException.class, () -> engine.delete("alice", "a"));
    assertEquals(ErrorCode.NOT_FOUND, e.code());
    assertEquals("File not found", e.getMessage());
    assertEquals(ErrorCode.NOT_FOUND, assertThrows(StorageException.class, () -> engine.openDownload("bob", "a")).code());
    assertEquals(ErrorCode.INVALID_NAME, assertThrows(StorageException.class, () -> engine.openDownload("bob", "..")).code());
    assertEquals(ErrorCode.INVALID_NAME, assertThrows(StorageException.class,
        () -> engine.openUpload("bob", "a//b", 1, null)).code(), "not a path on either engine");
    assertEquals(List.of(FileEvent.UPLOADED, FileEvent.DELETED), events.stream().map(FileEvent::type).toList());
  }

  @Test
  void usersAreIsolatedAndCaseInsensitive() throws Exception {
    upload("alice", "secret", "a's data".getBytes());
    assertEquals(ErrorCode.NOT_FOUND, assertThrows(StorageException.class, () -> engine.openDownload("bob", "secret")).code());
    assertEquals(1, engine.list("ALICE").files().size());
    assertTrue(engine.list("bob").files().isEmpty());
  }

  @Test
  void listingIsInUtf8ByteOrderWithUsageOfTheSameSnapshot() throws Exception {
    for (String n : List.of("b", "a b", "a-b", "a0", "Z", "é", "a")) upload("alice", n, n.getBytes());
    Listing l = engine.list("alice");
    assertEquals(List.of("Z", "a", "a b", "a-b", "a0", "b", "é"), l.files().stream().map(FileInfo::name).toList());
    assertEquals(l.files().stream().mapToLong(FileInfo::size).sum(), l.usage().usedBytes());
    assertEquals(7, l.usage().fileCount());
  }

  @Test
  void tooLargeAndQuotaAreRefusedBeforeAnyByte() {
    StorageException e = assertThrows(StorageException.class, () -> engine.openUpload("alice", "x", 1001, null));
    assertEquals(ErrorCode.TOO_LARGE, e.code());
    assertEquals("File too large (limit 1000 bytes)", e.getMessage());
    UploadTicket t = engine.openUpload("alice", "x", 600, null);
    e = assertThrows(StorageException.class, () -> engine.openUpload("alice", "y", 500, null));
    assertEquals(ErrorCode.QUOTA_EXCEEDED, e.code());
    assertEquals("Quota exceeded (needs 500 bytes, 400 bytes free)", e.getMessage());
    engine.abortUpload("alice", t.uploadId(), null);
    engine.abortUpload("alice", t.uploadId(), null); // idempotent
    assertFalse(Files.exists(Path.of(t.stagingPath())));
    engine.abortUpload("alice", engine.openUpload("alice", "y", 1000, null).uploadId(), null);
    assertEquals(1_000_000, engine.openUpload("big", "x", 999_999, null).limitBytes());
  }

  @Test
  void aReplacementIsChargedItsGrowthOnly() throws Exception {
    upload("alice", "a", new byte[700]);
    // 900 bytes over a 700-byte file: 200 of growth, 300 free.
    UploadTicket t = engine.openUpload("alice", "a", 900, null);
    assertEquals(ErrorCode.QUOTA_EXCEEDED,
        assertThrows(StorageException.class, () -> engine.openUpload("alice", "b", 101, null)).code());
    Files.write(Path.of(t.stagingPath()), new byte[900]);
    engine.commitUpload("alice", "a", t.uploadId(), 900, sha(new byte[900]), Preconditions.NONE, null);
    assertEquals(900, engine.usage("alice").usedBytes());
    assertEquals(1, engine.usage("alice").fileCount());
  }

  @Test
  void anUploadOfUnknownSizeHoldsOnlyItsGrowthAsItExtends() throws Exception {
    upload("alice", "c", new byte[100]);
    upload("alice", "a", new byte[600]); // 300 free
    UploadTicket t = engine.openUpload("alice", "a", -1, null);
    assertEquals(0, t.reservedBytes());
    assertEquals(500, engine.extendUpload("alice", t.uploadId(), 500)); // within the old file's 600: free
    assertEquals(850, engine.extendUpload("alice", t.uploadId(), 350)); // 250 of growth
    assertEquals(ErrorCode.QUOTA_EXCEEDED,
        assertThrows(StorageException.class, () -> engine.extendUpload("alice", t.uploadId(), 100)).code());
    assertEquals(ErrorCode.TOO_LARGE,
        assertThrows(StorageException.class, () -> engine.extendUpload("alice", t.uploadId(), 200)).code());
    Files.write(Path.of(t.stagingPath()), new byte[850]);
    engine.commitUpload("alice", "a", t.uploadId(), 850, sha(new byte[850]), Preconditions.NONE, null);
    assertEquals(950, engine.usage("alice").usedBytes());
    engine.abortUpload("alice", engine.openUpload("alice", "b", 50, null).uploadId(), null); // nothing leaked
    assertEquals(ErrorCode.QUOTA_EXCEEDED,
        assertThrows(StorageException.class, () -> engine.openUpload("alice", "b", 51, null)).code());
  }

  @Test
  void preconditionsAreDecidedAtCommit() throws Exception {
    upload("alice", "a", "one".getBytes());
    UploadTicket t = engine.openUpload("alice", "a", 3, null);
    Files.write(Path.of(t.stagingPath()), "two".getBytes());
    StorageException e = assertThrows(StorageException.class, () -> engine.commitUpload("alice", "a", t.uploadId(), 3,
        sha("two".getBytes()), new Preconditions(true, null), null));
    assertEquals(ErrorCode.PRECONDITION_FAILED, e.code());
    assertFalse(Files.exists(Path.of(t.stagingPath())), "a refused commit aborts the upload");
    assertEquals(3, engine.usage("alice").usedBytes());
    UploadTicket t2 = engine.openUpload("alice", "a", 3, null);
    Files.write(Path.of(t2.stagingPath()), "two".getBytes());
    e = assertThrows(StorageException.class, () -> engine.commitUpload("alice", "a", t2.uploadId(), 3,
        sha("two".getBytes()), new Preconditions(false, sha("three".getBytes())), null));
    assertEquals("The file has changed", e.getMessage());
    UploadTicket t3 = engine.openUpload("alice", "a", 3, null);
    Files.write(Path.of(t3.stagingPath()), "two".getBytes());
    engine.commitUpload("alice", "a", t3.uploadId(), 3, sha("two".getBytes()),
        new Preconditions(false, sha("one".getBytes())), null);
    assertEquals(sha("two".getBytes()), engine.openDownload("alice", "a").file().sha256());
    // Every refused upload gave its reservation back: the whole quota minus the file is free.
    engine.abortUpload("alice", engine.openUpload("alice", "b", 997, null).uploadId(), null);
  }

  @Test
  void anIncompleteUploadIsRefusedAtCommit() throws Exception {
    UploadTicket t = engine.openUpload("alice", "a", 10, null);
    Files.write(Path.of(t.stagingPath()), new byte[5]);
    StorageException e = assertThrows(StorageException.class,
        () -> engine.commitUpload("alice", "a", t.uploadId(), 10, sha(new byte[10]), Preconditions.NONE, null));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    assertEquals("Upload incomplete", e.getMessage());
    assertEquals(ErrorCode.NOT_FOUND, assertThrows(StorageException.class, () -> engine.openDownload("alice", "a")).code());
    engine.abortUpload("alice", t.uploadId(), null); // what StagingWriter does after any failed commit
    engine.abortUpload("alice", engine.openUpload("alice", "b", 1000, null).uploadId(), null); // quota is back
  }

  @Test
  void aCommitOfAnUnknownOrAbortedUploadIsRefused() throws Exception {
    UploadTicket t = engine.openUpload("alice", "a", 3, null);
    Files.write(Path.of(t.stagingPath()), "abc".getBytes());
    engine.abortUpload("alice", t.uploadId(), null);
    StorageException e = assertThrows(StorageException.class,
        () -> engine.commitUpload("alice", "a", t.uploadId(), 3, sha("abc".getBytes()), Preconditions.NONE, null));
    // The client did nothing wrong: its reservation is gone on the server's side, so it may try again.
    assertEquals(ErrorCode.BUSY, e.code());
    assertEquals("Upload expired or unknown", e.getMessage());
    assertTrue(engine.list("alice").files().isEmpty());
  }

  @Test
  void twentyParallelUploadsIntoAQuotaThatFitsTenExactlyTenSucceed() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(20);
    List<Future<Boolean>> results = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String name = "f" + i;
      byte[] data = new byte[100];
      data[0] = (byte) i; // distinct content: this is about quota, not dedup
      results.add(pool.submit(() -> {
        try {
          upload("alice", name, data);
          return true;
        } catch (StorageException e) {
          assertEquals(ErrorCode.QUOTA_EXCEEDED, e.code());
          return false;
        }
      }));
    }
    int ok = 0;
    for (Future<Boolean> f : results) if (f.get()) ok++;
    pool.shutdown();
    assertEquals(10, ok);
    Listing l = engine.list("alice");
    assertEquals(1000, l.usage().usedBytes());
    assertEquals(1000, l.files().stream().mapToLong(FileInfo::size).sum());
    assertConsistent("alice");
  }
}
