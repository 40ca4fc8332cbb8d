package dropbox.tcp;

import dropbox.bus.ErrorCode;
import dropbox.bus.Preconditions;
import dropbox.bus.Priority;
import dropbox.bus.SmallUploads;
import dropbox.bus.StagingWriter;
import dropbox.bus.StorageClient;
import dropbox.bus.StorageException;
import dropbox.metrics.Metrics;
import dropbox.tcp.TcpSession.State;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UPLOAD for one session (tcp-protocol.md): SEND_FILE_DATA, the 8-byte length, a reservation, then
 * the body streamed to a staging file and committed — or, when the reservation is refused, the body
 * read and thrown away so the stream stays in step. An upload that has not reached its commit when
 * the session ends is aborted ({@link #abortOpen}).
 *
 * <p>A small body (bus/SmallUploads) skips the reservation and the staging file: it is read into memory
 * and sent to storage in one command, which checks the quota as it commits. The client sees the same
 * replies either way (a refusal comes after the body in both).
 */
final class TcpUpload {
  private static final Logger log = LoggerFactory.getLogger(TcpUpload.class);

  private final TcpSession session;
  private final Vertx vertx;
  private final StorageClient storage;
  private final SmallUploads small;

  // The upload in progress.
  private String uploadName;
  private Priority uploadPriority;
  private long uploadSize;
  private StagingWriter upload;
  private String replyAfterDiscard;
  /** A small upload's body as it arrives (null: none, or the streamed path); smallTaken its budget. */
  private Buffer smallBody;
  private long smallTaken;

  TcpUpload(TcpSession session, Vertx vertx, StorageClient storage, SmallUploads small) {
    this.session = session;
    this.vertx = vertx;
    this.storage = storage;
    this.small = small;
  }

  void start(String name, Priority p) {
    if (!session.acceptsName(name)) {
      session.reply(TcpReplies.INVALID_FILENAME);
      return;
    }
    uploadName = name;
    uploadPriority = p;
    session.write(TcpReplies.SEND_FILE_DATA);
    session.enter(State.UPLOAD_LENGTH);
    session.touch();
    session.framer().expectLength();
  }

  void onLength(long n) {
    uploadSize = n;
    String user = session.user();
    if (small.tryTake(n)) {
      startSmall(user, n);
      return;
    }
    session.enter(State.UPLOAD_OPEN);
    // A length >= 2^63 can never fit; asking for the most a long holds makes storage name the limit.
    long ask = n < 0 ? Long.MAX_VALUE : n;
    storage.openUpload(user, uploadName, ask, uploadPriority).onComplete(session.safe(ar -> {
      if (ar.succeeded()) {
        StagingWriter u = new StagingWriter(vertx, storage, user, uploadName, ar.result(), uploadPriority,
            bytes -> Metrics.bytesIn("tcp", bytes));
        if (session.closed() || session.shuttingDown() || n < 0) {
          session.track(u.abort());
          if (n < 0) session.closeWith(TcpReplies.error(ErrorCode.TOO_LARGE,
              "File too large (limit " + ar.result().limitBytes() + " bytes)"));
          else session.closeSilently();
          return;
        }
        startData(u); // even if the client has left: its bytes may all be queued, then they are stored
        return;
      }
      if (session.closed()) return;
      if (session.peerClosed()) {
        session.terminate();
        return;
      }
      StorageException e = StorageClient.toStorageException(ar.cause());
      if (e.code() == ErrorCode.TOO_LARGE || n < 0) {
        session.closeWith(TcpReplies.error(e.code(), e.getMessage())); // will not read an unbounded body
      } else {
        discardThenReply(n, TcpReplies.error(e.code(), e.getMessage()));
      }
    }));
  }

  private void startData(StagingWriter u) {
    upload = u;
    u.open().onComplete(session.safe(ar -> {
      if (ar.failed()) {
        log.warn("cannot open staging file for {}: {}", session.user(), ar.cause().toString());
        upload = null;
        session.track(u.abort());
        if (!session.closed()) discardThenReply(uploadSize, TcpReplies.INTERNAL);
        return;
      }
      if (session.closed() || session.shuttingDown()) {
        if (upload == u) {
          upload = null;
          session.track(u.abort());
        }
        session.closeSilently();
        return;
      }
      session.enter(State.UPLOAD_DATA);
      session.touch();
      session.framer().expectData(uploadSize);
    }));
  }

  /** Too large for this user is refused before the body, as the streamed path's reservation would. */
  private void startSmall(String user, long n) {
    long limit = small.limitFor(user);
    if (n > limit) {
      small.release(n);
      session.closeWith(TcpReplies.error(ErrorCode.TOO_LARGE, "File too large (limit " + limit + " bytes)"));
      return;
    }
    smallTaken = n;
    smallBody = Buffer.buffer((int) n);
    session.enter(State.UPLOAD_DATA);
    session.touch();
    session.framer().expectData(n);
  }

  void onData(Buffer chunk) {
    if (smallBody != null) {
      smallBody.appendBuffer(chunk); // a copy: the network buffer is reused
      return;
    }
    if (upload != null && upload.write(chunk, this::onFileDrained)) session.framer().hold();
  }

  /** The disk caught up; waiting on it was the server's turn, not the client's idleness. */
  private void onFileDrained() {
    session.touch();
    session.framer().release();
  }

  /** All N bytes are in: commit, then the reply. */
  void onDataEnd() {
    session.enter(State.UPLOAD_COMMIT);
    if (smallBody != null) {
      commitSmall();
      return;
    }
    StagingWriter u = upload;
    upload = null;
    Future<?> commit = u.commit(uploadSize, Preconditions.NONE);
    session.track(commit);
    commit.onComplete(session.safe(ar ->
        session.reply(ar.succeeded() ? TcpReplies.SUCCESS : TcpReplies.storageError(ar.cause()))));
  }

  private void commitSmall() {
    Buffer body = smallBody;
    smallBody = null;
    Metrics.bytesIn("tcp", body.length());
    Future<?> commit = storage.putSmall(session.user(), uploadName, body, Preconditions.NONE, uploadPriority)
        .andThen(ar -> releaseSmall());
    session.track(commit);
    commit.onComplete(session.safe(ar ->
        session.reply(ar.succeeded() ? TcpReplies.SUCCESS : TcpReplies.storageError(ar.cause()))));
  }

  private void releaseSmall() {
    small.release(smallTaken);
    smallTaken = 0;
  }

  private void discardThenReply(long n, String text) {
    session.enter(State.DISCARDING);
    replyAfterDiscard = text;
    session.touch();
    session.framer().discard(n);
  }

  /** The reply owed once the discarded bytes are all read. */
  String takeReplyAfterDiscard() {
    String text = replyAfterDiscard;
    replyAfterDiscard = null;
    return text;
  }

  /** The session ended before the commit: the staging file and its reservation are released. */
  void abortOpen() {
    if (smallBody != null) { // short of its bytes: nothing was sent to storage
      smallBody = null;
      releaseSmall();
    }
    if (upload == null) return;
    StagingWriter u = upload;
    upload = null;
    session.track(u.abort());
  }
}
