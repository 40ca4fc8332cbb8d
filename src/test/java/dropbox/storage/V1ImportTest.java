package dropbox.storage;

import dropbox.bus.QuotaPolicy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.bus.DownloadHandle;
import dropbox.bus.FileInfo;
import dropbox.bus.Listing;
import dropbox.bus.Preconditions;
import dropbox.bus.UploadTicket;
import dropbox.bus.Usage;
import dropbox.storage.blob.FsBlobStore;
import dropbox.storage.meta.MetadataStore;
import dropbox.storage.meta.MetadataStores;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The v1 → v2 import on a v1 root written by today's v1 engine (StorageService, its real upload path):
 * several users, a replaced file, an empty file, unicode names, the same content under two names, an
 * upload left open. Then the v2 engine starts on it (V2Upkeep.recover, as StorageVerticle does) and must
 * serve exactly what v1 served, with the content moved (same inode), not copied, and nothing of v1 left.
 * Crashes are played by a hook that throws, followed by a fresh engine (a new process) on the same root.
 * SQLite here; V1ImportPostgresTest runs the same on PostgreSQL.
 */
class V1ImportTest {
  static final String[] USERS = {"alice", "Bob", "carol"};
  @TempDir Path root;
  Vertx vertx;
  final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
  final QuotaPolicy quotas = StorageEngineContract.quotas(10_000_000);

  /** What v1 served, per user: the listing and each file's bytes. */
  final Map<String, Listing> v1Lists = new HashMap<>();
  final Map<String, byte[]> v1Bytes = new HashMap<>();
  final Map<String, Object> v1Inodes = new HashMap<>();

