package dropbox.tcp;

import dropbox.auth.AuthException;
import dropbox.auth.AuthService;
import dropbox.auth.Caller;
import dropbox.auth.ClientAddress;
import dropbox.bus.DownloadHandle;
import dropbox.bus.ErrorCode;
import dropbox.bus.FileNames;
import dropbox.bus.Preconditions;
import dropbox.bus.Priority;
import dropbox.bus.StagingWriter;
import dropbox.bus.StorageClient;
import dropbox.bus.StorageException;
import dropbox.metrics.Metrics;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection: greeting and authentication, then one command at a time (tcp-protocol.md).
 *
 * Every reply is one socket write (classic clients read a reply with a single recv()). The next line is
 * read only after the previous reply was written, and only once the socket's write queue has room, so
 * a client that pipelines commands without reading cannot make the server buffer without bound.
 * Runs on the connection's event loop only.
 */
final class TcpSession {
  private static final Logger log = LoggerFactory.getLogger(TcpSession.class);
  static final int MAX_AUTH_FAILURES = 5;
  private static final Buffer ZERO_LENGTH = Buffer.buffer(new byte[8]);

  private enum State {
    /** Waiting for an auth line / a command line: the client's turn. */
    AUTH_WAIT, COMMAND_WAIT,
    /** Waiting for auth or storage: the server's turn. */
    AUTH_WORK, COMMAND_WORK,
    /** After SEND_FILE_DATA: the length, then the body (stored or discarded). */
    UPLOAD_LENGTH, UPLOAD_OPEN, UPLOAD_DATA, DISCARDING,
    /** All bytes in: the commit runs even if the client goes. */
    UPLOAD_COMMIT,
    DOWNLOADING,
    CLOSED
  }

  private final Vertx vertx;
  private final NetSocket socket;
  private final StorageClient storage;
  private final AuthService auth;
  private final TcpFramer framer;
  private final String clientAddress;
  private final Promise<Void> finished = Promise.promise();
  /** Marks the end of a half-closed client's input in its data; null if half-closure is not available. */
  private final HalfCloseHandler halfClose;

  private State state = State.AUTH_WAIT;
  private String user;
  private int authFailures;
  private long lastActivity = now();
  private boolean shuttingDown;
  /** The connection is closed (by the client or by us): nothing can be written any more. */
  private boolean peerClosed;
  /** Storage work that must end before the session is finished (commit or abort of a ticket). */
  private int cleanups;
  /** Completes when the client sends its FIN or the session ends: an attempt held by the throttle then stops waiting. */
  private final Promise<Void> gone = Promise.promise();

  // The command in progress.
  private String uploadName;
  private Priority uploadPriority;
  private long uploadSize;
  private StagingWriter upload;
  private String replyAfterDiscard;

  TcpSession(Vertx vertx, NetSocket socket, StorageClient storage, AuthService auth, HalfCloseHandler halfClose) {
    this.vertx = vertx;
    this.halfClose = halfClose;
    this.socket = socket;
    this.storage = storage;
    this.auth = auth;
    SocketAddress remote = socket.remoteAddress();
    this.clientAddress = ClientAddress.peer(remote);
    this.framer = new TcpFramer(new TcpFramer.Flow() {
      @Override
      public void pause() {
        socket.pause();
      }

      @Override
      public void resume() {
        socket.resume();
      }
    }, new Records());
  }

  /** Completes once the socket is closed and any commit or abort it started is done. */
  Future<Void> finished() {
    return finished.future();
  }

  void start() {
    if (halfClose != null) {
      io.vertx.core.Context context = vertx.getOrCreateContext();
      halfClose.onInputShutdown(() -> context.runOnContext(v -> onFinSeen()));
    }
    socket.handler(chunk -> {
      if (halfClose != null && halfClose.isEndOfInput(chunk)) {
        framer.endOfInput(); // after every byte before it: the framer has them all
        return;
      }
      lastActivity = now();
      framer.handle(chunk);
    });
    socket.closeHandler(v -> onSocketClosed());
    socket.endHandler(v -> onInputEnded());
    socket.exceptionHandler(err -> log.debug("connection from {}: {}", clientAddress, err.toString()));
    write(TcpReplies.GREETING);
    waitForLine(State.AUTH_WAIT);
  }

  // ---- limits: idle timeout and shutdown, driven by TcpVerticle ----

