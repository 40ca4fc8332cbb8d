package dropbox.tcp;

import dropbox.auth.AuthService;
import dropbox.auth.ClientAddress;
import dropbox.bus.SmallUploads;
import dropbox.bus.StorageClient;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection (tcp-protocol.md): its lifecycle (start, idle timeout, shutdown, close, the
 * clean-ups that must end before it is finished), its state, and the read loop that hands each
 * record the framer cuts to the phase whose turn it is: {@link TcpAuthPhase} before login,
 * {@link TcpCommands} after, {@link TcpUpload} during a data phase.
 *
 * Every reply is one socket write (classic clients read a reply with a single recv()). The next line is
 * read only after the previous reply was written, and only once the socket's write queue has room, so
 * a client that pipelines commands without reading cannot make the server buffer without bound.
 * Runs on the connection's event loop only.
 */
final class TcpSession {
  private static final Logger log = LoggerFactory.getLogger(TcpSession.class);
  static final int MAX_AUTH_FAILURES = TcpAuthPhase.MAX_AUTH_FAILURES;

  enum State {
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
  private final TcpFramer framer;
  private final String clientAddress;
  private final Promise<Void> finished = Promise.promise();
  /** Marks the end of a half-closed client's input in its data; null if half-closure is not available. */
  private final HalfCloseHandler halfClose;
  private final TcpAuthPhase authPhase;
  private final TcpCommands commands;
  private final TcpUpload upload;
  /** storage.engine=v2: names may be paths (tcp-protocol.md "Paths and folders"). */
  private final boolean folders;

  private State state = State.AUTH_WAIT;
  private String user;
  private long lastActivity = now();
  /** When the connection was accepted: the login deadline counts from here, whatever the client sends. */
  private final long connectedAt = lastActivity;
  /** tcp.loginTimeoutSeconds in milliseconds; 0 or less: no deadline. */
  private final long loginTimeoutMillis;
  private boolean shuttingDown;
  /** The connection is closed (by the client or by us): nothing can be written any more. */
  private boolean peerClosed;
  /** Storage work that must end before the session is finished (commit or abort of a ticket). */
  private int cleanups;

  TcpSession(Vertx vertx, NetSocket socket, StorageClient storage, AuthService auth, HalfCloseHandler halfClose,
      TcpTransport transport, boolean folders, int listPage, SmallUploads small, long loginTimeoutMillis) {
    this.vertx = vertx;
    this.loginTimeoutMillis = loginTimeoutMillis;
    this.folders = folders;
    this.halfClose = halfClose;
    this.socket = socket;
    this.clientAddress = ClientAddress.peer(socket.remoteAddress());
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
    this.authPhase = new TcpAuthPhase(this, auth, transport);
    this.upload = new TcpUpload(this, vertx, storage, small);
    this.commands = new TcpCommands(this, storage, upload, new TcpDownload(vertx, this, socket, storage), folders,
        listPage);
  }

  /** Completes once the socket is closed and any commit or abort it started is done. */
  Future<Void> finished() {
    return finished.future();
  }

