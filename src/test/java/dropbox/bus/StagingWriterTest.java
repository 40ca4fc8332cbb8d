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
    CompletableFuture<String> outcome = new CompletableFuture<>();
    Context ctx = vertx.getOrCreateContext();
    ctx.runOnContext(v -> w.open().onComplete(ar -> {
      if (ar.failed()) outcome.completeExceptionally(ar.cause());
      else feed(ctx, w, outcome, 0);
    }));
    // Before: the failed write's callback ran the abort inside write(), which then met a null file (an
    // NPE out of the front end's handler; the upload hung with its reservation and staging file).
    String failure = outcome.get(30, TimeUnit.SECONDS);
    // Told as a full disk (507 / "ERROR: Storage full"), not as an internal error.
    assertTrue(failure.contains("STORAGE_FULL") || failure.contains("Storage full"), failure);
  }

  /** Writes 64 KiB chunks in batches, like a body arriving; at most 64 MiB before giving up. */
  private static void feed(Context ctx, StagingWriter w, CompletableFuture<String> outcome, int sent) {
    Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
    try {
      for (int i = 0; i < 64; i++) {
        if (outcome.isDone()) return;
        if (sent >= 1024) {
          outcome.completeExceptionally(new AssertionError("64 MiB went into /dev/full without a failure"));
          return;
        }
        sent++;
        int next = sent;
        boolean full = w.write(chunk, () -> {
          if (w.failure() != null) {
            String why = w.failure() instanceof StorageException se ? se.code() + " " + se.getMessage()
                : w.failure().toString();
            w.abort().onComplete(ar -> outcome.complete(why)); // its ticket abort finds no storage here: either way
          } else {
            feed(ctx, w, outcome, next);
          }
        });
        if (full) return; // the drain goes on
      }
    } catch (RuntimeException e) {
      outcome.completeExceptionally(e);
      return;
    }
    int done = sent;
    ctx.runOnContext(v -> feed(ctx, w, outcome, done));
  }
}
