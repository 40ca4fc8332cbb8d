package dropbox.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.bus.ErrorCode;
import dropbox.bus.FileInfo;
import dropbox.bus.Listing;
import dropbox.bus.Preconditions;
import dropbox.bus.StorageException;
import dropbox.bus.UploadTicket;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The v1 engine (JSON metadata and ledgers): the engine contract, plus its own fsck and cluster rules.
 */
class StorageServiceTest extends StorageEngineContract {
  private StorageService svc;

  @Override StorageEngine open(long quota) {
    svc = new StorageService(new StorageLayout(root), new DurableFiles(true), new LocalLockManager(vertx),
        quotas(quota), 5000, "node-a", events::add, clock::get);
    return new V1Storage(svc, true, () -> null, 600_000, 3_600_000, 15_000);
  }

  @Override int sweepContent(boolean pastGrace) throws Exception {
    Fsck fsck = new Fsck(svc);
    return pastGrace ? fsck.sweepGarbage(0, System.currentTimeMillis() + 1000)
        : fsck.sweepGarbage(3_600_000, System.currentTimeMillis());
  }

  @Override void assertConsistent(String user) throws Exception {
    assertTrue(new Fsck(svc).run(false, 0, System.currentTimeMillis()).isEmpty());
  }

  /** v1's store is flat: a path is an invalid name, every folder action names the setting that has them. */
  @Test
  void flatNamesOnlyAndFoldersNeedV2() {
    assertEquals(ErrorCode.INVALID_NAME, assertThrows(StorageException.class,
        () -> engine.openUpload("bob", "a/b", 1, null)).code());
    List<org.junit.jupiter.api.function.Executable> folderActions = List.of(
        () -> engine.mkdir("bob", "a"), () -> engine.rmdir("bob", "a"),
        () -> engine.move("bob", "a", "b", false), () -> engine.copy("bob", "a", "b", false),
        () -> engine.listFolder("bob", "", 10, null));
    for (org.junit.jupiter.api.function.Executable action : folderActions) {
      StorageException e = assertThrows(StorageException.class, action);
      assertEquals(ErrorCode.BAD_REQUEST, e.code());
      assertEquals("Folders need storage.engine=v2", e.getMessage());
    }
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
    // The dead node's front end, had it survived after all, gets a clear answer at commit: try again.
    assertEquals(ErrorCode.BUSY, assertThrows(StorageException.class,
        () -> svc.commitUpload("alice", "from-dead", dead.uploadId(), 300, sha(new byte[300]), Preconditions.NONE)).code());
    assertTrue(fsck.releaseReservationsOfDepartedNodes(members::contains, clock.get() + 1).isEmpty());
  }
}
