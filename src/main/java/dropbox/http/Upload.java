package dropbox.http;

import dropbox.bus.CommitResult;
import dropbox.bus.ErrorCode;
import dropbox.bus.Preconditions;
import dropbox.bus.Priority;
import dropbox.bus.SmallUploads;
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
 *
 * <p>A small body (bus/SmallUploads: a known size up to storage.inlineMaxBytes, while the process's budget
 * for such bodies lasts) skips the reservation and the staging file: it is held in memory until complete
 * and sent to storage in one command (StorageClient.putSmall), which checks the quota as it commits. A body
 * too large for the user is still refused before it is read; everything else the client sees is the same.
 */
public final class Upload {
  static final long STEP = 1 << 20;
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  /** READY: every byte is in and the commit waits for {@link #commitHeld} (a multipart request's parts). */
  private enum State { NEW, OPENING, STREAMING, READY, COMMITTING, DONE }

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
  /** Set by {@link #receive}: the commit waits until asked; arrived completes once every byte is in. */
  private boolean holdCommit;
  private final Promise<Void> arrived = Promise.promise();
  private long received;
  private long allowance;
  private boolean extending;
  private boolean waitingDrain;
  private boolean endSeen;
  private Buffer pending;
  private boolean cancelled;
  /** Decides which uploads are small (null: always streamed). */
  private final SmallUploads small;
  /** Small mode: the most bytes held (the size, or a multipart request's bound), else -1. */
  private long smallCap = -1;
  /** Bytes of the SmallUploads budget this upload took itself and must give back (0 once given back). */
  private long smallTaken;
  /** Small mode: the body so far. */
  private Buffer smallBody;

  public Upload(Vertx vertx, StorageClient storage, String user, String name, long size, Preconditions pre, Priority prio) {
    this(vertx, storage, user, name, size, pre, prio, null);
  }

  /** small: takes the one-command path when the size is known and small enough (see the class comment). */
  public Upload(Vertx vertx, StorageClient storage, String user, String name, long size, Preconditions pre, Priority prio,
                SmallUploads small) {
    this.vertx = vertx;
    this.small = small;
    this.storage = storage;
    this.user = user;
    this.name = name;
    this.size = size;
    this.pre = pre;
    this.prio = prio;
  }

  /**
   * One part of a multipart request whose whole body is at most cap bytes and whose budget the caller has
   * taken (and gives back): held in memory and sent in one command, however long the part turns out to be.
   */
  static Upload bufferedPart(Vertx vertx, StorageClient storage, String user, String name, Priority prio, long cap) {
    Upload u = new Upload(vertx, storage, user, name, -1, Preconditions.NONE, prio, null);
    u.smallCap = cap;
    return u;
  }

  /** Whether this upload went the one-command way (after open()). */
  boolean isSmall() { return smallCap >= 0; }

  String name() { return name; }