  void start() {
    if (halfClose != null) {
      io.vertx.core.Context context = vertx.getOrCreateContext();
      halfClose.onInputShutdown(() -> context.runOnContext(v -> authPhase.onFinSeen()));
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

  // ---- limits: login and idle timeouts and shutdown, driven by TcpVerticle ----

  /**
   * Closes the session if it has not logged in within timeoutMillis of connecting. Activity does not
   * extend this deadline (a byte every few seconds, half a line, failed attempts), and neither does a
   * throttle wait or a password check in progress: their outcome is dropped.
   */
  void checkLogin() {
    if (user != null || state == State.CLOSED || !loginDeadlinePassed()) return;
    closeWith(TcpReplies.LOGIN_TIMEOUT); // also ends a throttle wait: the cut-short attempt finds the session ended
  }

  /**
   * The login deadline is behind us. Asked by the scan above and again when an auth attempt is
   * answered: the scan comes round only every quarter of the timeout, and an attempt held or checked
   * across the deadline must not log in late.
   */
  boolean loginDeadlinePassed() {
    return loginTimeoutMillis > 0 && now() - connectedAt > loginTimeoutMillis;
  }

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

  /**
   * The session ends here, whatever the cause; an upload that has not reached its commit is aborted,
   * an attempt the throttle is holding is not waited for.
   */
  void terminate() {
    if (state == State.CLOSED) return;
    state = State.CLOSED;
    framer.close();
    upload.abortOpen();
    authPhase.abandon();
    maybeFinished();
  }

  // ---- what the phases share: state, the user, the framer, liveness ----

  State state() {
    return state;
  }

  void enter(State next) {
    state = next;
  }

  boolean closed() {
    return state == State.CLOSED;
  }

  /** The authenticated user; null during the auth phase. */
  String user() {
    return user;
  }

  void authenticated(String name) {
    user = name;
  }

  /** A name UPLOAD/DOWNLOAD/DELETE may carry: a path on v2, a plain name on v1; null (malformed UTF-8) never. */
  boolean acceptsName(String name) {
    return TcpCommands.acceptedName(name, folders);
  }

  String clientAddress() {
    return clientAddress;
  }

  TcpFramer framer() {
    return framer;
  }

  boolean peerClosed() {
    return peerClosed;
  }

  boolean shuttingDown() {
    return shuttingDown;
  }

  /** The client is active (or the server's wait just ended): the idle clock restarts. */
  void touch() {
    lastActivity = now();
  }

  // ---- replies and the read loop ----

  /**
   * Continuations of async work: a bug in one becomes "ERROR: Internal error" where the stream is in
   * step (or a retry prompt in the auth phase) and a silent close anywhere else, never a hung session.
   */
  <T> Handler<AsyncResult<T>> safe(Handler<AsyncResult<T>> h) {
    return ar -> {
      try {
        h.handle(ar);
      } catch (RuntimeException e) {
        log.error("session of {} from {} failed", user, clientAddress, e);
        switch (state) {
          case AUTH_WORK -> authPhase.retry(TcpReplies.INTERNAL);
          case COMMAND_WORK -> reply(TcpReplies.INTERNAL);
          case CLOSED -> { }
          default -> closeSilently();
        }
      }
    };
  }

  /** A command's reply with its prompt, in one write; then the next command. */
  void reply(String text) {
    if (state == State.CLOSED) return;
    if (peerClosed) {
      terminate();
      return;
    }
    write(text + TcpReplies.PROMPT);
    waitForLine(State.COMMAND_WAIT);
  }

  /** As reply, with body bytes before the text, in one write (a small download's length, bytes and trailer). */
  void reply(Buffer body, String text) {
    if (state == State.CLOSED) return;
    if (peerClosed) {
      terminate();
      return;
    }
    writeBuffer(body.appendString(text + TcpReplies.PROMPT));
    waitForLine(State.COMMAND_WAIT);
  }

  void waitForLine(State next) {
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

  /**
   * Writes one part of a streamed reply; the future completes once the socket has taken it, which paces
   * the next part (one part in memory at a time, however slowly the client reads). Failed if the session
   * is closed or the peer gone.
   */
  Future<Void> writePart(String text) {
    if (state == State.CLOSED || peerClosed) return Future.failedFuture("session closed");
    return socket.write(Buffer.buffer(text));
  }

  void write(String text) {
    writeBuffer(Buffer.buffer(text));
  }

  void writeBuffer(Buffer b) {
    if (state != State.CLOSED && !peerClosed) socket.write(b);
  }

  void closeWith(String text) {
    if (state == State.CLOSED) return;
    terminate();
    if (!peerClosed) socket.end(Buffer.buffer(text));
  }

  void closeSilently() {
    if (state == State.CLOSED) return;
    terminate();
    socket.close();
  }

  /**
   * Ends the session with a TCP reset: for a download cut short, whose unsent bytes would otherwise keep
   * the connection open. Vert.x's close (its handler intercepts every close going down the pipeline)
   * waits for what is queued to be flushed first, which a client that stopped reading never lets happen,
   * and the socket's buffer (megabytes) would stay held with it. So the close starts below Vert.x's
   * handler, at the pipeline's first handler, and SO_LINGER 0 makes it a reset that drops the unsent bytes.
   */
  void reset() {
    if (state == State.CLOSED) return;
    terminate();
    if (!(socket instanceof NetSocketInternal internal)) {
      socket.close();
      return;
    }
    Channel ch = internal.channelHandlerContext().channel();
    if (!ch.isOpen()) return; // the client reset it first
    try {
      ch.config().setOption(ChannelOption.SO_LINGER, 0);
    } catch (ChannelException e) {
      log.debug("connection from {} closing already: {}", clientAddress, e.toString());
    }
    ChannelHandlerContext first = ch.pipeline().firstContext();
    if (first != null) first.close();
    else ch.close();
  }

  /** Storage clean-up (a commit or an abort) that the session waits for before it is finished. */
  void track(Future<?> f) {
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
        if (at == State.AUTH_WAIT) authPhase.onLine(line);
        else if (at == State.COMMAND_WAIT) commands.onLine(line);
      } catch (RuntimeException e) {
        log.error("command from {} failed", clientAddress, e);
        if (at == State.AUTH_WAIT) authPhase.retry(TcpReplies.INTERNAL);
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
      guarded(() -> upload.onLength(length));
    }

    @Override
    public void onData(Buffer chunk) {
      if (state == State.UPLOAD_DATA) guarded(() -> upload.onData(chunk));
    }

    @Override
    public void onDataEnd() {
      if (state == State.UPLOAD_DATA) {
        guarded(upload::onDataEnd);
      } else if (state == State.DISCARDING) {
        reply(upload.takeReplyAfterDiscard());
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
