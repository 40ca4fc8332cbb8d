package dropbox.bus;

import dropbox.files.HashingFileWriter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part of an upload every front end shares, so that TCP and HTTP cannot drift apart: the bytes of
 * one ticket go into its staging file with back-pressure, hashed as they pass, and the ticket ends in
 * exactly one commit or abort whatever happens to the connection. Framing, size checks and quota steps
 * stay with the front end. Used from one event loop.
 *
 * <p>The file is a HashingFileWriter: the event loop only queues buffers, one blocking lane writes them and
 * another hashes them, so a bulk upload costs max(write, hash) instead of their sum and the event loop does
 * neither (it used to hash every chunk itself, after copying it out of the network buffer).
 */
public final class StagingWriter {
  private static final Logger log = LoggerFactory.getLogger(StagingWriter.class);
  /**
   * The write and hash lanes of every upload of this process: blocking threads outside Vert.x's worker
   * pool, so bulk uploads never queue behind the storage workers (nor the reverse). Each lane runs one
   * batch at a time, so the threads bound the parallelism, not the number of uploads.
   */
  private static final long REPORT_EVERY = 1 << 20;
  private static final int ABORT_TRIES = 4;
  private static final long ABORT_RETRY_MILLIS = 1000;
  private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  private static final Executor LANES = Executors.newFixedThreadPool(
      Math.max(4, 2 * Runtime.getRuntime().availableProcessors()), new LaneThreads());

  private final Vertx vertx;
  private final StorageClient storage;
  private final String user;
  private final String name;
  private final UploadTicket ticket;
  private final Priority priority;
  /** Counts bytes received (for the front end's metrics); bus/ uses no project package but the leaf files/. */
  private final LongConsumer bytesIn;
  /**
   * Received bytes not yet given to bytesIn: a meter look-up per network chunk was ~7% of the event loop's
   * time in a bulk upload, so they are reported per MiB and when the upload ends.
   */
  private long unreported;
  private HashingFileWriter file;
  private Throwable writeError;
  private long written;
  private boolean ended;

  public StagingWriter(Vertx vertx, StorageClient storage, String user, String name, UploadTicket ticket,
                       Priority priority, LongConsumer bytesIn) {
    this.vertx = vertx;
    this.storage = storage;
    this.user = user;
    this.name = name;
    this.ticket = ticket;
    this.priority = priority;
    this.bytesIn = bytesIn;
  }

  /** Opens the staging file the worker created (no create: the worker owns its life cycle). */
  public Future<Void> open() {
    // fsync true: the content is on disk when finish() returns, so the publish's own fsync finds nothing left.
    return HashingFileWriter.open(vertx, Path.of(ticket.stagingPath()), LANES, true).compose(f -> {
      if (ended) return f.abort(); // aborted while the file was opening: do not leak it
      file = f;
      return Future.succeededFuture();
    });
  }

  /**
   * Writes one chunk. Returns true when the file's write queue is full: the caller must stop reading
   * until onDrain runs. onDrain also runs after a failed write, since a failed file may never drain;
   * {@link #failure()} tells the two apart. After a failure the rest is only counted, so a caller that
   * must stay in step with its stream can go on reading, and the upload ends in an abort.
   */
  public boolean write(Buffer chunk, Runnable onDrain) {
    written += chunk.length();
    count(chunk.length());
    if (writeError != null) return false;
    if (file == null) { // not open, or already ended: these bytes can never be committed
      writeError = new IllegalStateException("staging file not open");
      return false;
    }
    HashingFileWriter f = file;
    Future<Void> w = f.write(chunk);
    if (w.failed()) {
      // The file failed on an earlier chunk (its write lane met ENOSPC, say). The caller learns it through
      // onDrain once this call has returned: it aborts there, and an abort run inside this method (as the
      // callback of the failed future once did) left it without a file, an NPE that hung the upload with
      // its reservation and staging file.
      writeError = w.cause();
      vertx.runOnContext(v -> onDrain.run());
      return false;
    }
    if (f.writeQueueFull()) {
      f.drainHandler(v -> onDrain.run());
      return true;
    }
    return false;
  }