  /** Closes the session if the client has been silent on its turn for longer than timeoutMillis. */
  void checkIdle(long timeoutMillis) {
    if (now() - lastActivity <= timeoutMillis) return;
    switch (state) {
      case AUTH_WAIT, COMMAND_WAIT -> closeWith(TcpReplies.IDLE_TIMEOUT);
      case UPLOAD_LENGTH, UPLOAD_DATA, DISCARDING -> closeSilently();
      default -> { } // the server's turn (storage, auth delay, a download being sent): not the client's idleness
    }
  }

  /** Says goodbye where a command could start; data phases close without text; work in progress finishes first. */
  void shutdown() {
    shuttingDown = true;
    switch (state) {
      case AUTH_WAIT, COMMAND_WAIT -> closeWith(TcpReplies.SHUTTING_DOWN);
      case UPLOAD_LENGTH, UPLOAD_DATA, DISCARDING, DOWNLOADING -> closeSilently();
      default -> { } // AUTH_WORK, COMMAND_WORK, UPLOAD_OPEN, UPLOAD_COMMIT: checked when that work ends
    }
  }

  /**
   * The connection closed. Vert.x reports the close before it delivers input still queued behind a
   * pause, so an upload whose bytes all arrived before the client left keeps reading them and commits
   * ("even if the client has gone"); the end of input (onInputEnded) decides otherwise.
   */
  private void onSocketClosed() {
    peerClosed = true;
    switch (state) {
      case UPLOAD_LENGTH, UPLOAD_OPEN, UPLOAD_DATA -> { }
      default -> terminate();
    }
  }

  /**
   * A half-closed client sent its last byte and the framer needs more than it has. Everything complete
   * was answered by now, so a session waiting for a line closes (its last reply is flushed first); an
   * upload or discard short of its bytes is rolled back as if the client had gone.
   */
  private void onHalfClosedInputExhausted() {
    if (state == State.CLOSED) return;
    terminate();
    socket.end();
  }

  /** No more input (the connection closed): an upload still short of its bytes is rolled back. */
  private void onInputEnded() {
    peerClosed = true;
    terminate();
  }

  /** The session ends here, whatever the cause; an upload that has not reached its commit is aborted. */
  private void terminate() {
    if (state == State.CLOSED) return;
    state = State.CLOSED;
    gone.tryComplete();
    framer.close();
    if (upload != null) {
      StagingWriter u = upload;
      upload = null;
      track(u.abort());
    }
    maybeFinished();
  }

  // ---- authentication phase ----

  private void onAuthLine(byte[] bytes) {
    state = State.AUTH_WORK;
    Optional<CommandLine> parsed = LineParser.parse(bytes);
    CommandLine cl = parsed.orElse(null);
    boolean loginOrSignup = cl != null && (cl.is("LOGIN") || cl.is("SIGNUP")) && cl.argCount() == 2;
    Caller caller = Caller.waiting(clientAddress, gone.future());
    if (!loginOrSignup) {
      String name = cl != null && cl.argCount() >= 1 && cl.arg(0) != null ? cl.arg(0) : "";
      auth.malformed(name, caller).onComplete(safe(ar -> authOutcome(ar, TcpReplies.AUTH_INVALID)));
      return;
    }
    String name = cl.arg(0);
    String password = cl.arg(1);
    boolean signup = cl.is("SIGNUP");
    if (name == null || password == null) { // malformed UTF-8 can name no account
      auth.malformed(name == null ? "" : name, caller).onComplete(safe(ar -> authOutcome(ar,
          signup ? TcpReplies.signupFailed("Invalid username or password", false) : TcpReplies.LOGIN_FAILED)));
      return;
    }
    Future<String> attempt = signup ? auth.signup(name, password, caller) : auth.login(name, password, caller);
    attempt.onComplete(safe(ar -> {
      if (state == State.CLOSED) return;
      if (ar.succeeded()) {
        user = ar.result();
        write((signup ? TcpReplies.SIGNUP_SUCCESS : TcpReplies.LOGIN_SUCCESS) + TcpReplies.AUTHENTICATED
            + TcpReplies.PROMPT);
        waitForLine(State.COMMAND_WAIT);
        return;
      }
      String failed = signup && ar.cause() instanceof AuthException ae
          ? TcpReplies.signupFailed(ae.getMessage(), ae.reason() == AuthException.Reason.EXISTS)
          : TcpReplies.LOGIN_FAILED;
      authOutcome(ar, failed);
    }));
  }

