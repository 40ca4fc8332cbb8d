package dropbox.auth;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.Config;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class AccountsTest {
  /** Fast hashes for tests; production's 100 000 is checked separately. */
  static final int TEST_ITERATIONS = 1000;
  static final Caller ADDR = Caller.refused("127.0.0.1");

  @TempDir Path tmp;

  JsonObject config() {
    JsonObject c = new JsonObject();
    Config.put(c, "storage.root", tmp.resolve("data").toString());
    Config.put(c, "auth.usersFile", tmp.resolve("users.properties").toString());
    return c;
  }

  Accounts accounts(Vertx vertx, JsonObject config) throws Exception {
    return Accounts.create(vertx, config, TEST_ITERATIONS).await(30, SECONDS);
  }

  Accounts accounts(Vertx vertx, JsonObject config, LongSupplier clock) throws Exception {
    return Accounts.create(vertx, config, TEST_ITERATIONS, clock).await(30, SECONDS);
  }

  /** 0 if the attempt was let through to its check, else the THROTTLED wait it was refused with. */
  static long retryAfter(Future<?> f) throws Exception {
    Throwable t = f.map(v -> (Throwable) null).otherwise(e -> e).await(30, SECONDS);
    if (t instanceof AuthException ae && ae.reason() == AuthException.Reason.THROTTLED) return ae.retryAfterMillis();
    return 0;
  }

  static AuthException failure(Future<?> f) throws Exception {
    Throwable t = f.map(v -> (Throwable) null).otherwise(e -> e).await(30, SECONDS);
    assertInstanceOf(AuthException.class, t, "expected an AuthException, got " + t);
    return (AuthException) t;
  }

  @Test
  void signupThenLoginIgnoringCaseReturnsTheCanonicalName(Vertx vertx) throws Exception {
    Accounts a = accounts(vertx, config());
    assertEquals("Alice", a.signup("Alice", "pass", ADDR).await(30, SECONDS));
    assertEquals("Alice", a.login("alice", "pass", ADDR).await(30, SECONDS));
    assertEquals("Alice", a.login("ALICE", "pass", ADDR).await(30, SECONDS));

    AuthException wrong = failure(a.login("alice", "Pass", ADDR));
    assertEquals(AuthException.Reason.INVALID_CREDENTIALS, wrong.reason());
    assertEquals("Invalid username or password", wrong.getMessage());
    AuthException unknown = failure(a.login("nobody", "pass", ADDR));
    assertEquals(AuthException.Reason.INVALID_CREDENTIALS, unknown.reason());
    assertEquals("Invalid username or password", unknown.getMessage());
    assertEquals(AuthException.Reason.INVALID_CREDENTIALS, failure(a.login("bad name", "pass", ADDR)).reason());
    assertEquals(AuthException.Reason.INVALID_CREDENTIALS, failure(a.login("alice", "", ADDR)).reason());
    assertEquals(AuthException.Reason.INVALID_CREDENTIALS, failure(a.login(null, null, ADDR)).reason());
    // HMAC pads its key with zeros, so PBKDF2 alone would take "pass\0" (and "pass\0\0") for "pass".
    assertEquals(AuthException.Reason.INVALID_CREDENTIALS, failure(a.login("alice", "pass\0", ADDR)).reason());
    assertEquals(AuthException.Reason.INVALID_CREDENTIALS, failure(a.login("alice", "pass\0\0", ADDR)).reason());
  }

  @Test
  void duplicateSignupsAreRefusedIgnoringCase(Vertx vertx) throws Exception {
    Accounts a = accounts(vertx, config());
    a.signup("bob", "pass", ADDR).await(30, SECONDS);
    for (String again : new String[] {"bob", "Bob", "BOB"}) {
      AuthException e = failure(a.signup(again, "other", ADDR));
      assertEquals(AuthException.Reason.EXISTS, e.reason());
      assertTrue(e.getMessage().contains("already exists"), e.getMessage());
    }
    assertEquals("bob", a.login("BOB", "pass", ADDR).await(30, SECONDS), "the first password still holds");
    assertEquals(AuthException.Reason.INVALID_CREDENTIALS, failure(a.login("bob", "other", ADDR)).reason());
  }

  @Test
  void invalidSignupsSayWhy(Vertx vertx) throws Exception {
    Accounts a = accounts(vertx, config());
    assertEquals(AuthException.Reason.INVALID_USERNAME, failure(a.signup("_x", "pass", ADDR)).reason());
    assertEquals(AuthException.Reason.INVALID_USERNAME, failure(a.signup("x".repeat(65), "pass", ADDR)).reason());
    assertEquals(AuthException.Reason.INVALID_PASSWORD, failure(a.signup("carl", "abc", ADDR)).reason());
    assertEquals(AuthException.Reason.INVALID_PASSWORD, failure(a.signup("carl", "a b c d", ADDR)).reason());
    assertEquals(AuthException.Reason.INVALID_PASSWORD, failure(a.signup("carl", "x".repeat(129), ADDR)).reason());
    assertEquals(AuthException.Reason.INVALID_CREDENTIALS, failure(a.login("carl", "abcd", ADDR)).reason(),
        "refused sign-ups create nothing");
  }

  @Test
  void minimumPasswordLengthIsConfigurable(Vertx vertx) throws Exception {
    JsonObject c = config();
    Config.put(c, "auth.minPasswordLength", 8);
    Accounts a = accounts(vertx, c);
    AuthException e = failure(a.signup("dana", "short", ADDR));
    assertEquals(AuthException.Reason.INVALID_PASSWORD, e.reason());
    assertTrue(e.getMessage().contains("at least 8 characters"), e.getMessage());
    assertEquals("dana", a.signup("dana", "longenough", ADDR).await(30, SECONDS));
  }

  @Test
  void signupCanBeDisabled(Vertx vertx) throws Exception {
    JsonObject c = config();
    Config.put(c, "auth.signupEnabled", false);
    Accounts a = accounts(vertx, c);
    AuthException e = failure(a.signup("erin", "pass", ADDR));
    assertEquals(AuthException.Reason.DISABLED, e.reason());
    assertFalse(Files.exists(a.signupDir().resolve("erin.json")));
  }

  @Test
  void noPlaintextPasswordOnDisk(Vertx vertx) throws Exception {
    Accounts a = accounts(vertx, config());
    String pw = "Sup3rSecretPassw0rd";
    a.signup("Frank", pw, ADDR).await(30, SECONDS);
    List<Path> files;
    try (Stream<Path> s = Files.list(a.signupDir())) {
      files = s.toList();
    }
    assertEquals(List.of(a.signupDir().resolve("frank.json")), files, "one file per account, no temp files left");
    String content = Files.readString(files.get(0), StandardCharsets.UTF_8);
    assertFalse(content.contains(pw), content);
    JsonObject json = new JsonObject(content);
    assertEquals("Frank", json.getString("username"));
    assertTrue(json.getString("hash").startsWith("$pbkdf2$it=" + TEST_ITERATIONS + "$"), json.getString("hash"));
    assertTrue(json.getString("created").matches("\\d{4}-\\d\\d-\\d\\dT.*Z"), json.getString("created"));
  }

  @Test
  void productionHashesUseOneHundredThousandIterations(Vertx vertx) throws Exception {
    AuthService a = Accounts.create(vertx, config()).await(30, SECONDS);
    a.signup("Gina", "pass", ADDR).await(30, SECONDS);
    String content = Files.readString(tmp.resolve("data/accounts/gina.json"));
    assertTrue(new JsonObject(content).getString("hash").startsWith("$pbkdf2$it=100000$"), content);
    assertEquals("Gina", a.login("gina", "pass", ADDR).await(30, SECONDS));
  }

  @Test
  void concurrentSignupsOfOneNameLetExactlyOneThrough(Vertx vertx) throws Exception {
    Accounts a = accounts(vertx, config());
    String[] spellings = {"hank", "Hank", "HANK", "hAnk", "haNk", "hanK", "HAnk", "hANK"};
    List<Future<String>> all = new ArrayList<>();
    // One address each, so the throttle's in-flight rule lets all eight race in the store at once.
    for (int i = 0; i < spellings.length; i++) {
      all.add(a.signup(spellings[i], "pw-" + spellings[i], Caller.refused("203.0.113." + i)));
    }
    Future.join(all).otherwise(v -> null).await(30, SECONDS);
    int ok = 0;
    String winner = null;
    for (int i = 0; i < all.size(); i++) {
      Future<String> f = all.get(i);
      if (f.succeeded()) {
        ok++;
        winner = spellings[i];
      } else {
        assertEquals(AuthException.Reason.EXISTS, ((AuthException) f.cause()).reason());
      }
    }
    assertEquals(1, ok);
    assertEquals(winner, a.login("HANK", "pw-" + winner, ADDR).await(30, SECONDS));
  }

  @Test
  void aFreshInstanceOnTheSameRootStillLogsTheUserIn(Vertx vertx) throws Exception {
    Accounts first = accounts(vertx, config());
    first.signup("Ivy", "pass", ADDR).await(30, SECONDS);
    first.close().await(30, SECONDS);

    Vertx other = Vertx.vertx();
    try {
      Accounts second = Accounts.create(other, config(), TEST_ITERATIONS).await(30, SECONDS);
      assertEquals("Ivy", second.login("ivy", "pass", ADDR).await(30, SECONDS));
      assertEquals(AuthException.Reason.EXISTS, failure(second.signup("IVY", "pass", ADDR)).reason());
    } finally {
      other.close().await(30, SECONDS);
    }
  }

  @Test
  void throttleCountsFailedLoginsSignupsAndMalformedLinesAndASuccessClearsIt(Vertx vertx) throws Exception {
    AtomicLong now = new AtomicLong(1_000_000_000L);
    Accounts a = accounts(vertx, config(), now::get);
    a.signup("Jo", "pass", ADDR).await(30, SECONDS);
    long[] expected = {0, 0, 0, 0, 0, 1000, 2000, 4000, 8000, 16000, 30000, 30000};
    for (int k = 1; k < expected.length; k++) {
      // A mix of every kind of counted failure, all on one (name, address), each after its wait.
      Future<?> f = switch (k % 3) {
        case 0 -> a.login("jo", "wrong", ADDR);
        case 1 -> a.signup("JO", "pass", ADDR);
        default -> a.malformed("jO", ADDR);
      };
      assertTrue(failure(f).reason() != AuthException.Reason.THROTTLED, "attempt " + k + " was due");
      assertEquals(expected[k], a.throttle().waitMillis("Jo", ADDR.address()).await(30, SECONDS), "after " + k + " failures");
      if (expected[k] > 0) {
        assertEquals(expected[k], retryAfter(a.login("Jo", "pass", ADDR)), "refused with the time left");
      }
      now.addAndGet(expected[k]);
    }
    assertEquals("Jo", a.login("jo", "pass", Caller.refused("127.0.0.2")).await(30, SECONDS),
        "other addresses are not slowed");
    // The wait is counted from the last failure and always ends: then the right password gets in
    // and resets the pair, so the next failure is free again.
    assertEquals("Jo", a.login("jo", "pass", ADDR).await(30, SECONDS));
    assertEquals(AuthException.Reason.INVALID_CREDENTIALS, failure(a.login("jo", "wrong", ADDR)).reason());
    assertEquals(0L, a.throttle().waitMillis("jo", ADDR.address()).await(30, SECONDS));
  }

  @Test
  void theThrottleSaysHowLongIsLeftAndDoesNotCountARefusal(Vertx vertx) throws Exception {
    AtomicLong now = new AtomicLong(5_000_000_000L);
    Accounts a = accounts(vertx, config(), now::get);
    a.signup("Kit", "pass", ADDR).await(30, SECONDS);
    for (int i = 0; i < 5; i++) failure(a.login("kit", "wrong", ADDR));
    now.addAndGet(1000);
    failure(a.login("kit", "wrong", ADDR));
    // 6 failures: 2 s from the last one. 1.5 s later half a second is left, rounded up to 1 s.
    now.addAndGet(1500);
    AuthException early = failure(a.login("kit", "pass", ADDR));
    assertEquals(AuthException.Reason.THROTTLED, early.reason());
    assertEquals(500L, early.retryAfterMillis());
    assertEquals(1L, early.retryAfterSeconds());
    long before = a.admittedAttempts();
    for (int i = 0; i < 10; i++) failure(a.login("kit", "wrong", ADDR));
    assertEquals(before, a.admittedAttempts(), "refused attempts are not checked");
    now.addAndGet(500);
    assertEquals("Kit", a.login("kit", "pass", ADDR).await(30, SECONDS), "refusals did not extend the wait");
  }

  @Test
  void signupsAreLimitedPerAddressPerHour(Vertx vertx) throws Exception {
    AtomicLong now = new AtomicLong(9_000_000_000L);
    JsonObject c = config();
    Config.put(c, "auth.signupsPerHour", 3);
    Accounts a = accounts(vertx, c, now::get);
    Caller one = Caller.refused("192.0.2.1");
    for (int i = 0; i < 3; i++) a.signup("s" + i, "pass", one).await(30, SECONDS);
    // A refused sign-up takes no slot: the name is taken, the third slot was already used.
    AuthException limited = failure(a.signup("s3", "pass", one));
    assertEquals(AuthException.Reason.TOO_MANY_SIGNUPS, limited.reason());
    assertEquals("Too many sign-ups, try again later", limited.getMessage());
    assertEquals(3600L, limited.retryAfterSeconds());
    assertEquals("s3", a.signup("s3", "pass", Caller.refused("192.0.2.2")).await(30, SECONDS), "another address");
    now.addAndGet(60 * 60 * 1000L);
    assertEquals("s4", a.signup("s4", "pass", one).await(30, SECONDS), "the next hour");
  }

  @Test
  void aFailedSignupGivesItsSlotBack(Vertx vertx) throws Exception {
    JsonObject c = config();
    Config.put(c, "auth.signupsPerHour", 1);
    Accounts a = accounts(vertx, c);
    a.signup("taken", "pass", Caller.refused("192.0.2.9")).await(30, SECONDS);
    Caller me = Caller.refused("192.0.2.10");
    assertEquals(AuthException.Reason.EXISTS, failure(a.signup("TAKEN", "pass", me)).reason());
    assertEquals(AuthException.Reason.INVALID_PASSWORD, failure(a.signup("fresh", "x", me)).reason());
    assertEquals("fresh", a.signup("fresh", "pass", me).await(30, SECONDS));
    assertEquals(AuthException.Reason.TOO_MANY_SIGNUPS, failure(a.signup("fresher", "pass", me)).reason());
  }

  @Test
  void unknownNamesCostAHashCheckLikeWrongPasswords(Vertx vertx) throws Exception {
    // Production iterations: the difference to measure is the hash, about 50-100 ms here.
    Accounts a = Accounts.create(vertx, config(), SignupStore.PRODUCTION_ITERATIONS).await(30, SECONDS);
    a.signup("known", "pass", ADDR).await(30, SECONDS);
    long known = 0;
    long unknown = 0;
    for (int i = 0; i < 4; i++) {
      Caller from = Caller.refused("198.51.100." + i); // fresh pairs: never throttled
      long t0 = System.nanoTime();
      failure(a.login("known", "wrong", from));
      long t1 = System.nanoTime();
      failure(a.login("unknown" + i, "wrong", from));
      long t2 = System.nanoTime();
      known += t1 - t0;
      unknown += t2 - t1;
    }
    // Not a speed test: an unknown name must not be answered without the hash (that would be ~0.1 ms).
    assertTrue(unknown * 3 > known, "unknown " + unknown / 4_000_000 + " ms vs wrong password " + known / 4_000_000 + " ms");
  }

  @Test
  void provisionedAccountsLogInIgnoringCaseAndBlockThoseNames(Vertx vertx) throws Exception {
    Files.writeString(tmp.resolve("users.properties"), String.join("\n",
        "# operator accounts",
        "user.Admin = s3cret,admin,ops",
        "user.carol=pw,user\r",
        "user.bad name=x,user",
        "role.admin=*",
        ""));
    Accounts a = accounts(vertx, config());
    assertEquals("Admin", a.login("admin", "s3cret", ADDR).await(30, SECONDS));
    assertEquals("Admin", a.login("ADMIN", "s3cret", ADDR).await(30, SECONDS));
    assertEquals("carol", a.login("Carol", "pw", ADDR).await(30, SECONDS), "shorter than the sign-up minimum is fine");
    AuthException wrong = failure(a.login("admin", "S3cret", ADDR));
    assertEquals(AuthException.Reason.INVALID_CREDENTIALS, wrong.reason());
    assertEquals("Invalid username or password", wrong.getMessage());

    for (String name : new String[] {"admin", "aDmIn", "CAROL"}) {
      AuthException e = failure(a.signup(name, "newpass", ADDR));
      assertEquals(AuthException.Reason.EXISTS, e.reason(), name);
      assertTrue(e.getMessage().contains("already exists"));
    }
    assertFalse(Files.exists(a.signupDir().resolve("admin.json")));
    assertEquals(Set.of("admin", "ops"), a.roles("admin").await(30, SECONDS));
    assertEquals(Set.of(), a.roles("nobody").await(30, SECONDS));
  }

  @Test
  void aProvisionedNameWinsOverAnOlderSignupOfTheSameName(Vertx vertx) throws Exception {
    Accounts before = accounts(vertx, config());
    before.signup("kim", "signup-pw", ADDR).await(30, SECONDS);
    // Later the operator provisions the same name: one name must never have two passwords.
    Files.writeString(tmp.resolve("users.properties"), "user.Kim=file-pw\n");
    Accounts after = accounts(vertx, config());
    assertEquals("Kim", after.login("kim", "file-pw", ADDR).await(30, SECONDS));
    assertEquals(AuthException.Reason.INVALID_CREDENTIALS, failure(after.login("kim", "signup-pw", ADDR)).reason());
  }

  @Test
  void missingUsersFileMeansNoProvisionedAccounts(Vertx vertx) throws Exception {
    Accounts a = accounts(vertx, config());
    assertEquals("admin", a.signup("admin", "pass", ADDR).await(30, SECONDS));
    assertEquals(Set.of(), a.roles("admin").await(30, SECONDS));
  }

  @Test
  void aDamagedAccountFileIsAServerErrorNotAWrongPassword(Vertx vertx) throws Exception {
    Accounts a = accounts(vertx, config());
    Files.createDirectories(a.signupDir());
    Files.writeString(a.signupDir().resolve("lee.json"), "{not json");
    AuthException e = failure(a.login("lee", "pass", ADDR));
    assertEquals(AuthException.Reason.INTERNAL, e.reason());
    assertFalse(e.getMessage().contains("lee.json"), "no file paths to clients");
    assertEquals(AuthException.Reason.EXISTS, failure(a.signup("Lee", "pass", ADDR)).reason());
  }

  @Test
  void slowHashingLeavesTheEventLoopFree(Vertx vertx) throws Exception {
    Accounts a = Accounts.create(vertx, config(), 200_000).await(30, SECONDS);
    Context ctx = vertx.getOrCreateContext();
    AtomicInteger ticks = new AtomicInteger();
    Promise<String> done = Promise.promise();
    ctx.runOnContext(v -> {
      // Ticks on the caller's event loop can only happen while the hashes run elsewhere.
      long timer = vertx.setPeriodic(5, t -> ticks.incrementAndGet());
      a.signup("Quinn", "pass", ADDR)
          .compose(n -> a.login("quinn", "pass", ADDR))
          .onComplete(ar -> {
            vertx.cancelTimer(timer);
            done.handle(ar);
          });
    });
    assertEquals("Quinn", done.future().await(60, SECONDS));
    assertTrue(ticks.get() >= 5, "event loop ticked only " + ticks.get() + " times");
  }
}
