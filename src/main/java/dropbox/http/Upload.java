package dropbox.http;

import dropbox.bus.CommitResult;
import dropbox.bus.ErrorCode;
import dropbox.bus.Preconditions;
import dropbox.bus.Priority;
import dropbox.bus.StorageClient;
import dropbox.bus.StorageException;
import dropbox.bus.UploadTicket;
import dropbox.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.streams.ReadStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One file arriving over HTTP (a PUT body or one multipart part): open a ticket, pipe the bytes into
 * the staging file with back-pressure while hashing them, then commit; on any failure or disconnect,
 * abort. Exactly one of commit/abort is sent per ticket. Used only from one event loop.
 *
 * With an unknown size (chunked, multipart) the quota is reserved ahead of the bytes in steps of at most
 * 1 MiB: a chunk is written only once the bytes received so far are covered.
 */
final class Upload {
  static final long STEP = 1 << 20;
  private static final Logger log = LoggerFactory.getLogger(Upload.class);

  private enum State { NEW, OPENING, STREAMING, COMMITTING, DONE }

  private final Vertx vertx;
  private final StorageClient storage;
  private final String user;
  private final String name;
  private final long size;
  private final Preconditions pre;
  private final Priority prio;

  private State state = State.NEW;
  private UploadTicket ticket;
  private AsyncFile file;
  private ReadStream<Buffer> src;
  private final MessageDigest sha;
  private final Promise<CommitResult> result = Promise.promise();
  private long received;
  private long allowance;
  private boolean extending;
  private boolean waitingDrain;
  private boolean endSeen;
  private Buffer pending;
  private boolean cancelled;

  Upload(Vertx vertx, StorageClient storage, String user, String name, long size, Preconditions pre, Priority prio) {
    this.vertx = vertx;
    this.storage = storage;
    this.user = user;
    this.name = name;
    this.size = size;
    this.pre = pre;
    this.prio = prio;
    try {
      this.sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  String name() { return name; }

  /** Reserves quota (the whole size when known) and opens the staging file. */
  Future<Void> open() {
    state = State.OPENING;
    return storage.openUpload(user, name, size, prio).compose(t -> {
      ticket = t;
      allowance = size >= 0 ? size : 0; // content bytes covered so far; storage credits a replaced file itself
      if (cancelled) return Future.failedFuture(gone());
      return vertx.fileSystem().open(t.stagingPath(), new OpenOptions().setWrite(true).setCreate(false)
          .setTruncateExisting(true));
    }).compose(f -> {
      file = f;
      if (cancelled) return Future.failedFuture(gone());
      return Future.<Void>succeededFuture();
    }).onFailure(this::finishFailed);
  }

  /** Streams the (paused) source in; completes with the commit's result. */
  Future<CommitResult> transfer(ReadStream<Buffer> source) {
    if (state != State.OPENING || file == null) return result.future();
    if (cancelled) {
      finishFailed(gone());
      return result.future();
    }
    state = State.STREAMING;
    src = source;
    src.handler(this::onChunk);
    src.endHandler(v -> {
      endSeen = true;
      maybeCommit();
    });
    src.exceptionHandler(this::finishFailed);
    src.resume();
    return result.future();
  }

  /** The client went away: abort unless every byte is already in (then the commit goes on). */
  void cancel() {
    cancelled = true;
    if (state == State.STREAMING || state == State.NEW) finishFailed(gone());
  }

  Future<CommitResult> result() { return result.future(); }

  private static StorageException gone() {
    return new StorageException(ErrorCode.BAD_REQUEST, "The upload was interrupted");
  }

  private void onChunk(Buffer buf) {
    if (state != State.STREAMING) return;
    received += buf.length();
    Metrics.bytesIn("http", buf.length());
    sha.update(buf.getBytes());
    if (size >= 0 && received > size) {
      finishFailed(new StorageException(ErrorCode.BAD_REQUEST, "The body is longer than Content-Length"));
      return;
    }
    if (received > allowance) {
      pending = buf;
      extending = true;
      src.pause();
      reserve(STEP).onSuccess(v -> {
        extending = false;
        Buffer b = pending;
        pending = null;
        write(b);
        resumeIfClear();
      }).onFailure(this::finishFailed);
      return;
    }
    write(buf);
  }

  /**
   * Grows the reservation until the bytes received so far are covered. A full step that does not fit
   * is retried with exactly what is missing, so a file that fits is never refused for the step size.
   */
  private Future<Void> reserve(long step) {
    if (state != State.STREAMING) return Future.failedFuture(gone());
    long missing = received - allowance;
    if (missing <= 0) return Future.succeededFuture();
    long ask = Math.max(Math.min(step, STEP), Math.min(missing, STEP));
    return storage.extendUpload(user, ticket.uploadId(), ask).compose(total -> {
      allowance += ask;
      return reserve(step);
    }, err -> {
      StorageException se = StorageClient.toStorageException(err);
      boolean refused = se.code() == ErrorCode.QUOTA_EXCEEDED || se.code() == ErrorCode.TOO_LARGE;
      if (refused && ask > missing) return reserve(missing);
      return Future.failedFuture(se);
    });
  }

  private void write(Buffer buf) {
    if (state != State.STREAMING) return;
    file.write(buf).onFailure(this::finishFailed);
    if (file.writeQueueFull() && !waitingDrain) {
      waitingDrain = true;
      src.pause();
      file.drainHandler(v -> {
        waitingDrain = false;
        resumeIfClear();
      });
    }
  }

  private void resumeIfClear() {
    if (state != State.STREAMING) return;
    if (endSeen) {
      maybeCommit();
    } else if (!extending && !waitingDrain) {
      src.resume();
    }
  }

  private void maybeCommit() {
    if (state != State.STREAMING || extending) return;
    if (size >= 0 && received != size) {
      finishFailed(new StorageException(ErrorCode.BAD_REQUEST, "The body is shorter than Content-Length"));
      return;
    }
    state = State.COMMITTING;
    String hex = HexFormat.of().formatHex(sha.digest());
    file.close()
        .compose(v -> storage.commitUpload(user, name, ticket.uploadId(), received, hex, pre, prio))
        .onSuccess(r -> {
          state = State.DONE;
          result.tryComplete(r);
        })
        .onFailure(err -> {
          // A failed commit may still hold the reservation (busy, timeout): abort is idempotent.
          state = State.DONE;
          abortTicket();
          result.tryFail(err);
        });
  }

  private void finishFailed(Throwable err) {
    if (state == State.DONE || state == State.COMMITTING) return;
    State was = state;
    state = State.DONE;
    if (src != null) src.pause(); // stop reading: the caller answers and closes the connection
    Future<Void> closed = file == null ? Future.succeededFuture() : file.close().recover(e -> Future.succeededFuture());
    if (was != State.NEW && ticket != null) closed.onComplete(v -> abortTicket());
    result.tryFail(err);
  }

  private void abortTicket() {
    if (ticket == null) return;
    storage.abortUpload(user, ticket.uploadId())
        .onFailure(e -> log.warn("abort of upload {} for {} failed: {}", ticket.uploadId(), user, e.getMessage()));
  }
}
