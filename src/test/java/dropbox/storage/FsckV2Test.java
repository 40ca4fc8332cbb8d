package dropbox.storage;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fsck of a v2 root: finds what a damaged or interrupted store holds, repairs it, then finds nothing. */
class FsckV2Test {
  @TempDir Path root;
  private final AtomicLong clock = new AtomicLong(System.currentTimeMillis());
  private Vertx vertx;
  private MetadataStore meta;
  private FsBlobStore blobs;
  private StorageServiceV2 engine;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    QuotaPolicy q = StorageEngineContract.quotas(1000);
    meta = MetadataStores.openSqlite(root.resolve(MetadataStores.SQLITE_FILE), 2, 5000, q::quotaFor, clock::get);
    blobs = new FsBlobStore(root, true);
    engine = new StorageServiceV2(meta, blobs, new LocalLockManager(vertx), q, 5000, "node-a", e -> { }, clock::get);
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

  @Test
  void findsAndRepairsEveryKindOfDamageAndLeavesLiveWorkAlone() throws Exception {
    upload("alice", "keep", "kept".getBytes());
    upload("alice", "lost", "lost".getBytes());
    Files.delete(Path.of(engine.openDownload("alice", "lost").contentPath()));
    UploadTicket dead = engine.openUpload("alice", "dead", 10, null);
    Files.write(Path.of(dead.stagingPath()), new byte[5]);
    UploadTicket orphan = engine.openUpload("alice", "orphan", 6, null);
    Files.write(Path.of(orphan.stagingPath()), "orphan".getBytes());
    blobs.publish(new StagingId("alice", "node-a", orphan.uploadId()), sha("orphan".getBytes()), 6);
    UploadTicket live = engine.openUpload("alice", "live", 3, null);
    Files.write(Path.of(live.stagingPath()), "abc".getBytes());
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + root.resolve("dropbox.db"));
         Statement s = c.createStatement()) {
      assertEquals(1, s.executeUpdate("UPDATE users SET used_bytes = 999 WHERE name_key = 'alice'"));
    }
    long now = System.currentTimeMillis();
    FileTime old = FileTime.fromMillis(now - 3_600_000);
    Files.setLastModifiedTime(Path.of(dead.stagingPath()), old);
    try (var walk = Files.walk(root.resolve("blobs"))) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) Files.setLastModifiedTime(p, old);
    }

    FsckV2 fsck = new FsckV2(meta, blobs);
    List<String> kinds = fsck.run(false, 900_000, now).stream().map(Fsck.Problem::kind).sorted().toList();
    assertEquals(List.of("content without metadata", "leftover staging file", "metadata without content",
        "usage differs from files"), kinds);
    assertEquals(4, fsck.run(true, 900_000, now).size());
    assertEquals(List.of(), fsck.run(false, 900_000, now), "clean after repair");

    assertEquals(List.of("keep"), engine.list("alice").files().stream().map(FileInfo::name).toList());
    assertEquals(4, engine.usage("alice").usedBytes());
    assertFalse(Files.exists(Path.of(dead.stagingPath())));
    assertTrue(Files.exists(Path.of(live.stagingPath())), "a live upload is left alone");
    assertEquals("kept", Files.readString(Path.of(engine.openDownload("alice", "keep").contentPath())));
  }
}
