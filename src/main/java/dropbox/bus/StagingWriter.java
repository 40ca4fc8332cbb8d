package dropbox.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part of an upload every front end shares, so that TCP and HTTP cannot drift apart: the bytes of
 * one ticket go into its staging file with back-pressure, hashed as they pass, and the ticket ends in
 * exactly one commit or abort whatever happens to the connection. Framing, size checks and quota steps
 * stay with the front end. Used from one event loop.
 */
public final class StagingWriter {
  private static final Logger log = LoggerFactory.getLogger(StagingWriter.class);

  private final Vertx vertx;
  private final StorageClient storage;
  private final String user;
  private final String name;
  private final UploadTicket ticket;
  private final Priority priority;
  /** Counts bytes received (for the front end's metrics); bus/ stays free of other project packages. */
  private final LongConsumer bytesIn;
  private final MessageDigest sha256;
  private AsyncFile file;
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
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java platform", e);
    }
  }

  /** Opens the staging file the worker created (no create: the worker owns its life cycle). */
  public Future<Void> open() {
    OpenOptions options = new OpenOptions().setWrite(true).setCreate(false).setTruncateExisting(true);
    return vertx.fileSystem().open(ticket.stagingPath(), options).compose(f -> {
      if (ended) return f.close(); // aborted while the file was opening: do not leak it
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
    bytesIn.accept(chunk.length());
    if (writeError != null) return false;
    if (file == null) { // not open, or already ended: these bytes can never be committed
      writeError = new IllegalStateException("staging file not open");
      return false;
    }
    sha256.update(chunk.getBytes());
    file.write(chunk).onFailure(err -> {
      if (writeError == null) writeError = err;
      onDrain.run();
    });
    if (file.writeQueueFull()) {
      file.drainHandler(v -> onDrain.run());
      return true;
    }
    return false;
  }

  /** Bytes that arrived but will never be written (the upload is failing) still count as received. */
  public void countDiscarded(long bytes) {
    bytesIn.accept(bytes);
  }

  /** The first write failure, or null. */
  public Throwable failure() {
    return writeError;
  }

  /**
   * With all bytes in: close the file, then publish them as exactly size bytes. Runs to the end even if
   * the client has gone. Anything short of a clean file of that size aborts instead of committing.
   */
  public Future<CommitResult> commit(long size, Preconditions pre) {
    if (ended) return Future.failedFuture(internal());
    ended = true;
    String hash = HexFormat.of().formatHex(sha256.digest());
    return closeFile().transform(closed -> {
      if (closed.failed() || writeError != null || written != size) {
        Throwable why = closed.failed() ? closed.cause() : writeError;
        log.warn("upload {} of {} not committed: {}", ticket.uploadId(), user,
            why != null ? why.toString() : written + " bytes written, " + size + " announced");
        return abortTicket().transform(v -> Future.failedFuture(internal()));
      }
      // A commit refused as busy or timed out leaves the ticket open; abort is idempotent, so end it
      // whatever the failure was rather than leave the reservation to the stale-upload reaper.
      return storage.commitUpload(user, name, ticket.uploadId(), size, hash, pre, priority)
          .recover(err -> abortTicket().transform(v -> Future.failedFuture(err)));
    });
  }

  /** Rolls back (disconnect, timeout, shutdown, refusal): nothing is stored and the reservation is released. */
  public Future<Void> abort() {
    if (ended) return Future.succeededFuture();
    ended = true;
    return closeFile().transform(v -> abortTicket());
  }

  private Future<Void> abortTicket() {
    return storage.abortUpload(user, ticket.uploadId())
        .onFailure(e -> log.warn("abort of upload {} for {} failed: {}", ticket.uploadId(), user, e.getMessage()));
  }

  private Future<Void> closeFile() {
    if (file == null) return Future.succeededFuture();
    AsyncFile f = file;
    file = null;
    return f.close();
  }

  private static StorageException internal() {
    return new StorageException(ErrorCode.INTERNAL, "Internal error");
  }
}
