package dropbox.bus;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An upload's staging file on a full disk, for real: the staging path is /dev/full, whose every write fails
 * with ENOSPC. Driven as the HTTP front end drives it (write until the queue is full, wait for the drain,
 * abort when the drain reports a failure), on an event loop.
 */
class StagingWriterTest {
  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aDiskFullIsReportedThroughOnDrainAndTheUploadCanBeAborted() throws Exception {
    UploadTicket ticket = new UploadTicket("u-full", "/dev/full", 0, Long.MAX_VALUE);
    StagingWriter w = new StagingWriter(vertx, new StorageClient(vertx, 2_000), "alice", "f.bin", ticket,
        Priority.MEDIUM, n -> { });
    CompletableFuture<String> reported = new CompletableFuture<>();
    CompletableFuture<Void> aborted = new CompletableFuture<>();
    Context ctx = vertx.getOrCreateContext();
    ctx.runOnContext(v -> w.open().onComplete(ar -> {
      if (ar.failed()) reported.completeExceptionally(ar.cause());
      else feed(ctx, w, reported, aborted, 0);
    }));
    // Before: the failed write's callback ran the abort inside write(), which then met a null file (an
    // NPE out of the front end's handler; the upload hung with its reservation and staging file).
    String failure = reported.get(30, TimeUnit.SECONDS);
    aborted.get(30, TimeUnit.SECONDS);
    // Told as a full disk (507 / "ERROR: Storage full"), not as an internal error.
    assertTrue(failure.contains("STORAGE_FULL") || failure.contains("Storage full"), failure);
  }

  /**
   * Writes 64 KiB chunks in batches, like a body arriving, until the writer reports a failure (then stops
   * writing and aborts, as the front end does); at most 64 MiB before giving up. The feeding stops when
   * the failure is reported, not when the abort has ended: the abort runs the file's lanes to their end on
   * other threads, which on a busy machine took longer than the event loop needed for 64 MiB of writes.
   */
  private static void feed(Context ctx, StagingWriter w, CompletableFuture<String> reported,
                           CompletableFuture<Void> aborted, int sent) {
    Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
    try {
      for (int i = 0; i < 64; i++) {
        if (reported.isDone()) return;
        if (sent >= 1024) {
          reported.completeExceptionally(new AssertionError("64 MiB went into /dev/full without a failure"));
          return;
        }
        sent++;
        int next = sent;
        boolean full = w.write(chunk, () -> {
          if (reported.isDone()) return;
          if (w.failure() != null) {
            String why = w.failure() instanceof StorageException se ? se.code() + " " + se.getMessage()
                : w.failure().toString();
            reported.complete(why);
            w.abort().onComplete(ar -> aborted.complete(null)); // its ticket abort finds no storage here: either way
          } else {
            feed(ctx, w, reported, aborted, next);
          }
        });
        if (full) return; // the drain goes on
      }
    } catch (RuntimeException e) {
      reported.completeExceptionally(e);
      return;
    }
    int done = sent;
    ctx.runOnContext(v -> feed(ctx, w, reported, aborted, done));
  }
}