  // the v2 engine of the current "process"
  MetadataStore meta;
  FsBlobStore blobs;
  StorageServiceV2 v2;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    writeV1Root();
  }

  @AfterEach
  void tearDown() {
    if (meta != null) meta.close();
    vertx.close().await();
  }

  MetadataStore openMeta() throws Exception {
    return MetadataStores.openSqlite(root.resolve(MetadataStores.SQLITE_FILE), 4, 5000, quotas::quotaFor, clock::get);
  }

  // ---------------------------------------------------------------- the tests

  @Test
  void aV1RootIsServedByV2AsV1ServedIt() throws Exception {
    V1Import.Report r = start(null);
    assertEquals(new V1Import.Report(3, 8, expectedBytes(), 0), r);
    assertImportedExactly();
    // content moved, not copied: each blob is one of the v1 content files itself (same inode); for the
    // two names of one content, the first one's
    for (String user : USERS) {
      for (FileInfo f : v1Lists.get(user).files()) {
        Object blob = inode(Path.of(v2.openDownload(user, f.name()).contentPath()));
        assertTrue(v1Inodes.containsValue(blob), f.name());
        if (!f.name().startsWith("same-")) assertEquals(v1Inodes.get(user + "/" + f.name()), blob, f.name());
      }
    }
    // a second start imports nothing and changes nothing
    assertEquals(new V1Import.Report(0, 0, 0, 0), start(null));
    assertImportedExactly();
  }

  @Test
  void aCrashAfterSomeFilesWerePlacedResumes() throws Exception {
    for (int n : new int[] {1, 4}) {
      AtomicInteger placed = new AtomicInteger();
      assertThrows(RuntimeException.class, () -> start((p, u) -> {
        if (p == V1Import.Point.PLACED && placed.incrementAndGet() == n) throw new IOException("crash after " + n);
      }));
    }
    V1Import.Report r = start(null);
    assertEquals(8, r.files());
    assertEquals(expectedBytes(), r.bytes());
    assertImportedExactly();
  }

  @Test
  void aCrashBetweenTransactionsOfOneUserResumes() throws Exception {
    AtomicInteger placed = new AtomicInteger(); // alice's 5 files, 2 per transaction: 4 committed, then a crash
    assertThrows(RuntimeException.class, () -> start((p, u) -> {
      if (p == V1Import.Point.PLACED && placed.incrementAndGet() == 5) throw new IOException("crash");
    }, 2));
    assertEquals(4, meta.usage("alice").fileCount());
    assertTrue(Files.exists(root.resolve("users/alice/meta")), "nothing of v1 removed before the user is done");
    V1Import.Report r = start(null, 2);
    assertEquals(4, r.files()); // alice's last one, bob's two, carol's one
    assertImportedExactly();
  }

  @Test
  void aCrashAfterACommitBeforeTheCleanupConverges() throws Exception {
    assertThrows(RuntimeException.class, () -> start((p, u) -> {
      if (p == V1Import.Point.COMMITTED && u.equals("bob")) throw new IOException("crash after bob's commit");
    }));
    // alice (before bob) is done; bob committed, his v1 files are still there; carol untouched
    assertFalse(Files.exists(root.resolve("users/alice")));
    assertTrue(Files.exists(root.resolve("users/bob/meta")));
    assertTrue(Files.exists(root.resolve("users/carol/meta")));
    // and a crash in the middle of bob's cleanup: part of his metadata and all his v1 content names gone
    deleteSome(root.resolve("users/bob/meta"));
    deleteSome(root.resolve("users/bob/blobs"));
    V1Import.Report r = start(null);
    assertEquals(2, r.users()); // bob (nothing new to add) and carol
    assertImportedExactly();
  }

  @Test
  void missingOrDamagedContentIsReportedAndSkipped() throws Exception {
    StorageLayout layout = new StorageLayout(root);
    Path lost = Path.of(v1Download("alice", "notes.txt").contentPath());
    Path cut = Path.of(v1Download("Bob", "big.bin").contentPath());
    Files.delete(lost);
    Files.write(cut, new byte[10]);
    Files.writeString(layout.metaDir("carol").resolve(StorageLayout.nameKey("junk") + ".json"), "{not json");
    V1Import.Report r = start(null);
    assertEquals(new V1Import.Report(3, 6, expectedBytes() - 11 - 1_048_576, 3), r);
    assertFalse(Files.exists(root.resolve("users")));
    try (Stream<Path> s = Files.list(root.resolve(V1Import.UNIMPORTED))) {
      assertEquals(3, s.count()); // one directory per user, for the operator
    }
    assertTrue(Files.exists(root.resolve(V1Import.UNIMPORTED).resolve("alice")
        .resolve(StorageLayout.nameKey("notes.txt") + ".json")));
    assertEquals(List.of("Grüße 日本.txt", "empty", "same-1", "same-2"), // UTF-8 byte order
        v2.list("alice").files().stream().map(FileInfo::name).toList());
    assertEquals(List.of("b.txt"), v2.list("Bob").files().stream().map(FileInfo::name).toList());
    assertEquals(new Usage(3, 10_000_000, 1), v2.usage("bob"));
    assertTrue(meta.checkUsage("alice").consistent());
  }

  // ---------------------------------------------------------------- the v1 root

  /** Real v1 uploads: open, write the staging file, commit, as the front ends do over the bus. */
  void writeV1Root() throws Exception {
    StorageService v1 = new StorageService(new StorageLayout(root), new DurableFiles(true),
        new LocalLockManager(vertx), quotas, 5000, "node-a", e -> { }, clock::get);
    v1Upload(v1, "alice", "notes.txt", "first version".getBytes());
    clock.addAndGet(60_000);
    v1Upload(v1, "alice", "notes.txt", "second text".getBytes()); // replaced: the first is v1 garbage now
    v1Upload(v1, "alice", "empty", new byte[0]);
    v1Upload(v1, "alice", "Grüße 日本.txt", "unicode ✓".getBytes());
    v1Upload(v1, "alice", "same-1", "same bytes".getBytes()); // stored once in v2
    clock.addAndGet(1000);
    v1Upload(v1, "alice", "same-2", "same bytes".getBytes());
    byte[] big = new byte[1 << 20];
    new Random(8).nextBytes(big);
    v1Upload(v1, "Bob", "big.bin", big);
    v1Upload(v1, "Bob", "b.txt", "bee".getBytes());
    v1Upload(v1, "carol", "gone", "deleted in v1".getBytes());
    v1.delete("carol", "gone");
    v1Upload(v1, "carol", "kept", "kept".getBytes());
    UploadTicket open = v1.openUpload("carol", "unfinished", 100); // an upload the engine switch ends
    Files.write(Path.of(open.stagingPath()), new byte[40]);
    for (String user : USERS) {
      Listing l = v1.list(user);
      v1Lists.put(user, l);
      for (FileInfo f : l.files()) {
        Path content = Path.of(v1.openDownload(user, f.name()).contentPath());
        v1Bytes.put(user + "/" + f.name(), Files.readAllBytes(content));
        v1Inodes.put(user + "/" + f.name(), inode(content));
      }
    }
    assertTrue(v1.usage("carol").usedBytes() == 4 && Files.exists(Path.of(open.stagingPath())));
  }

  StorageService v1Reader() {
    return new StorageService(new StorageLayout(root), new DurableFiles(true), new LocalLockManager(vertx), quotas,
        5000, "node-a", e -> { }, clock::get);
  }

  DownloadHandle v1Download(String user, String name) { return v1Reader().openDownload(user, name); }

  static void v1Upload(StorageService v1, String user, String name, byte[] data) throws Exception {
    UploadTicket t = v1.openUpload(user, name, data.length);
    Files.write(Path.of(t.stagingPath()), data);
    v1.commitUpload(user, name, t.uploadId(), data.length, sha(data), Preconditions.NONE);
  }

  long expectedBytes() {
    return v1Lists.values().stream().mapToLong(l -> l.usage().usedBytes()).sum();
  }

  // ---------------------------------------------------------------- v2 on it

  /** A fresh v2 engine on the root (a new process), started the way StorageVerticle starts it. */
  V1Import.Report start(V1Import.Hook hook) throws Exception { return start(hook, V1Import.BATCH); }

  V1Import.Report start(V1Import.Hook hook, int batchSize) throws Exception {
    if (meta != null) meta.close();
    meta = openMeta();
    blobs = new FsBlobStore(root, true);
    v2 = new StorageServiceV2(meta, blobs, new LocalLockManager(vertx), quotas, 5000, "node-b", e -> { }, clock::get);
    V1Import imp = new V1Import(new StorageLayout(root), meta, blobs, v2.locks(), hook, batchSize);
    new V2Upkeep(v2, blobs, true, () -> null, 600_000, 3_600_000, imp).recover();
    return imp.lastRun();
  }

  void assertImportedExactly() throws Exception {
    for (String user : USERS) {
      Listing before = v1Lists.get(user);
      Listing after = v2.list(user);
      assertEquals(sorted(before.files()), sorted(after.files()), user);
      assertEquals(before.usage(), after.usage(), user);
      assertTrue(meta.checkUsage(user).consistent(), () -> meta.checkUsage(user).toString());
      for (FileInfo f : after.files()) {
        assertArrayEquals(v1Bytes.get(user + "/" + f.name()),
            Files.readAllBytes(Path.of(v2.openDownload(user, f.name()).contentPath())), f.name());
      }
    }
    // dedup: alice's two names with the same bytes are one blob; the replaced version is gone
    assertEquals(4, regularFiles(root.resolve("blobs/alice")));
    assertEquals(2, regularFiles(root.resolve("blobs/bob")));
    assertEquals(1, regularFiles(root.resolve("blobs/carol")));
    assertEquals(0, regularFiles(root.resolve("staging")));
    assertFalse(Files.exists(root.resolve("users")), "v1 files left");
    assertEquals(0, meta.usage("carol").reservedBytes()); // the open v1 upload ended with the switch
  }

  static List<FileInfo> sorted(List<FileInfo> files) {
    return files.stream().sorted(Comparator.comparing(FileInfo::name)).toList();
  }

  static long regularFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) return 0;
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).count();
    }
  }

  /** Deletes every other regular file under dir (a cleanup interrupted half-way). */
  static void deleteSome(Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files = s.filter(Files::isRegularFile).sorted().toList();
    }
    for (int i = 0; i < files.size(); i += 2) Files.delete(files.get(i));
  }

  static Object inode(Path p) throws IOException {
    return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
  }

  static String sha(byte[] d) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(d));
  }
}