  /**
   * The reply to a failed attempt. A client that hung up while the throttle held its attempt is not
   * answered: a FIN also ends a client that closed for good, which only a later write would reveal,
   * and a throttled guesser that hangs up must not hold a slot through the waits. The server's own
   * trouble (busy, internal) is not the client's failure and does not count towards the limit.
   */
  private void authOutcome(AsyncResult<?> ar, String failedReply) {
    if (state == State.CLOSED) return;
    if (!(ar.cause() instanceof AuthException ae)) {
      log.warn("auth from {} failed unexpectedly", clientAddress, ar.cause());
      authRetry(TcpReplies.INTERNAL);
      return;
    }
    switch (ae.reason()) {
      case GONE -> closeSilently();
      case BUSY -> authRetry(TcpReplies.BUSY);
      case INTERNAL, THROTTLED -> authRetry(TcpReplies.INTERNAL); // THROTTLED: only a REFUSE caller gets it
      default -> authFailed(failedReply);
    }
  }

  /** Out of band, ahead of any bytes still queued: only an attempt held by the throttle is cut short by it. */
  private void onFinSeen() {
    gone.tryComplete();
  }

  private void authFailed(String reply) {
    if (state == State.CLOSED) return;
    authFailures++;
    if (authFailures >= MAX_AUTH_FAILURES) {
      closeWith(reply + TcpReplies.TOO_MANY_FAILURES);
      return;
    }
    authRetry(reply);
  }

  private void authRetry(String reply) {
    if (state == State.CLOSED) return;
    write(reply + TcpReplies.AUTH_PROMPT);
    waitForLine(State.AUTH_WAIT);
  }

  // ---- command phase ----

  private void onCommandLine(byte[] bytes) {
    state = State.COMMAND_WORK;
    CommandLine cl = LineParser.parse(bytes).orElse(null);
    String word = cl == null || cl.command() == null ? "" : cl.command();
    int n = cl == null ? -1 : cl.argCount();
    Metrics.tcpCommand(COUNTED.contains(word) ? word : "OTHER");
    switch (word) {
      case "UPLOAD" -> { if (n == 1) upload(cl.arg(0), cl.priority()); else invalidCommand(); }
      case "DOWNLOAD" -> { if (n == 1) download(cl.arg(0), cl.priority()); else invalidCommand(); }
      case "DELETE" -> { if (n == 1) delete(cl.arg(0), cl.priority()); else invalidCommand(); }
      case "LIST" -> { if (n == 0) list(cl.priority()); else invalidCommand(); }
      case "QUOTA" -> { if (n == 0) quota(cl.priority()); else invalidCommand(); }
      case "HELP" -> { if (n == 0) reply(TcpReplies.HELP); else invalidCommand(); }
      case "QUIT", "EXIT" -> { if (n == 0) closeWith(TcpReplies.GOODBYE); else invalidCommand(); }
      default -> invalidCommand();
    }
  }

  /** Verbs counted by name in metrics; anything else is "OTHER" so label values stay bounded. */
  private static final java.util.Set<String> COUNTED =
      java.util.Set.of("UPLOAD", "DOWNLOAD", "DELETE", "LIST", "QUOTA", "HELP", "QUIT", "EXIT");

  private void invalidCommand() {
    reply(TcpReplies.INVALID_COMMAND);
  }

  private static boolean validName(String name) {
    return name != null && FileNames.isValid(name);
  }

  private void delete(String name, Priority p) {
    if (!validName(name)) {
      reply(TcpReplies.INVALID_FILENAME);
      return;
    }
    storage.delete(user, name, p).onComplete(safe(ar ->
        reply(ar.succeeded() ? TcpReplies.SUCCESS : errorText(ar.cause()))));
  }

  private void list(Priority p) {
    storage.list(user, p).onComplete(safe(ar ->
        reply(ar.succeeded() ? ListingTable.format(user, ar.result()) : errorText(ar.cause()))));
  }

  private void quota(Priority p) {
    storage.usage(user, p).onComplete(safe(ar ->
        reply(ar.succeeded() ? ListingTable.usageLine(ar.result()) : errorText(ar.cause()))));
  }

