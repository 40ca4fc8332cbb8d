package dropbox.storage.blob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.files.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file-system blob store on real files: publish, dedup, races, permissions, sweep and scan. */
class FsBlobStoreTest {
  private static final String NODE = "node-a";
  @TempDir Path root;

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  private static StagingId upload(String user) {
    return new StagingId(user, NODE, UUID.randomUUID().toString());
  }

  /** What a front end does: fill the staging file the store created. */
  private static Published stageAndPublish(BlobStore store, StagingId id, byte[] content) throws Exception {
    Path p = store.createStaging(id);
    Files.write(p, content);
    return store.publish(id, sha256(content), content.length);
  }

  private List<Path> filesUnder(String top) throws IOException {
    Path d = root.resolve(top);
    if (!Files.exists(d)) return List.of();
    try (Stream<Path> s = Files.walk(d)) {
      return s.filter(Files::isRegularFile).collect(Collectors.toList());
    }
  }

  @Test
  void theSameBytesTwiceAreOneFileNamedByTheirHash() throws Exception {
    FsBlobStore store = new FsBlobStore(root, true);
    byte[] content = "hello blobs".getBytes(StandardCharsets.UTF_8);
    String sha = sha256(content);

    Published first = stageAndPublish(store, upload("Alice"), content);
    assertTrue(first.placed());
    assertEquals(new BlobKey("alice", sha), first.blob());
    assertEquals(content.length, first.size());
    Path blob = root.resolve("blobs/alice/" + sha.substring(0, 2) + "/" + sha);
    assertEquals(Set.of(blob), Set.copyOf(filesUnder("blobs")));

    Published second = stageAndPublish(store, upload("alice"), content);
    assertFalse(second.placed(), "the user already had those bytes");
    assertEquals(first.blob(), second.blob());
    assertEquals(List.of(blob), filesUnder("blobs"));
    assertEquals(List.of(), filesUnder("staging"), "the duplicate's staging file is dropped");
    assertEquals(blob, store.locate(new BlobKey("ALICE", sha)).orElseThrow());
    assertTrue(store.exists(first.blob()));
    assertEquals("hello blobs", Files.readString(blob));

    // Another user's identical content is that user's own blob: nothing is shared across users.
    assertTrue(stageAndPublish(store, upload("bob"), content).placed());
    assertEquals(2, filesUnder("blobs").size());
  }

