package dropbox.auth;

import dropbox.Config;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link AuthService} of a node: provisioned accounts (authoritative for their names) chained
 * with the sign-up store, plus the shared login throttle. Slow hashing and file I/O run on a small
 * dedicated worker pool, so a burst of logins neither blocks an event loop nor starves the storage
 * workers, and a bound on waiting jobs keeps such a burst from queueing without limit.
 */
public final class Accounts implements AuthService {
  static final String INVALID_CREDENTIALS = "Invalid username or password";
  static final String EXISTS = "Username already exists";
  static final String DISABLED = "Sign-up is disabled";
  static final String INVALID_USERNAME =
      "Invalid username (1-64 characters: letters, digits, '_', '.', '-', starting with a letter or digit)";
  static final String BUSY = "Server busy, try again later";
  static final String INTERNAL = "Internal error";

  static final String POOL_NAME = "dropbox-auth";
  /** Jobs (hashes, file reads) admitted at once; beyond this an attempt fails fast as INTERNAL/busy. */
  static final int MAX_PENDING = 512;

  private static final Logger LOG = LoggerFactory.getLogger(Accounts.class);

  private final ProvisionedAccounts provisioned;
  private final SignupStore signups;
  private final LoginThrottle throttle;
  private final WorkerExecutor pool;
  private final boolean signupEnabled;
  private final int minPasswordLength;
  private final AtomicInteger pending = new AtomicInteger();

  private Accounts(ProvisionedAccounts provisioned, SignupStore signups, LoginThrottle throttle, WorkerExecutor pool,
                   boolean signupEnabled, int minPasswordLength) {
    this.provisioned = provisioned;
    this.signups = signups;
    this.throttle = throttle;
    this.pool = pool;
    this.signupEnabled = signupEnabled;
    this.minPasswordLength = minPasswordLength;
  }

  /**
   * Builds the accounts of a node from the merged config (auth.usersFile, auth.signupEnabled,
   * auth.minPasswordLength, storage.root, storage.fsync). Reads the users file and prepares
   * {@code <storage.root>/accounts} off the event loop. Fails if the users file exists but cannot be read.
   */
  public static Future<AuthService> create(Vertx vertx, JsonObject config) {
    return create(vertx, config, SignupStore.PRODUCTION_ITERATIONS).map(a -> a);
  }

  /** Tests pass a low PBKDF2 iteration count; production always uses {@link SignupStore#PRODUCTION_ITERATIONS}. */
  static Future<Accounts> create(Vertx vertx, JsonObject config, int iterations) {
    Path usersFile = Path.of(Config.string(config, "auth.usersFile"));
    Path dir = Path.of(Config.string(config, "storage.root")).resolve("accounts");
    boolean fsync = Config.bool(config, "storage.fsync");
    boolean signupEnabled = Config.bool(config, "auth.signupEnabled");
    int minPasswordLength = Config.integer(config, "auth.minPasswordLength");
    WorkerExecutor pool = vertx.createSharedWorkerExecutor(POOL_NAME, Math.max(2, Runtime.getRuntime().availableProcessors()));
    SignupStore signups = new SignupStore(dir, iterations, fsync);
    return pool.executeBlocking(() -> {
      ProvisionedAccounts p = ProvisionedAccounts.loadBlocking(vertx, usersFile);
      signups.initBlocking();
      for (String name : p.lowercaseNames()) {
        if (signups.exists(name)) {
          LOG.warn("provisioned account '{}' hides a sign-up of the same name in {}; the provisioned password wins",
              p.canonical(name), dir);
        }
      }
      return new Accounts(p, signups, new LoginThrottle(vertx), pool, signupEnabled, minPasswordLength);
    }, false).onFailure(err -> {
      LOG.error("cannot set up accounts: {}", err.toString());
      pool.close();
    });
  }

  @Override
  public Future<Long> throttleDelayMillis(String username, String clientAddress) {
    return throttle.delayMillis(username, clientAddress).recover(this::internal);
  }