  /** A failure is announced as length 0 so classic clients, which read a length first, stay in step. */
  private void download(String name, Priority p) {
    if (!validName(name)) {
      writeBuffer(ZERO_LENGTH.copy().appendString(TcpReplies.INVALID_FILENAME + TcpReplies.PROMPT));
      waitForLine(State.COMMAND_WAIT);
      return;
    }
    storage.openDownload(user, name, p).onComplete(safe(ar -> {
      if (state == State.CLOSED) return;
      if (ar.failed()) {
        writeBuffer(ZERO_LENGTH.copy().appendString(errorText(ar.cause()) + TcpReplies.PROMPT));
        waitForLine(State.COMMAND_WAIT);
        return;
      }
      sendFile(ar.result());
    }));
  }

  private void sendFile(DownloadHandle h) {
    state = State.DOWNLOADING;
    long size = h.file().size();
    writeBuffer(Buffer.buffer(8).appendLongLE(size));
    Future<Void> sent = size == 0 ? Future.succeededFuture() : socket.sendFile(h.contentPath(), 0, size);
    sent.onComplete(safe(ar -> {
      if (state == State.CLOSED) return;
      if (ar.failed()) {
        // Part of the body may be out already: the stream cannot be resynchronised.
        log.warn("download of {} for {} failed: {}", h.file().name(), user, ar.cause().toString());
        closeSilently();
        return;
      }
      Metrics.bytesOut("tcp", size);
      reply(TcpReplies.SUCCESS);
    }));
  }

  private void upload(String name, Priority p) {
    if (!validName(name)) {
      reply(TcpReplies.INVALID_FILENAME);
      return;
    }
    uploadName = name;
    uploadPriority = p;
    write(TcpReplies.SEND_FILE_DATA);
    state = State.UPLOAD_LENGTH;
    lastActivity = now();
    framer.expectLength();
  }

  private void onUploadLength(long n) {
    state = State.UPLOAD_OPEN;
    uploadSize = n;
    // A length >= 2^63 can never fit; asking for the most a long holds makes storage name the limit.
    long ask = n < 0 ? Long.MAX_VALUE : n;
    storage.openUpload(user, uploadName, ask, uploadPriority).onComplete(safe(ar -> {
      if (ar.succeeded()) {
        StagingWriter u = new StagingWriter(vertx, storage, user, uploadName, ar.result(), uploadPriority,
            bytes -> Metrics.bytesIn("tcp", bytes));
        if (state == State.CLOSED || shuttingDown || n < 0) {
          track(u.abort());
          if (n < 0) closeWith(TcpReplies.error(ErrorCode.TOO_LARGE,
              "File too large (limit " + ar.result().limitBytes() + " bytes)"));
          else closeSilently();
          return;
        }
        startData(u); // even if the client has left: its bytes may all be queued, then they are stored
        return;
      }
      if (state == State.CLOSED) return;
      if (peerClosed) {
        terminate();
        return;
      }
      StorageException e = StorageClient.toStorageException(ar.cause());
      if (e.code() == ErrorCode.TOO_LARGE || n < 0) {
        closeWith(TcpReplies.error(e.code(), e.getMessage())); // will not read an unbounded body
      } else {
        discardThenReply(n, TcpReplies.error(e.code(), e.getMessage()));
      }
    }));
  }

  private void startData(StagingWriter u) {
    upload = u;
    u.open().onComplete(safe(ar -> {
      if (ar.failed()) {
        log.warn("cannot open staging file for {}: {}", user, ar.cause().toString());
        upload = null;
        track(u.abort());
        if (state != State.CLOSED) discardThenReply(uploadSize, TcpReplies.INTERNAL);
        return;
      }
      if (state == State.CLOSED || shuttingDown) {
        if (upload == u) {
          upload = null;
          track(u.abort());
        }
        closeSilently();
        return;
      }
      state = State.UPLOAD_DATA;
      lastActivity = now();
      framer.expectData(uploadSize);
    }));
  }

  private void onUploadData(Buffer chunk) {
    if (upload != null && upload.write(chunk, this::onFileDrained)) framer.hold();
  }

  /** The disk caught up; waiting on it was the server's turn, not the client's idleness. */
  private void onFileDrained() {
    lastActivity = now();
    framer.release();
  }

  private void onUploadEnd() {
    state = State.UPLOAD_COMMIT;
    StagingWriter u = upload;
    upload = null;
    Future<?> commit = u.commit(uploadSize, Preconditions.NONE);
    track(commit);
    commit.onComplete(safe(ar -> reply(ar.succeeded() ? TcpReplies.SUCCESS : errorText(ar.cause()))));
  }

