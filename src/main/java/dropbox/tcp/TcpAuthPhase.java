package dropbox.tcp;

import dropbox.auth.AuthException;
import dropbox.auth.AuthService;
import dropbox.auth.Caller;
import dropbox.tcp.TcpSession.State;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authentication phase of one session (tcp-protocol.md "Greeting and authentication phase"):
 * LOGIN and SIGNUP lines and the per-connection failure count. Throttling is the auth service's,
 * in WAIT mode: an attempt that is not due yet is held there and answered late; the client's FIN or
 * the session's end cuts such a wait short. Ends by handing the session its user.
 */
final class TcpAuthPhase {
  private static final Logger log = LoggerFactory.getLogger(TcpAuthPhase.class);
  /** Failed attempts one connection may make; the last is answered, then the connection closes. */
  static final int MAX_AUTH_FAILURES = 5;

  private final TcpSession session;
  private final AuthService auth;
  private final TcpTransport transport;
  /**
   * Completes when the client sends its FIN or the session ends. A FIN also ends a client that closed
   * for good, which only a later write would reveal, and a throttled guesser that hangs up must not
   * hold a connection slot through waits of up to 30 s per attempt: such an attempt is dropped and the
   * session closes without a reply. An attempt that needs no wait is answered as usual.
   */
  private final Promise<Void> gone = Promise.promise();
  private int authFailures;

  TcpAuthPhase(TcpSession session, AuthService auth, TcpTransport transport) {
    this.session = session;
    this.transport = transport;
    this.auth = auth;
  }

  void onLine(byte[] bytes) {
    session.enter(State.AUTH_WORK);
    Optional<CommandLine> parsed = LineParser.parse(bytes);
    CommandLine cl = parsed.orElse(null);
    if (cl != null && (cl.is("LOGIN") || cl.is("SIGNUP")) && transport.refusesLogin()) {
      // Credentials must not cross this port: refused before the password is looked at, not counted.
      session.closeWith(TcpReplies.loginRequiresTls(transport.tlsPort()));
      return;
    }
    Caller caller = Caller.waiting(session.clientAddress(), gone.future());
    boolean loginOrSignup = cl != null && (cl.is("LOGIN") || cl.is("SIGNUP")) && cl.argCount() == 2;
    if (!loginOrSignup) {
      String name = cl != null && cl.argCount() >= 1 && cl.arg(0) != null ? cl.arg(0) : "";
      auth.malformed(name, caller).onComplete(session.safe(ar -> refused(ar, TcpReplies.AUTH_INVALID)));
      return;
    }
    String name = cl.arg(0);
    String password = cl.arg(1);
    boolean signup = cl.is("SIGNUP");
    if (name == null || password == null) { // malformed UTF-8 can name no account
      auth.malformed(name == null ? "" : name, caller).onComplete(session.safe(ar -> refused(ar, signup
          ? TcpReplies.signupFailed("Invalid username or password", false) : TcpReplies.LOGIN_FAILED)));
      return;
    }
    Future<String> attempt = signup ? auth.signup(name, password, caller) : auth.login(name, password, caller);
    attempt.onComplete(session.safe(ar -> {
      if (session.closed() || lateForLogin()) return;
      if (ar.succeeded()) {
        session.authenticated(ar.result());
        session.write((signup ? TcpReplies.SIGNUP_SUCCESS : TcpReplies.LOGIN_SUCCESS) + TcpReplies.AUTHENTICATED
            + TcpReplies.PROMPT);
        session.waitForLine(State.COMMAND_WAIT);
        return;
      }
      String reply = signup && ar.cause() instanceof AuthException ae
          ? TcpReplies.signupFailed(ae.getMessage(), ae.reason() == AuthException.Reason.EXISTS)
          : TcpReplies.LOGIN_FAILED;
      refused(ar, reply);
    }));
  }

  /**
   * The answer to an attempt that did not log in: {@code reply} for the client's own failures (which
   * count towards the per-connection limit); the busy or internal-error reply, uncounted, for the
   * server's trouble; nothing for a client that left while its attempt was held.
   */
  private void refused(AsyncResult<?> ar, String reply) {
    if (session.closed() || lateForLogin()) return;
    if (!(ar.cause() instanceof AuthException ae)) {
      log.warn("auth from {} failed unexpectedly", session.clientAddress(), ar.cause());
      retry(TcpReplies.INTERNAL);
      return;
    }
    switch (ae.reason()) {
      case INVALID_CREDENTIALS, INVALID_USERNAME, INVALID_PASSWORD, EXISTS, DISABLED, TOO_MANY_SIGNUPS -> failed(reply);
      case GONE -> session.closeSilently();
      case BUSY -> retry(TcpReplies.BUSY);
      // THROTTLED only reaches a REFUSE caller; should it come here, the client may simply try again.
      case THROTTLED, INTERNAL -> retry(TcpReplies.INTERNAL);
    }
  }

  /**
   * An attempt answered after the login deadline (held by the throttle or checked across it) is
   * dropped: the session ends with the timeout, as the deadline scan would have ended it.
   */
  private boolean lateForLogin() {
    if (!session.loginDeadlinePassed()) return false;
    session.closeWith(TcpReplies.LOGIN_TIMEOUT);
    return true;
  }

  /** Out of band, ahead of any bytes still queued: only an attempt the throttle holds is cut short by it. */
  void onFinSeen() {
    gone.tryComplete();
  }

  /** The session ended (closed, login timeout): an attempt the throttle holds ends without being made. */
  void abandon() {
    gone.tryComplete();
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