  @Override
  public Future<String> login(String username, String password, String clientAddress) {
    if (!Usernames.isValid(username) || !Passwords.fitsLogin(password)) {
      return failCounted(username, clientAddress, AuthException.Reason.INVALID_CREDENTIALS, INVALID_CREDENTIALS);
    }
    String canonical = provisioned.canonical(username);
    // A provisioned name is answered by the users file alone, so one name never has two passwords.
    Future<String> checked = canonical != null
        ? provisioned.authenticate(canonical, password)
        : blocking(() -> signups.verify(username, password));
    return checked.compose(name -> name != null
        ? clearThrottle(username, clientAddress).map(name)
        : failCounted(username, clientAddress, AuthException.Reason.INVALID_CREDENTIALS, INVALID_CREDENTIALS));
  }

  @Override
  public Future<String> signup(String username, String password, String clientAddress) {
    if (!signupEnabled) return failCounted(username, clientAddress, AuthException.Reason.DISABLED, DISABLED);
    if (!Usernames.isValid(username)) {
      return failCounted(username, clientAddress, AuthException.Reason.INVALID_USERNAME, INVALID_USERNAME);
    }
    String passwordProblem = Passwords.signupProblem(password, minPasswordLength);
    if (passwordProblem != null) {
      return failCounted(username, clientAddress, AuthException.Reason.INVALID_PASSWORD, passwordProblem);
    }
    if (provisioned.canonical(username) != null) {
      return failCounted(username, clientAddress, AuthException.Reason.EXISTS, EXISTS);
    }
    return blocking(() -> {
      try {
        signups.create(username, password);
        return true;
      } catch (SignupStore.ExistsException e) {
        return false;
      }
    }).compose(created -> created
        ? clearThrottle(username, clientAddress).map(username)
        : failCounted(username, clientAddress, AuthException.Reason.EXISTS, EXISTS));
  }

  @Override
  public Future<Void> recordFailure(String username, String clientAddress) {
    return throttle.recordFailure(username, clientAddress).recover(this::internal);
  }

  /** Role names of a provisioned account (empty for sign-ups). Loaded for a later admin API; no effect in v1. */
  public Future<Set<String>> roles(String username) {
    return provisioned.roles(provisioned.canonical(username));
  }

  /** Releases this node's hashing pool (shared by name, so only the last user really closes it). */
  public Future<Void> close() {
    return pool.close();
  }

  /** Where sign-ups live; for tests and the operator's log. */
  Path signupDir() {
    return signups.dir();
  }

  /** A correct password must not fail because the counter could not be reset. */
  private Future<Void> clearThrottle(String username, String clientAddress) {
    return throttle.clear(username, clientAddress).recover(err -> {
      LOG.warn("cannot clear the failure counter: {}", err.toString());
      return Future.succeededFuture();
    });
  }

  private <T> Future<T> failCounted(String username, String clientAddress, AuthException.Reason reason, String msg) {
    return throttle.recordFailure(username, clientAddress)
        .recover(err -> {
          // Losing one count must not turn a plain "wrong password" into a server error.
          LOG.warn("cannot record a failed attempt: {}", err.toString());
          return Future.succeededFuture();
        })
        .compose(v -> Future.failedFuture(new AuthException(reason, msg)));
  }

  private <T> Future<T> blocking(Callable<T> job) {
    if (pending.incrementAndGet() > MAX_PENDING) {
      pending.decrementAndGet();
      return Future.failedFuture(new AuthException(AuthException.Reason.INTERNAL, BUSY));
    }
    return pool.executeBlocking(job, false)
        .andThen(ar -> pending.decrementAndGet())
        .recover(this::internal);
  }

  private <T> Future<T> internal(Throwable err) {
    if (err instanceof AuthException) return Future.failedFuture(err);
    LOG.error("accounts: {}", err.toString(), err);
    return Future.failedFuture(new AuthException(AuthException.Reason.INTERNAL, INTERNAL));
  }
}
