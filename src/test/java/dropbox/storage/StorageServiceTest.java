package dropbox.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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

/** The storage operations on real files, called directly (no event bus): the blocking core. */
class StorageServiceTest {
  @TempDir Path root;
  private Vertx vertx;
  private StorageService svc;
  private final List<FileEvent> events = new CopyOnWriteArrayList<>();
  private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    svc = service(1000);
  }

  private StorageService service(long quota) {
    return new StorageService(new StorageLayout(root), new DurableFiles(true), new LocalLockManager(vertx),
        new QuotaPolicy(quota, new JsonObject().put("big", 1_000_000L), Long.MAX_VALUE), 5000, "node-a",
        events::add, clock::get);
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  private CommitResult upload(String user, String name, byte[] data) throws Exception {
    UploadTicket t = svc.openUpload(user, name, data.length);
    Files.write(Path.of(t.stagingPath()), data);
    return svc.commitUpload(user, name, t.uploadId(), data.length, sha(data), Preconditions.NONE);
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

    DownloadHandle h = svc.openDownload("alice", "notes.txt");
    assertEquals("hello world", Files.readString(Path.of(h.contentPath())));
    Listing l = svc.list("alice");
    assertEquals(List.of(f), l.files());
    assertEquals(11, l.usage().usedBytes());
    assertEquals(1, l.usage().fileCount());
    assertEquals(List.of(FileEvent.UPLOADED, FileEvent.UPLOADED), events.stream().map(FileEvent::type).toList());
  }

  @Test
  void aReplacedContentFileStaysReadableForTheGracePeriod() throws Exception {
    upload("alice", "a", "version one".getBytes());
    DownloadHandle old = svc.openDownload("alice", "a");
    upload("alice", "a", "version two".getBytes());
    svc.delete("alice", "a");
    assertEquals("version one", Files.readString(Path.of(old.contentPath())));
    Fsck fsck = new Fsck(svc);
    assertEquals(0, fsck.sweepGarbage(3_600_000, System.currentTimeMillis()));
    assertEquals(2, fsck.sweepGarbage(0, System.currentTimeMillis() + 1000));
    assertFalse(Files.exists(Path.of(old.contentPath())));
  }

  @Test
  void deleteFreesQuotaAndUnknownNamesAreNotFound() throws Exception {
    upload("alice", "a", new byte[300]);
    assertEquals(300, svc.usage("alice").usedBytes());
    assertEquals(300, svc.delete("alice", "a").size());
    assertEquals(0, svc.usage("alice").usedBytes());
    assertEquals(ErrorCode.NOT_FOUND, assertThrows(StorageException.class, () -> svc.delete("alice", "a")).code());
    assertEquals(ErrorCode.NOT_FOUND, assertThrows(StorageException.class, () -> svc.openDownload("bob", "a")).code());
    assertEquals(ErrorCode.INVALID_NAME, assertThrows(StorageException.class, () -> svc.openDownload("bob", "..")).code());
  }

  @Test
  void usersAreIsolatedAndCaseInsensitive() throws Exception {
    upload("alice", "secret", "a's data".getBytes());
    assertEquals(ErrorCode.NOT_FOUND, assertThrows(StorageException.class, () -> svc.openDownload("bob", "secret")).code());
    assertEquals(1, svc.list("ALICE").files().size());
    assertTrue(svc.list("bob").files().isEmpty());
  }

  @Test
  void tooLargeAndQuotaAreRefusedBeforeAnyByte() {
    StorageException e = assertThrows(StorageException.class, () -> svc.openUpload("alice", "x", 1001));
    assertEquals(ErrorCode.TOO_LARGE, e.code());
    assertEquals("File too large (limit 1000 bytes)", e.getMessage());
    UploadTicket t = svc.openUpload("alice", "x", 600);
    e = assertThrows(StorageException.class, () -> svc.openUpload("alice", "y", 500));
    assertEquals("Quota exceeded (needs 500 bytes, 400 bytes free)", e.getMessage());
    svc.abortUpload("alice", t.uploadId());
    svc.abortUpload("alice", t.uploadId()); // idempotent
    assertFalse(Files.exists(Path.of(t.stagingPath())));
    svc.abortUpload("alice", svc.openUpload("alice", "y", 1000).uploadId());
    assertEquals(1_000_000, svc.openUpload("big", "x", 999_999).limitBytes());
  }

  @Test
  void preconditionsAreDecidedAtCommit() throws Exception {
    upload("alice", "a", "one".getBytes());
    UploadTicket t = svc.openUpload("alice", "a", 3);
    Files.write(Path.of(t.stagingPath()), "two".getBytes());
    StorageException e = assertThrows(StorageException.class, () ->
        svc.commitUpload("alice", "a", t.uploadId(), 3, sha("two".getBytes()), new Preconditions(true, null)));
    assertEquals(ErrorCode.PRECONDITION_FAILED, e.code());
    assertFalse(Files.exists(Path.of(t.stagingPath())), "a refused commit aborts the upload");
    assertEquals(3, svc.usage("alice").usedBytes());
    UploadTicket t2 = svc.openUpload("alice", "a", 3);
    Files.write(Path.of(t2.stagingPath()), "two".getBytes());
    svc.commitUpload("alice", "a", t2.uploadId(), 3, sha("two".getBytes()),
        new Preconditions(false, sha("one".getBytes())));
    assertEquals(sha("two".getBytes()), svc.openDownload("alice", "a").file().sha256());
  }

  @Test
  void anIncompleteUploadIsRefusedAtCommit() throws Exception {
    UploadTicket t = svc.openUpload("alice", "a", 10);
    Files.write(Path.of(t.stagingPath()), new byte[5]);
    assertEquals(ErrorCode.BAD_REQUEST, assertThrows(StorageException.class,
        () -> svc.commitUpload("alice", "a", t.uploadId(), 10, "x", Preconditions.NONE)).code());
  }

  @Test
  void twentyParallelUploadsIntoAQuotaThatFitsTenExactlyTenSucceed() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(20);
    List<Future<Boolean>> results = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String name = "f" + i;
      results.add(pool.submit(() -> {
        try {
          upload("alice", name, new byte[100]);
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
    Listing l = svc.list("alice");
    assertEquals(1000, l.usage().usedBytes());
    assertEquals(1000, l.files().stream().mapToLong(FileInfo::size).sum());
    assertTrue(new Fsck(svc).run(false, 0, System.currentTimeMillis()).isEmpty());
  }

  @Test
  void fsckFindsAndRepairsWhatAnInterruptedProcessLeftBehind() throws Exception {
    upload("alice", "keep", "kept".getBytes());
    upload("alice", "lost", "lost".getBytes());
    UploadTicket interrupted = svc.openUpload("alice", "partial", 500);
    Files.write(Path.of(interrupted.stagingPath()), new byte[200]);
    StorageLayout layout = new StorageLayout(root);
    // content without metadata, metadata without content, a wrong ledger, a temp file
    Files.write(layout.blobDir("alice").resolve("00000000-0000-0000-0000-000000000000"), new byte[7]);
    Files.delete(Path.of(svc.openDownload("alice", "lost").contentPath()));
    Files.writeString(layout.ledger("alice"), new JsonObject().put("committed", 999).put("files", 9).encode());
    Files.write(layout.metaDir("alice").resolve(".x.json.1234.tmp"), new byte[3]);

    Fsck fsck = new Fsck(svc);
    long later = System.currentTimeMillis() + 1000;
    List<Fsck.Problem> found = fsck.run(false, 0, later);
    List<String> kinds = found.stream().map(Fsck.Problem::kind).sorted().toList();
    assertEquals(List.of("content without metadata", "ledger differs from files", "leftover staging file",
        "leftover temp file", "metadata without content"), kinds);
    assertEquals(found.size(), fsck.run(true, 0, later).size());
    assertTrue(fsck.run(false, 0, later).isEmpty(), "clean after repair");
    Listing l = svc.list("alice");
    assertEquals(List.of("keep"), l.files().stream().map(FileInfo::name).toList());
    assertEquals(4, l.usage().usedBytes());
    assertEquals(1, l.usage().fileCount());
    assertFalse(Files.exists(Path.of(interrupted.stagingPath())));
  }

  @Test
  void liveUploadsOfOtherNodesAreLeftAlone() throws Exception {
    UploadTicket live = svc.openUpload("alice", "inflight", 10);
    Fsck fsck = new Fsck(svc);
    assertTrue(fsck.run(true, 600_000, System.currentTimeMillis()).isEmpty());
    assertTrue(Files.exists(Path.of(live.stagingPath())));
    assertNotEquals(0, svc.readLedger("alice").reserved());
  }

  @Test
  void reservationsOfADepartedNodeAreReleasedWithTheirStagingFilesAndNoOthers() throws Exception {
    // Quota 1000: the dead node's upload of 900 bytes leaves no room until it is released.
    UploadTicket dead = svc.openUpload("alice", "from-dead", 900, "node-dead");
    Files.write(Path.of(dead.stagingPath()), new byte[300]);
    UploadTicket live = svc.openUpload("alice", "from-live", 50, "node-live");
    UploadTicket unowned = svc.openUpload("alice", "from-here", 50); // no owner: left to the staleness rule
    assertEquals(ErrorCode.QUOTA_EXCEEDED,
        assertThrows(StorageException.class, () -> svc.openUpload("alice", "x", 100, "node-live")).code());
    Fsck fsck = new Fsck(svc);
    java.util.Set<String> members = java.util.Set.of("node-live");

    // Created at the cutoff or later: may belong to a node that joined a moment ago, kept.
    assertTrue(fsck.releaseReservationsOfDepartedNodes(members::contains, clock.get()).isEmpty());
    List<Fsck.Problem> released = fsck.releaseReservationsOfDepartedNodes(members::contains, clock.get() + 1);
    assertEquals(List.of("reservation of a departed node"), released.stream().map(Fsck.Problem::kind).toList());
    assertFalse(Files.exists(Path.of(dead.stagingPath())), "the dead upload's staging file is gone");
    assertTrue(Files.exists(Path.of(live.stagingPath())));
    assertTrue(Files.exists(Path.of(unowned.stagingPath())));
    assertEquals(100, svc.readLedger("alice").reserved());
    svc.abortUpload("alice", svc.openUpload("alice", "x", 800, "node-live").uploadId()); // the quota is back
    // The dead node's front end, had it survived after all, gets a clear answer at commit.
    assertEquals(ErrorCode.BAD_REQUEST, assertThrows(StorageException.class,
        () -> svc.commitUpload("alice", "from-dead", dead.uploadId(), 300, sha(new byte[300]), Preconditions.NONE)).code());
    assertTrue(fsck.releaseReservationsOfDepartedNodes(members::contains, clock.get() + 1).isEmpty());
  }
}