  @Test
  void eightThreadsPublishingTheSameContentMakeOneFileAndNoError() throws Exception {
    FsBlobStore store = new FsBlobStore(root, true);
    byte[] content = new byte[256 * 1024];
    new java.util.Random(3).nextBytes(content);
    String sha = sha256(content);
    int n = 8;
    List<StagingId> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      StagingId id = upload("carol");
      Files.write(store.createStaging(id), content);
      ids.add(id);
    }
    CyclicBarrier start = new CyclicBarrier(n);
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<Published>> results = new ArrayList<>();
      for (StagingId id : ids) {
        results.add(pool.submit(() -> {
          start.await();
          return store.publish(id, sha, content.length);
        }));
      }
      int placed = 0;
      for (Future<Published> f : results) {
        Published p = f.get(); // any exception fails the test here
        assertEquals(sha, p.blob().sha256());
        if (p.placed()) placed++;
      }
      assertEquals(1, placed, "exactly one publish placed the file");
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, filesUnder("blobs").size());
    assertEquals(List.of(), filesUnder("staging"));
    assertEquals(sha, sha256(Files.readAllBytes(store.locate(new BlobKey("carol", sha)).orElseThrow())));
  }

  @Test
  void aStagingFileOfTheWrongSizeOrMissingIsNeverPublished() throws Exception {
    FsBlobStore store = new FsBlobStore(root, true);
    byte[] content = "twelve bytes".getBytes(StandardCharsets.UTF_8);
    StagingId id = upload("dave");
    Path staging = store.createStaging(id);
    Files.write(staging, content, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
    IOException e = assertThrows(IOException.class, () -> store.publish(id, sha256(content), content.length + 1));
    assertTrue(e.getMessage().contains("bytes"), e.getMessage());
    assertEquals(List.of(), filesUnder("blobs"));
    assertTrue(Files.exists(staging), "left for the caller's abort");
    assertTrue(store.discard(id));
    assertFalse(store.discard(id), "discard is idempotent");
    assertThrows(NoSuchFileException.class, () -> store.publish(id, sha256(content), content.length));
    assertThrows(IllegalArgumentException.class, () -> store.publish(id, "../../etc/passwd", 1));
    assertThrows(IllegalArgumentException.class, () -> new StagingId("dave", "../x", "u1"));
    assertThrows(IllegalArgumentException.class, () -> new BlobKey("../dave", sha256(content)));
  }

  @Test
  void blobsAndStagingFilesAre0600AndTheirDirectories0700() throws Exception {
    FsBlobStore store = new FsBlobStore(root, true);
    byte[] content = "private".getBytes(StandardCharsets.UTF_8);
    StagingId pending = upload("erin");
    Path staging = store.createStaging(pending);
    Published p = stageAndPublish(store, upload("erin"), content);
    Path blob = store.locate(p.blob()).orElseThrow();
    assertTrue(PrivateFiles.posix(root), "the test needs a POSIX file system");
    for (Path f : List.of(blob, staging)) {
      assertEquals("rw-------", mode(f), f.toString());
    }
    for (Path d : List.of(root.resolve("blobs"), root.resolve("blobs/erin"), blob.getParent(),
        root.resolve("staging"), root.resolve("staging/erin"))) {
      assertEquals("rwx------", mode(d), d.toString());
    }
  }

  private static String mode(Path p) throws IOException {
    return java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void aSweepDeletesExactlyTheBlobsItIsGiven() throws Exception {
    FsBlobStore store = new FsBlobStore(root, true);
    Published a = stageAndPublish(store, upload("frank"), "a".getBytes(StandardCharsets.UTF_8));
    Published b = stageAndPublish(store, upload("frank"), "b".getBytes(StandardCharsets.UTF_8));
    Published otherUsersA = stageAndPublish(store, upload("grace"), "a".getBytes(StandardCharsets.UTF_8));
    BlobKey neverStored = new BlobKey("frank", sha256("never".getBytes(StandardCharsets.UTF_8)));

    assertEquals(1, store.sweep(List.of(a.blob(), neverStored)));
    assertFalse(store.exists(a.blob()));
    assertTrue(store.exists(b.blob()), "not in the list: kept");
    assertTrue(store.exists(otherUsersA.blob()), "the same content of another user is another blob");
    assertEquals(0, store.sweep(List.of(a.blob())), "sweeping again finds nothing");
    assertEquals(0, store.sweep(List.of()));
    assertEquals(2, filesUnder("blobs").size());
  }

  @Test
  void aScanReportsLeftoversOfACrashAndRepairRemovesOnlyThose() throws Exception {
    FsBlobStore store = new FsBlobStore(root, true);
    long now = System.currentTimeMillis();
    long hourAgo = now - 3_600_000;
    // Committed work: a blob the database knows.
    Published known = stageAndPublish(store, upload("heidi"), "known".getBytes(StandardCharsets.UTF_8));
    // A crash after publish but before the commit, long ago: an old blob nobody knows.
    Published orphan = stageAndPublish(store, upload("heidi"), "orphan".getBytes(StandardCharsets.UTF_8));
    Files.setLastModifiedTime(store.locate(orphan.blob()).orElseThrow(), FileTime.fromMillis(hourAgo));
    // An upload between publish and commit right now: unknown but young, left alone.
    Published young = stageAndPublish(store, upload("heidi"), "young".getBytes(StandardCharsets.UTF_8));
    // A crash mid-upload: the staging file of a node that is gone, with bytes in it.
    StagingId deadNode = new StagingId("heidi", "node-dead", "up-1");
    byte[] half = "half of an upload".getBytes(StandardCharsets.UTF_8);
    Files.write(store.createStaging(deadNode), half);
    // A live node's upload nobody wrote to for an hour: past its deadline.
    StagingId stale = new StagingId("ivan", NODE, "up-2");
    Files.setLastModifiedTime(store.createStaging(stale), FileTime.fromMillis(hourAgo));
    // A live node's upload in progress: must survive any scan (recovery with company).
    StagingId live = new StagingId("ivan", "node-b", "up-3");
    Path liveFile = store.createStaging(live);
    // Something that is not ours by name.
    Path foreign = root.resolve("blobs/heidi/notes.txt");
    Files.writeString(foreign, "operator's");

    ScanRules rules = new ScanRules(k -> k.equals(known.blob()),
        StagingEntry.liveWhen(Set.of(NODE, "node-b")::contains, now - 600_000), now - 600_000);

    ScanReport report = store.scan(rules, false);
    assertEquals(3, report.blobs());
    assertEquals(1, report.orphanBlobs());
    assertEquals(List.of(orphan.blob()), report.orphanExamples());
    assertEquals(1, report.youngUnknown());
    assertEquals(2, report.deadStaging());
    assertEquals(Set.of(deadNode, stale),
        report.deadStagingExamples().stream().map(StagingEntry::id).collect(Collectors.toSet()));
    assertEquals(half.length, report.deadStagingExamples().stream()
        .filter(e -> e.id().equals(deadNode)).findFirst().orElseThrow().size());
    assertEquals(1, report.liveStaging());
    assertEquals(1, report.foreign());
    assertEquals(0, report.removed());
    assertFalse(report.clean());
    // The half-written upload was never visible as a blob.
    assertFalse(store.exists(new BlobKey("heidi", sha256(half))));
    assertEquals(7, filesUnder("blobs").size() + filesUnder("staging").size(), "a report deletes nothing");

    ScanReport repaired = store.scan(rules, true);
    assertEquals(3, repaired.removed());
    assertTrue(store.exists(known.blob()));
    assertTrue(store.exists(young.blob()));
    assertFalse(store.exists(orphan.blob()));
    assertTrue(Files.exists(liveFile));
    assertTrue(Files.exists(foreign), "never deletes what is not ours");
    assertFalse(Files.exists(store.stagingPath(deadNode)));
    assertFalse(Files.exists(store.stagingPath(stale)));

    ScanReport after = store.scan(rules, true);
    assertEquals(0, after.orphanBlobs() + after.deadStaging() + after.removed());
    assertEquals(1, store.scanUser("heidi", rules, false).foreign());
  }
}