  /** Reserves quota (the whole size when known) and opens the staging file. */
  public Future<Void> open() {
    state = State.OPENING;
    if (smallCap < 0 && small != null && small.tryTake(size)) {
      smallCap = size;
      smallTaken = size;
    }
    if (smallCap >= 0) return openSmall();
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

  /** No storage command before the body; only what the user could never store is refused up front. */
  private Future<Void> openSmall() {
    if (size >= 0) {
      long limit = small.limitFor(user);
      if (size > limit) {
        StorageException tooLarge = new StorageException(ErrorCode.TOO_LARGE, "File too large (limit " + limit + " bytes)");
        finishFailed(tooLarge);
        return Future.failedFuture(tooLarge);
      }
    }
    if (cancelled) {
      finishFailed(gone());
      return Future.failedFuture(gone());
    }
    smallBody = Buffer.buffer((int) Math.max(0, Math.min(size, smallCap)));
    return Future.succeededFuture();
  }

  /** Streams the (paused) source in; completes with the commit's result. */
  public Future<CommitResult> transfer(ReadStream<Buffer> source) {
    if (state != State.OPENING || (sink == null && smallBody == null)) return result.future();
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

  /**
   * As {@link #transfer}, but the commit is held: the future completes once every byte is in (staged,
   * or held in memory for a small one), and nothing is visible until {@link #commitHeld}. It fails as
   * the upload would; {@link #cancel} drops a held upload.
   */
  Future<Void> receive(ReadStream<Buffer> source) {
    holdCommit = true;
    transfer(source); // a failure before every byte is in fails arrived too (finishFailed)
    return arrived.future();
  }

  /** Commits an upload {@link #receive} holds; completes with the commit's result. */
  Future<CommitResult> commitHeld() {
    if (state != State.READY) return result.future().isComplete() ? result.future() : Future.failedFuture(gone());
    commitNow();
    return result.future();
  }

  /** The client went away: abort unless every byte is already in (then the commit goes on; a held one is dropped). */
  public void cancel() {
    cancelled = true;
    if (state == State.READY) {
      finishFailed(gone());
      return;
    }
    // A small upload opening has taken only its memory budget: give it back now, transfer() may never come.
    if (state == State.STREAMING || state == State.NEW || (state == State.OPENING && smallBody != null)) finishFailed(gone());
  }

  Future<CommitResult> result() { return result.future(); }

  private static StorageException gone() {
    return new StorageException(ErrorCode.BAD_REQUEST, "The upload was interrupted");
  }

  private void onChunk(Buffer buf) {
    if (state != State.STREAMING) return;
    received += buf.length();
    if (size >= 0 && received > size) {
      if (sink != null) sink.countDiscarded(buf.length());
      finishFailed(new StorageException(ErrorCode.BAD_REQUEST, "The body is longer than Content-Length"));
      return;
    }
    if (smallBody != null) {
      // The cap is the announced size or the multipart request's: a longer body was refused just above
      // or by the HTTP codec, so this only guards the memory bound itself.
      if (received > smallCap) {
        finishFailed(new StorageException(ErrorCode.BAD_REQUEST, "The body is longer than announced"));
        return;
      }
      smallBody.appendBuffer(buf); // a copy: the network buffer is reused
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
    if (holdCommit) {
      state = State.READY;
      arrived.tryComplete();
      return;
    }
    commitNow();
  }

  private void commitNow() {
    state = State.COMMITTING;
    if (smallBody != null) {
      commitSmall();
      return;
    }
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

  private void commitSmall() {
    Buffer body = smallBody;
    smallBody = null;
    Metrics.bytesIn("http", body.length());
    storage.putSmall(user, name, body, pre, prio).onComplete(ar -> {
      state = State.DONE;
      releaseSmall();
      if (ar.succeeded()) result.tryComplete(ar.result());
      else result.tryFail(ar.cause());
    });
  }

  private void releaseSmall() {
    if (smallTaken > 0) small.release(smallTaken);
    smallTaken = 0;
  }

  private void finishFailed(Throwable err) {
    if (state == State.DONE || state == State.COMMITTING) return;
    state = State.DONE;
    if (sink != null) sink.abort(); // first: nothing below may keep the staging file and reservation
    try {
      if (src != null) src.pause(); // stop reading: the caller answers and closes the connection
    } catch (IllegalStateException e) { // an HTTP/2 stream already reset: nothing left to read
    }
    if (smallBody != null) Metrics.bytesIn("http", smallBody.length()); // arrived all the same
    smallBody = null;
    releaseSmall();
    result.tryFail(err);
    arrived.tryFail(err);
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

  /**
   * If-None-Match: *, If-Match: * and If-Match: "<sha256>", decided by storage at commit under the file lock;
   * a partial update (Content-Range) is refused here, for REST and WebDAV alike.
   */
  public static Preconditions preconditions(HttpServerRequest req) {
    // A PUT replaces the whole file. Content-Range asks for a partial update, which we do not do: taken as
    // a whole body, the fragment replaced the file (RFC 9110 9.3.4: such a PUT MUST be answered 400).
    if (req.getHeader("Content-Range") != null) {
      throw HttpFailure.badRequest("Content-Range is not supported on upload: send the whole file");
    }
    String inm = req.getHeader("If-None-Match");
    boolean noneMatchAny = false;
    if (inm != null) {
      if (!inm.trim().equals("*")) throw HttpFailure.badRequest("On upload, If-None-Match supports only *");
      noneMatchAny = true;
    }
    String im = req.getHeader("If-Match");
    String sha = null;
    boolean matchAny = false;
    if (im != null && im.trim().equals("*")) {
      matchAny = true; // any current file: a replace that must not create
    } else if (im != null) {
      // An entity tag is quoted (RFC 9110 8.8.3), and If-Match compares strongly, so a weak one could never
      // match: both refused as malformed rather than read as something the client did not send.
      String v = im.trim();
      boolean quoted = v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"");
      if (quoted) v = v.substring(1, v.length() - 1);
      if (!quoted || !SHA256.matcher(v).matches()) {
        throw HttpFailure.badRequest("If-Match must be * or one quoted sha256 ETag");
      }
      sha = v;
    }
    return new Preconditions(noneMatchAny, matchAny, sha);
  }
}
