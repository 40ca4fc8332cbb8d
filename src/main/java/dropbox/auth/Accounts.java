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
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link AuthService} of a node: provisioned accounts (authoritative for their names) chained
 * with the sign-up store, every attempt passing through the {@link LoginGate} (throttle, check, count)
 * and every sign-up through the per-address {@link SignupLimit}. Slow hashing and file I/O run on a small
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
  /** Jobs (hashes, file reads) admitted at once; beyond this an attempt fails fast as BUSY. */
  static final int MAX_PENDING = 512;

  private static final Logger LOG = LoggerFactory.getLogger(Accounts.class);

  private final ProvisionedAccounts provisioned;
  private final SignupStore signups;
  private final LoginThrottle throttle;
  private final LoginGate gate;
  private final SignupLimit signupLimit;
  private final WorkerExecutor pool;
  private final boolean signupEnabled;
  private final int minPasswordLength;
  private final AtomicInteger pending = new AtomicInteger();

  private Accounts(Vertx vertx, ProvisionedAccounts provisioned, SignupStore signups, LongSupplier clock,
                   int signupsPerHour, WorkerExecutor pool, boolean signupEnabled, int minPasswordLength) {
    this.provisioned = provisioned;
    this.signups = signups;
    this.throttle = new LoginThrottle(vertx, clock);
    this.gate = new LoginGate(vertx, throttle);
    this.signupLimit = new SignupLimit(vertx, signupsPerHour, clock);
    this.pool = pool;
    this.signupEnabled = signupEnabled;
    this.minPasswordLength = minPasswordLength;
  }

  /**
   * Builds the accounts of a node from the merged config (auth.usersFile, auth.signupEnabled,
   * auth.minPasswordLength, auth.signupsPerHour, storage.root, storage.fsync). Reads the users file and prepares
   * {@code <storage.root>/accounts} off the event loop. Fails if the users file exists but cannot be read.
   */
  public static Future<AuthService> create(Vertx vertx, JsonObject config) {
    return create(vertx, config, null);
  }

  /**
   * The same with sign-ups kept in {@code database} (storage.engine=v2; null: the account files). The account
   * files of an earlier v1 start are imported into it first, once (see {@link SignupImport}).
   */
  public static Future<AuthService> create(Vertx vertx, JsonObject config, SignupRepository database) {
    return create(vertx, config, database, SignupStore.PRODUCTION_ITERATIONS, System::currentTimeMillis).map(a -> a);
  }

  /** Tests pass a low PBKDF2 iteration count; production always uses {@link SignupStore#PRODUCTION_ITERATIONS}. */
  static Future<Accounts> create(Vertx vertx, JsonObject config, int iterations) {
    return create(vertx, config, iterations, System::currentTimeMillis);
  }

  /** Tests also set the clock the throttle and the sign-up limit count time by. */
  static Future<Accounts> create(Vertx vertx, JsonObject config, int iterations, LongSupplier clock) {
    return create(vertx, config, null, iterations, clock);
  }

  static Future<Accounts> create(Vertx vertx, JsonObject config, SignupRepository database, int iterations,
                                 LongSupplier clock) {
    Path usersFile = Path.of(Config.string(config, "auth.usersFile"));
    Path dir = Path.of(Config.string(config, "storage.root")).resolve("accounts");
    boolean fsync = Config.bool(config, "storage.fsync");
    boolean signupEnabled = Config.bool(config, "auth.signupEnabled");
    int minPasswordLength = Config.integer(config, "auth.minPasswordLength");
    int signupsPerHour = Config.integer(config, "auth.signupsPerHour");
    WorkerExecutor pool = vertx.createSharedWorkerExecutor(POOL_NAME, Math.max(2, Runtime.getRuntime().availableProcessors()));
    JsonSignupFiles files = new JsonSignupFiles(dir, fsync);
    SignupStore signups = new SignupStore(database != null ? database : files, iterations);
    return pool.executeBlocking(() -> {
      ProvisionedAccounts p = ProvisionedAccounts.loadBlocking(vertx, usersFile);
      signups.initBlocking();
      if (database != null) SignupImport.run(files, database);
      for (String name : p.lowercaseNames()) {
        if (signups.exists(name)) {
          LOG.warn("provisioned account '{}' hides a sign-up of the same name in {}; the provisioned password wins",
              p.canonical(name), signups.repository().describe());
        }
      }
      return new Accounts(vertx, p, signups, clock, signupsPerHour, pool, signupEnabled, minPasswordLength);
    }, false).onFailure(err -> {
      LOG.error("cannot set up accounts: {}", err.toString());
      pool.close();
    });
  }

  @Override
  public Future<String> login(String username, String password, Caller caller) {
    return gate.attempt(caller, username, () -> check(username, password));
  }

  @Override
  public Future<String> signup(String username, String password, Caller caller) {
    return gate.attempt(caller, username, () -> create(username, password, caller.address()));
  }

  @Override
  public Future<Void> malformed(String username, Caller caller) {
    return gate.attempt(caller, username, () -> fail(AuthException.Reason.INVALID_CREDENTIALS, INVALID_CREDENTIALS));
  }

  /**
   * Attempts the throttle has let through to their check (login, sign-up or malformed line), since
   * this node started: what a test or an operator reads to see how many guesses were evaluated.
   */
  public long admittedAttempts() {
    return gate.admitted();
  }

  /** The password check: one PBKDF2 verification whether or not the account exists. */
  private Future<String> check(String username, String password) {
    if (!Usernames.isValid(username) || !Passwords.fitsLogin(password)) {
      return fail(AuthException.Reason.INVALID_CREDENTIALS, INVALID_CREDENTIALS);
    }
    String canonical = provisioned.canonical(username);
    // A provisioned name is answered by the users file alone, so one name never has two passwords;
    // it pays the same hash as a sign-up so timing does not single out the operator's accounts.
    Future<String> checked = canonical != null
        ? blocking(() -> {
            signups.dummyCheck(password);
            return true;
          }).compose(v -> provisioned.authenticate(canonical, password))
        : blocking(() -> signups.verify(username, password));
    return checked.compose(name -> name != null
        ? Future.succeededFuture(name)
        : fail(AuthException.Reason.INVALID_CREDENTIALS, INVALID_CREDENTIALS));
  }

  private Future<String> create(String username, String password, String address) {
    if (!signupEnabled) return fail(AuthException.Reason.DISABLED, DISABLED);
    if (!Usernames.isValid(username)) return fail(AuthException.Reason.INVALID_USERNAME, INVALID_USERNAME);
    String passwordProblem = Passwords.signupProblem(password, minPasswordLength);
    if (passwordProblem != null) return fail(AuthException.Reason.INVALID_PASSWORD, passwordProblem);
    if (provisioned.canonical(username) != null) return fail(AuthException.Reason.EXISTS, EXISTS);
    return signupLimit.reserve(address).recover(this::internal).compose(slot -> blocking(() -> {
      try {
        signups.create(username, password);
        return true;
      } catch (SignupStore.ExistsException e) {
        return false;
      }
    }).transform(ar -> {
      if (ar.succeeded() && ar.result()) return Future.succeededFuture(username);
      // No account was made: the slot goes back to the address.
      Future<String> answer = ar.succeeded() ? fail(AuthException.Reason.EXISTS, EXISTS) : Future.failedFuture(ar.cause());
      return signupLimit.release(address)
          .transform(r -> {
            if (r.failed()) LOG.warn("cannot give a sign-up slot back: {}", r.cause().toString());
            return answer;
          });
    }));
  }

  /** Role names of a provisioned account (empty for sign-ups). Loaded for a later admin API; no effect in v1. */
  public Future<Set<String>> roles(String username) {
    return provisioned.roles(provisioned.canonical(username));
  }

  /** Releases this node's hashing pool (shared by name, so only the last user really closes it). */
  public Future<Void> close() {
    return pool.close();
  }

  /** The counters, for tests. */
  LoginThrottle throttle() {
    return throttle;
  }

  /** Where the account files live when they are the store (v1); null when sign-ups are in the database. */
  Path signupDir() {
    return signups.repository() instanceof JsonSignupFiles f ? f.dir() : null;
  }

  private static <T> Future<T> fail(AuthException.Reason reason, String msg) {
    return Future.failedFuture(new AuthException(reason, msg));
  }

  private <T> Future<T> blocking(Callable<T> job) {
    if (pending.incrementAndGet() > MAX_PENDING) {
      pending.decrementAndGet();
      return Future.failedFuture(new AuthException(AuthException.Reason.BUSY, BUSY));
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
