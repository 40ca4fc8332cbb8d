package dropbox.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.bus.DownloadHandle;
import dropbox.bus.ErrorCode;
import dropbox.bus.Preconditions;
import dropbox.bus.Priority;
import dropbox.bus.StorageException;
import dropbox.bus.UploadTicket;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** StorageVerticleTest on storage.engine=v2 (SQLite at the storage root), plus what only v2 has. */
class StorageVerticleV2Test extends StorageVerticleTest {

  @Override String engine() { return "v2"; }

  /** v2's damaged storage: a database row naming content by something that is not a SHA-256. */
  @Override
  @Test
  void aBugInTheWorkerIsInternalAndLoggedOnceWithItsActionNotBlamedOnTheSender() throws Exception {
    UploadTicket t = client.openUpload("bob", "a", 3, Priority.MEDIUM).await(10, TimeUnit.SECONDS);
    Files.writeString(Path.of(t.stagingPath()), "abc");
    client.commitUpload("bob", "a", t.uploadId(), 3, StorageServiceTest.sha("abc".getBytes()), Preconditions.NONE,
        Priority.MEDIUM).await(10, TimeUnit.SECONDS);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + root.resolve("dropbox.db"));
         Statement s = c.createStatement()) {
      assertEquals(1, s.executeUpdate("UPDATE nodes SET sha256 = '../x' WHERE name = 'a'"));
    }
    List<String> errors = errorsLoggedBy(() -> {
      StorageException e = fail(client.openDownload("bob", "a", Priority.MEDIUM));
      assertEquals(ErrorCode.INTERNAL, e.code());
      assertEquals("Internal error", e.getMessage(), "no exception detail reaches the sender");
    });
    assertEquals(List.of("storage command download.open failed / java.lang.IllegalArgumentException"), errors);
    assertEquals(0, client.usage("alice", Priority.MEDIUM).await(10, TimeUnit.SECONDS).usedBytes(), "still serving");
  }

  @Test
  void theDatabaseLivesAtTheStorageRootAndV1FilesAreNotWritten() throws Exception {
    byte[] big = StorageEngineContract.big('x'); // above storage.inlineMaxBytes: a content file
    UploadTicket t = client.openUpload("big", "a", big.length, Priority.MEDIUM).await(10, TimeUnit.SECONDS);
    Files.write(Path.of(t.stagingPath()), big);
    client.commitUpload("big", "a", t.uploadId(), big.length, StorageServiceTest.sha(big), Preconditions.NONE,
        Priority.MEDIUM).await(10, TimeUnit.SECONDS);
    assertTrue(Files.isRegularFile(root.resolve("dropbox.db")));
    assertTrue(Files.notExists(root.resolve("users")), "no v1 metadata or ledger");
    Path content = Path.of(client.openDownload("big", "a", Priority.MEDIUM).await(10, TimeUnit.SECONDS).contentPath());
    assertTrue(content.startsWith(root.resolve("blobs")), content.toString());
    assertTrue(content.getFileName().toString().equals(StorageServiceTest.sha(big)));
  }

  /** A small file over the bus: one command with its bytes, kept in the database, its bytes in the answer. */
  @Test
  void aSmallUploadIsOneCommandAndItsDownloadCarriesTheBytes() throws Exception {
    client.putSmall("alice", "s.txt", io.vertx.core.buffer.Buffer.buffer("small"), Preconditions.NONE, Priority.MEDIUM)
        .await(10, TimeUnit.SECONDS);
    dropbox.bus.DownloadHandle h = client.openDownload("alice", "s.txt", Priority.MEDIUM).await(10, TimeUnit.SECONDS);
    assertTrue(h.isInline());
    assertEquals("small", h.inline().toString());
    assertEquals(5, client.usage("alice", Priority.MEDIUM).await(10, TimeUnit.SECONDS).usedBytes());
    assertTrue(Files.notExists(root.resolve("blobs").resolve("alice")), "no content file");
    StorageException e = fail(client.putSmall("alice", "s.txt", io.vertx.core.buffer.Buffer.buffer("again"),
        new Preconditions(true, null), Priority.MEDIUM));
    assertEquals(ErrorCode.PRECONDITION_FAILED, e.code());
  }

  /**
   * A download the lookup cache can answer (a small file read before, nothing written since) is answered
   * on the event loop even while every worker is busy; one it cannot answer waits for a worker; a write
   * ends the cache's answers, so the next download sees the new bytes, and a delete its absence.
   */
  @Test
  void aCachedSmallFileIsServedWithoutAWorkerAndAWriteEndsThat() throws Exception {
    client.putSmall("alice", "s.txt", Buffer.buffer("v1"), Preconditions.NONE, Priority.MEDIUM).await(10, TimeUnit.SECONDS);
    client.putSmall("alice", "t.txt", Buffer.buffer("other"), Preconditions.NONE, Priority.MEDIUM).await(10, TimeUnit.SECONDS);
    assertEquals("v1", client.openDownload("alice", "s.txt", Priority.MEDIUM).await(10, TimeUnit.SECONDS).inline().toString());

    CountDownLatch hold = holdTheOnlyWorker();
    Future<DownloadHandle> uncached;
    try {
      DownloadHandle h = client.openDownload("alice", "s.txt", Priority.MEDIUM).await(5, TimeUnit.SECONDS);
      assertEquals("v1", h.inline().toString());
      assertEquals(2, h.file().size());
      uncached = client.openDownload("alice", "t.txt", Priority.MEDIUM);
      Thread.sleep(300);
      assertFalse(uncached.isComplete(), "a file never read waits for the worker");
    } finally {
      hold.countDown();
    }
    assertEquals("other", uncached.await(10, TimeUnit.SECONDS).inline().toString());

    client.putSmall("alice", "s.txt", Buffer.buffer("v2!"), Preconditions.NONE, Priority.MEDIUM).await(10, TimeUnit.SECONDS);
    assertEquals("v2!", client.openDownload("alice", "s.txt", Priority.MEDIUM).await(10, TimeUnit.SECONDS).inline().toString());
    assertEquals("v2!", client.openDownload("alice", "s.txt", Priority.MEDIUM).await(10, TimeUnit.SECONDS).inline().toString());
    client.delete("alice", "s.txt", Priority.MEDIUM).await(10, TimeUnit.SECONDS);
    assertEquals(ErrorCode.NOT_FOUND, fail(client.openDownload("alice", "s.txt", Priority.MEDIUM)).code());
    assertEquals(ErrorCode.INVALID_NAME, fail(client.openDownload("alice", "../s.txt", Priority.MEDIUM)).code());
  }

  @Test
  void anUnknownEngineIsRefusedAtStartWithAClearMessage(Vertx vertx) {
    JsonObject cfg = new JsonObject().put("storage", new JsonObject().put("root", root.resolve("other").toString())
        .put("engine", "v3"));
    Exception e = assertThrows(Exception.class, () -> vertx.deployVerticle(
        new StorageVerticle(new LocalLockManager(vertx), true), new DeploymentOptions().setConfig(cfg))
        .await(10, TimeUnit.SECONDS));
    assertEquals("storage.engine must be v1 or v2 (got v3)", e.getMessage());
  }
}
