package dropbox.http;

import dropbox.bus.CommitResult;
import dropbox.bus.ErrorCode;
import dropbox.bus.Preconditions;
import dropbox.bus.Priority;
import dropbox.bus.StagingWriter;
import dropbox.bus.StorageClient;
import dropbox.metrics.Metrics;
import dropbox.bus.StorageException;
import dropbox.bus.UploadTicket;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One file arriving over HTTP (a PUT body or one multipart part): open a ticket, drive the request's
 * stream into the shared {@link StagingWriter}, then commit; on any failure or disconnect, abort. What
 * stays here is only what HTTP adds: the Content-Length checks, cancellation and, with an unknown size
 * (chunked, multipart), reserving quota ahead of the bytes in steps of at most 1 MiB: a chunk is written
 * only once the bytes received so far are covered. Used only from one event loop.
 */
public final class Upload {
  static final long STEP = 1 << 20;
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

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
  private StagingWriter sink;
  private ReadStream<Buffer> src;
  private final Promise<CommitResult> result = Promise.promise();
  private long received;
  private long allowance;
  private boolean extending;
  private boolean waitingDrain;
  private boolean endSeen;
  private Buffer pending;
  private boolean cancelled;

  public Upload(Vertx vertx, StorageClient storage, String user, String name, long size, Preconditions pre, Priority prio) {
    this.vertx = vertx;
    this.storage = storage;
    this.user = user;
    this.name = name;
    this.size = size;
    this.pre = pre;
    this.prio = prio;
  }

  String name() { return name; }

  /** Reserves quota (the whole size when known) and opens the staging file. */
  public Future<Void> open() {
    state = State.OPENING;
    return storage.openUpload(user, name, size, prio).compose(t -> {
      ticket = t;
      sink = new StagingWriter(vertx, storage, user, name, t, prio, n -> Metrics.bytesIn("http", n));
      allowance = size >= 0 ? size : 0; // content bytes covered so far; storage credits a replaced file itself
      if (cancelled) return Future.failedFuture(gone());
      return sink.open();
    }).compose(v -> {
      if (cancelled) return Future.<Void>failedFuture(gone());
      return Future.<Void>succeededFuture();
    }).onFailure(this::finishFailed);
  }

  /** Streams the (paused) source in; completes with the commit's result. */
  public Future<CommitResult> transfer(ReadStream<Buffer> source) {
    if (state != State.OPENING || sink == null) return result.future();
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
  public void cancel() {
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
    if (size >= 0 && received > size) {
      sink.countDiscarded(buf.length());
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
      }).onFailure(err -> {
        sink.countDiscarded(pending.length());
        pending = null;
        finishFailed(err);
      });
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
    if (state != State.STREAMING) {
      sink.countDiscarded(buf.length()); // received all the same: the metric counts what arrived
      return;
    }
    if (sink.write(buf, this::onDrained) && !waitingDrain) {
      waitingDrain = true;
      src.pause();
    }
  }

  /** The file caught up, or a write failed (it may then never drain). */
  private void onDrained() {
    if (sink.failure() != null) {
      finishFailed(sink.failure());
      return;
    }
    waitingDrain = false;
    resumeIfClear();
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
    sink.commit(received, pre)
        .onSuccess(r -> {
          state = State.DONE;
          result.tryComplete(r);
        })
        .onFailure(err -> {
          state = State.DONE;
          result.tryFail(err);
        });
  }

  private void finishFailed(Throwable err) {
    if (state == State.DONE || state == State.COMMITTING) return;
    state = State.DONE;
    if (src != null) src.pause(); // stop reading: the caller answers and closes the connection
    if (sink != null) sink.abort();
    result.tryFail(err);
  }

  /** Content-Length, or -1 for a chunked body; a request with neither has an empty body. */
  public static long bodySize(HttpServerRequest req) {
    String te = req.getHeader("Transfer-Encoding");
    if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) return -1;
    String cl = req.getHeader("Content-Length");
    // HTTP/2 has no chunked encoding: a body of unknown length simply comes without Content-Length.
    if (cl == null) return req.version() == HttpVersion.HTTP_2 && !req.isEnded() ? -1 : 0;
    try {
      long n = Long.parseLong(cl.trim());
      if (n < 0) throw new NumberFormatException();
      return n;
    } catch (NumberFormatException e) {
      throw HttpFailure.badRequest("Invalid Content-Length");
    }
  }

  /** If-None-Match: * and If-Match: "<sha256>", decided by storage at commit under the file lock. */
  public static Preconditions preconditions(HttpServerRequest req) {
    String inm = req.getHeader("If-None-Match");
    boolean noneMatchAny = false;
    if (inm != null) {
      if (!inm.trim().equals("*")) throw HttpFailure.badRequest("On upload, If-None-Match supports only *");
      noneMatchAny = true;
    }
    String im = req.getHeader("If-Match");
    String sha = null;
    if (im != null) {
      String v = im.trim();
      if (v.startsWith("W/")) v = v.substring(2);
      if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) v = v.substring(1, v.length() - 1);
      if (!SHA256.matcher(v).matches()) throw HttpFailure.badRequest("If-Match must be one quoted sha256 ETag");
      sha = v;
    }
    return new Preconditions(noneMatchAny, sha);
  }
}
