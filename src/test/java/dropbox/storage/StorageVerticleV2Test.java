package dropbox.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.bus.ErrorCode;
import dropbox.bus.Preconditions;
import dropbox.bus.Priority;
import dropbox.bus.StorageException;
import dropbox.bus.UploadTicket;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
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