  private void discardThenReply(long n, String text) {
    state = State.DISCARDING;
    replyAfterDiscard = text;
    lastActivity = now();
    framer.discard(n);
  }

  // ---- replies and the read loop ----

  /**
   * Continuations of async work: a bug in one becomes "ERROR: Internal error" where the stream is in
   * step (or a retry prompt in the auth phase) and a silent close anywhere else, never a hung session.
   */
  private <T> Handler<AsyncResult<T>> safe(Handler<AsyncResult<T>> h) {
    return ar -> {
      try {
        h.handle(ar);
      } catch (RuntimeException e) {
        log.error("session of {} from {} failed", user, clientAddress, e);
        switch (state) {
          case AUTH_WORK -> authRetry(TcpReplies.INTERNAL);
          case COMMAND_WORK -> reply(TcpReplies.INTERNAL);
          case CLOSED -> { }
          default -> closeSilently();
        }
      }
    };
  }

  private static String errorText(Throwable err) {
    return TcpReplies.error(StorageClient.toStorageException(err));
  }

  /** A command's reply with its prompt, in one write; then the next command. */
  private void reply(String text) {
    if (state == State.CLOSED) return;
    if (peerClosed) {
      terminate();
      return;
    }
    write(text + TcpReplies.PROMPT);
    waitForLine(State.COMMAND_WAIT);
  }

  private void waitForLine(State next) {
    if (state == State.CLOSED) return;
    if (peerClosed) {
      terminate();
      return;
    }
    if (shuttingDown) {
      closeWith(TcpReplies.SHUTTING_DOWN);
      return;
    }
    state = next;
    lastActivity = now();
    if (socket.writeQueueFull()) {
      // The client is not reading its replies: read no more commands until it does.
      socket.drainHandler(v -> {
        socket.drainHandler(null);
        if (state == next) framer.expectLine();
      });
    } else {
      framer.expectLine();
    }
  }

  private void write(String text) {
    writeBuffer(Buffer.buffer(text));
  }

  private void writeBuffer(Buffer b) {
    if (state != State.CLOSED && !peerClosed) socket.write(b);
  }

  private void closeWith(String text) {
    if (state == State.CLOSED) return;
    terminate();
    if (!peerClosed) socket.end(Buffer.buffer(text));
  }

  private void closeSilently() {
    if (state == State.CLOSED) return;
    terminate();
    socket.close();
  }

  private void track(Future<?> f) {
    cleanups++;
    f.onComplete(ar -> {
      if (ar.failed()) log.debug("upload clean-up for {}: {}", user, ar.cause().toString());
      cleanups--;
      maybeFinished();
    });
  }

  private void maybeFinished() {
    if (state == State.CLOSED && cleanups == 0) finished.tryComplete();
  }

  private static long now() {
    return System.nanoTime() / 1_000_000;
  }

  /** Framer records, dispatched by state; an unexpected exception never reaches the client as a trace. */
  private final class Records implements TcpFramer.Listener {
    @Override
    public void onLine(byte[] line) {
      State at = state;
      try {
        if (at == State.AUTH_WAIT) onAuthLine(line);
        else if (at == State.COMMAND_WAIT) onCommandLine(line);
      } catch (RuntimeException e) {
        log.error("command from {} failed", clientAddress, e);
        if (at == State.AUTH_WAIT) authRetry(TcpReplies.INTERNAL);
        else reply(TcpReplies.INTERNAL);
      }
    }

    @Override
    public void onInputEnd() {
      onHalfClosedInputExhausted();
    }

    @Override
    public void onLineTooLong() {
      closeWith(TcpReplies.LINE_TOO_LONG);
    }

    @Override
    public void onLength(long length) {
      guarded(() -> onUploadLength(length));
    }

    @Override
    public void onData(Buffer chunk) {
      if (state == State.UPLOAD_DATA) guarded(() -> onUploadData(chunk));
    }

    @Override
    public void onDataEnd() {
      if (state == State.UPLOAD_DATA) {
        guarded(TcpSession.this::onUploadEnd);
      } else if (state == State.DISCARDING) {
        String text = replyAfterDiscard;
        replyAfterDiscard = null;
        reply(text);
      }
    }

    /** Inside a data phase the stream cannot be resynchronised after a bug: roll back and close. */
    private void guarded(Runnable r) {
      try {
        r.run();
      } catch (RuntimeException e) {
        log.error("upload from {} failed", clientAddress, e);
        closeSilently();
      }
    }
  }
}