  /** Bytes that arrived but will never be written (the upload is failing) still count as received. */
  public void countDiscarded(long bytes) {
    count(bytes);
  }

  private void count(long bytes) {
    unreported += bytes;
    if (ended || unreported >= REPORT_EVERY) reportCount(); // after the end, nothing else would report them
  }

  private void reportCount() {
    if (unreported == 0) return;
    long n = unreported;
    unreported = 0;
    bytesIn.accept(n);
  }

  /** The first write failure (STORAGE_FULL for a full disk), or null. */
  public Throwable failure() {
    return writeError == null ? null : StorageFull.orElse(writeError, writeError);
  }

  /**
   * With all bytes in: close the file, then publish them as exactly size bytes. Runs to the end even if
   * the client has gone. Anything short of a clean file of that size aborts instead of committing.
   */
  public Future<CommitResult> commit(long size, Preconditions pre) {
    reportCount();
    if (ended) return Future.failedFuture(internal());
    ended = true;
    return finishFile().transform(closed -> {
      if (closed.failed() || writeError != null || written != size || closed.result().size() != size) {
        Throwable why = closed.failed() ? closed.cause() : writeError;
        log.warn("upload {} of {} not committed: {}", ticket.uploadId(), user,
            why != null ? why.toString() : written + " bytes written, " + size + " announced");
        return abortTicket().transform(v -> Future.failedFuture(StorageFull.orElse(why, internal())));
      }
      // A commit refused as busy or timed out leaves the ticket open; abort is idempotent, so end it
      // whatever the failure was rather than leave the reservation to the stale-upload reaper.
      return storage.commitUpload(user, name, ticket.uploadId(), size, closed.result().sha256(), pre, priority)
          .recover(err -> abortTicket().transform(v -> Future.failedFuture(err)));
    });
  }

  /** Rolls back (disconnect, timeout, shutdown, refusal): nothing is stored and the reservation is released. */
  public Future<Void> abort() {
    reportCount();
    if (ended) return Future.succeededFuture();
    ended = true;
    HashingFileWriter f = file;
    file = null;
    return (f == null ? Future.<Void>succeededFuture() : f.abort()).transform(v -> abortTicket());
  }

  private Future<Void> abortTicket() {
    return abortTicket(ABORT_TRIES);
  }

  /**
   * Storage queues aborts even when full, but one can still be BUSY (the user's lock not had in time,
   * under load): tried again a little later, since a lost abort holds its reservation and staging file
   * until the stale-upload sweep.
   */
  private Future<Void> abortTicket(int triesLeft) {
    return storage.abortUpload(user, ticket.uploadId()).recover(e -> {
      if (triesLeft > 1 && e instanceof StorageException se && se.code() == ErrorCode.BUSY) {
        Promise<Void> again = Promise.promise();
        vertx.setTimer(ABORT_RETRY_MILLIS, id -> abortTicket(triesLeft - 1).onComplete(again));
        return again.future();
      }
      log.warn("abort of upload {} for {} failed: {}", ticket.uploadId(), user, e.getMessage());
      return Future.failedFuture(e);
    });
  }

  /** All bytes written, hashed and fsynced, the file closed; what was written. */
  private Future<HashingFileWriter.Written> finishFile() {
    if (file == null) { // never opened: nothing was written to the (empty) staging file the worker made
      return Future.succeededFuture(new HashingFileWriter.Written(EMPTY_SHA256, 0));
    }
    HashingFileWriter f = file;
    file = null;
    return f.finish();
  }

  private static final class LaneThreads implements java.util.concurrent.ThreadFactory {
    private final AtomicInteger n = new AtomicInteger();

    @Override
    public Thread newThread(Runnable r) {
      Thread t = new Thread(r, "dropbox-upload-lane-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    }
  }

  private static StorageException internal() {
    return new StorageException(ErrorCode.INTERNAL, "Internal error");
  }
}
