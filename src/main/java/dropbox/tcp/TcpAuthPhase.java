package dropbox.tcp;

import dropbox.auth.AuthException;
import dropbox.auth.AuthService;
import dropbox.tcp.TcpSession.State;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authentication phase of one session (tcp-protocol.md "Greeting and authentication phase"):
 * LOGIN and SIGNUP lines, the per-connection failure count, and the throttle's wait before an
 * attempt (which a client's FIN cuts short). Ends by handing the session its user.
 */
final class TcpAuthPhase {
  private static final Logger log = LoggerFactory.getLogger(TcpAuthPhase.class);
  /** Failed attempts one connection may make; the last is answered, then the connection closes. */
  static final int MAX_AUTH_FAILURES = 5;

  private final TcpSession session;
  private final Vertx vertx;
  private final AuthService auth;
  private final HalfCloseHandler halfClose;
  private final TcpTransport transport;
  private int authFailures;
  /** A throttle delay in progress: its timer, and how to end it if the client sends its FIN meanwhile. */
  private long throttleTimer = -1;
  private Runnable throttleGone;

  TcpAuthPhase(TcpSession session, Vertx vertx, AuthService auth, HalfCloseHandler halfClose,
      TcpTransport transport) {
    this.session = session;
    this.transport = transport;
    this.vertx = vertx;
    this.auth = auth;
    this.halfClose = halfClose;
  }

  void onLine(byte[] bytes) {
    session.enter(State.AUTH_WORK);
    String clientAddress = session.clientAddress();
    Optional<CommandLine> parsed = LineParser.parse(bytes);
    CommandLine cl = parsed.orElse(null);
    if (cl != null && (cl.is("LOGIN") || cl.is("SIGNUP")) && transport.refusesLogin()) {
      // Credentials must not cross this port: refused before the password is looked at, not counted.
      session.closeWith(TcpReplies.loginRequiresTls(transport.tlsPort()));
      return;
    }
    boolean loginOrSignup = cl != null && (cl.is("LOGIN") || cl.is("SIGNUP")) && cl.argCount() == 2;
    if (!loginOrSignup) {
      String name = cl != null && cl.argCount() >= 1 && cl.arg(0) != null ? cl.arg(0) : "";
      throttled(name, () -> auth.recordFailure(name, clientAddress))
          .onComplete(session.safe(ar -> failed(TcpReplies.AUTH_INVALID)));
      return;
    }
    String name = cl.arg(0);
    String password = cl.arg(1);
    boolean signup = cl.is("SIGNUP");
    if (name == null || password == null) { // malformed UTF-8 can name no account
      String n = name == null ? "" : name;
      throttled(n, () -> auth.recordFailure(n, clientAddress)).onComplete(session.safe(ar -> failed(signup
          ? TcpReplies.signupFailed("Invalid username or password", false) : TcpReplies.LOGIN_FAILED)));
      return;
    }
    Future<String> attempt = throttled(name, () -> signup
        ? auth.signup(name, password, clientAddress)
        : auth.login(name, password, clientAddress));
    attempt.onComplete(session.safe(ar -> {
      if (session.closed()) return;
      if (ar.succeeded()) {
        session.authenticated(ar.result());
        session.write((signup ? TcpReplies.SIGNUP_SUCCESS : TcpReplies.LOGIN_SUCCESS) + TcpReplies.AUTHENTICATED
            + TcpReplies.PROMPT);
        session.waitForLine(State.COMMAND_WAIT);
      } else if (ar.cause() instanceof AuthException ae) {
        if (ae.reason() == AuthException.Reason.INTERNAL) {
          // Not the client's failure (e.g. the hashing pool is saturated): no count, just try again.
          boolean busy = ae.getMessage() != null && ae.getMessage().startsWith("Server busy");
          retry(busy ? TcpReplies.BUSY : TcpReplies.INTERNAL);
        } else {
          failed(signup ? TcpReplies.signupFailed(ae.getMessage(), ae.reason() == AuthException.Reason.EXISTS)
              : TcpReplies.LOGIN_FAILED);
        }
      } else {
        log.warn("auth of {} from {} failed unexpectedly", name, clientAddress, ar.cause());
        retry(TcpReplies.INTERNAL);
      }
    }));
  }

  /**
   * Waits the throttle's delay for (name, address), then runs the attempt; never blocks the loop.
   *
   * A client that has sent its FIN is not waited for: a FIN also ends a client that closed for good,
   * which only a later write would reveal, and a throttled guesser that hangs up must not hold a
   * connection slot through delays of up to 30 s per attempt. Such a session closes without a reply,
   * as it did before half-closed clients were served.
   */
  private <T> Future<T> throttled(String name, Supplier<Future<T>> attempt) {
    return auth.throttleDelayMillis(name, session.clientAddress())
        .recover(err -> Future.succeededFuture(0L))
        .compose(delay -> {
          if (delay == null || delay <= 0) return attempt.get();
          if (clientSentFin()) return goneBeforeThrottledAttempt();
          Promise<T> p = Promise.promise();
          throttleGone = () -> this.<T>goneBeforeThrottledAttempt().onComplete(p);
          throttleTimer = vertx.setTimer(delay, id -> {
            throttleTimer = -1;
            throttleGone = null;
            try {
              attempt.get().onComplete(p);
            } catch (RuntimeException e) {
              p.fail(e);
            }
          });
          return p.future();
        });
  }

  /** Out of band, ahead of any bytes still queued: only a throttle delay is cut short by it. */
  void onFinSeen() {
    endThrottleWait();
  }

  /** The session was closed (login timeout): a throttle wait in progress ends without its attempt. */
  void abandon() {
    endThrottleWait();
  }

  private void endThrottleWait() {
    if (throttleTimer >= 0 && vertx.cancelTimer(throttleTimer)) {
      Runnable gone = throttleGone;
      throttleTimer = -1;
      throttleGone = null;
      gone.run();
    }
  }

  private boolean clientSentFin() {
    return halfClose != null && halfClose.inputShutdown();
  }

  private <T> Future<T> goneBeforeThrottledAttempt() {
    session.closeSilently();
    return Future.failedFuture("the client hung up before its throttled attempt");
  }

  private void failed(String reply) {
    if (session.closed()) return;
    authFailures++;
    if (authFailures >= MAX_AUTH_FAILURES) {
      session.closeWith(reply + TcpReplies.TOO_MANY_FAILURES);
      return;
    }
    retry(reply);
  }

  /** The reply to an attempt that did not log in, and the auth prompt again. */
  void retry(String reply) {
    if (session.closed()) return;
    session.write(reply + TcpReplies.AUTH_PROMPT);
    session.waitForLine(State.AUTH_WAIT);
  }
}
