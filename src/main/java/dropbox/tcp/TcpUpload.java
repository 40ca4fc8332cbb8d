package dropbox.tcp;

import dropbox.bus.CommitResult;
import dropbox.bus.ErrorCode;
import dropbox.bus.Preconditions;
import dropbox.bus.Priority;
import dropbox.bus.StorageClient;
import dropbox.bus.StorageException;
import dropbox.bus.UploadTicket;
import dropbox.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One open upload ticket of a TCP session: the bytes go into the ticket's staging file, hashed as they
 * pass, and the ticket ends in exactly one commit or abort, whatever happens to the connection.
 */
final class TcpUpload {
  private final Vertx vertx;
  private final StorageClient storage;
  private final String user;
  private final String name;
  private final long size;
  private final Priority priority;
  private final UploadTicket ticket;
  private final MessageDigest sha256;
  private AsyncFile file;
  private Throwable writeError;
  private long received;
  private boolean ended;

  TcpUpload(Vertx vertx, StorageClient storage, String user, String name, long size, Priority priority,
            UploadTicket ticket) {
    this.vertx = vertx;
    this.storage = storage;
    this.user = user;
    this.name = name;
    this.size = size;
    this.priority = priority;
    this.ticket = ticket;
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java platform", e);
    }
  }

  /** Opens the staging file the worker created (write only: the worker owns its life cycle). */
  Future<Void> open() {
    return vertx.fileSystem().open(ticket.stagingPath(), new OpenOptions().setWrite(true).setCreate(false))
        .compose(f -> {
          if (ended) return f.close(); // aborted while the file was opening: do not leak it
          file = f;
          return Future.succeededFuture();
        });
  }

  /**
   * Writes one chunk. Returns true when the file's write queue is full: the caller must stop reading
   * until onDrain runs. After a write error the rest of the body is only counted (the stream stays in
   * step) and the upload ends in an abort.
   */
  boolean write(Buffer chunk, Runnable onDrain) {
    received += chunk.length();
    Metrics.bytesIn("tcp", chunk.length());
    if (writeError != null) return false;
    sha256.update(chunk.getBytes());
    file.write(chunk).onFailure(err -> {
      if (writeError == null) writeError = err;
      onDrain.run(); // a failed file may never drain: do not leave the socket paused
    });
    if (file.writeQueueFull()) {
      file.drainHandler(v -> onDrain.run());
      return true;
    }
    return false;
  }

  /** With all bytes in: close the file, then publish. Runs to the end even if the client has gone. */
  Future<CommitResult> commit() {
    if (ended) return Future.failedFuture(new StorageException(ErrorCode.INTERNAL, "Internal error"));
    ended = true;
    String hash = HexFormat.of().formatHex(sha256.digest());
    return closeFile().transform(closed -> {
      if (closed.failed() || writeError != null || received != size) {
        return storage.abortUpload(user, ticket.uploadId())
            .transform(v -> Future.failedFuture(new StorageException(ErrorCode.INTERNAL, "Internal error")));
      }
      // A commit refused as busy or timed out leaves the ticket open; abort is idempotent, so end it
      // whatever the failure was rather than leave the reservation to the stale-upload reaper.
      return storage.commitUpload(user, name, ticket.uploadId(), size, hash, Preconditions.NONE, priority)
          .recover(err -> storage.abortUpload(user, ticket.uploadId())
              .transform(v -> Future.failedFuture(err)));
    });
  }

  /** Rolls back (disconnect, timeout, shutdown): nothing is stored and the reservation is released. */
  Future<Void> abort() {
    if (ended) return Future.succeededFuture();
    ended = true;
    return closeFile().transform(v -> storage.abortUpload(user, ticket.uploadId()));
  }

  private Future<Void> closeFile() {
    if (file == null) return Future.succeededFuture();
    AsyncFile f = file;
    file = null;
    return f.close();
  }
}
