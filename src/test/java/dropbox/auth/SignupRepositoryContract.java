package dropbox.auth;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dropbox.Config;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link SignupRepository} must do for {@link Accounts}, run against each implementation
 * (account files here in auth/, the database adapter in storage/): sign-up, login, wrong password,
 * uniqueness ignoring case, and of 20 concurrent sign-ups of one name from several stores exactly one wins.
 */
@ExtendWith(VertxExtension.class)
public abstract class SignupRepositoryContract {
  static final int TEST_ITERATIONS = 1000;
  static final Caller ADDR = Caller.refused("127.0.0.1");

  @TempDir protected Path tmp;
  /** Closed after each test: what the implementation opened (database pools). */
  protected final List<AutoCloseable> opened = new ArrayList<>();

  /** The storage root of the node under test. */
  protected Path root() {
    return tmp.resolve("data");
  }

  /** A fresh repository on the storage under test; each call is like another node (its own pool). */
  protected abstract SignupRepository openRepository() throws Exception;

  /** What Server passes to Accounts: the database repository, or null for the account files. */
  protected abstract SignupRepository forAccounts() throws Exception;

  @AfterEach
  void closeOpened() throws Exception {
    for (AutoCloseable c : opened) c.close();
  }

  protected JsonObject config() {
    JsonObject c = new JsonObject();
    Config.put(c, "storage.root", root().toString());
    Config.put(c, "auth.usersFile", tmp.resolve("users.properties").toString());
    return c;
  }

  @Test
  public void signupThenLoginIgnoringCaseWrongPasswordAndDuplicates(Vertx vertx) throws Exception {
    Accounts a = Accounts.create(vertx, config(), forAccounts(), TEST_ITERATIONS, System::currentTimeMillis)
        .await(30, SECONDS);
    try {
      assertEquals("Alice", a.signup("Alice", "pass", ADDR).await(30, SECONDS));
      assertEquals("Alice", a.login("alice", "pass", ADDR).await(30, SECONDS));
      assertEquals("Alice", a.login("ALICE", "pass", ADDR).await(30, SECONDS));
      assertEquals(AuthException.Reason.INVALID_CREDENTIALS, failure(a.login("alice", "Pass", ADDR)).reason());
      assertEquals(AuthException.Reason.INVALID_CREDENTIALS, failure(a.login("nobody", "pass", ADDR)).reason());
      for (String again : new String[] {"Alice", "alice", "ALICE"}) {
        assertEquals(AuthException.Reason.EXISTS, failure(a.signup(again, "other", Caller.refused("10.0.0.9"))).reason());
      }
      assertEquals("Alice", a.login("alice", "pass", Caller.refused("10.0.0.8")).await(30, SECONDS),
          "the first password still holds");
    } finally {
      a.close().await(30, SECONDS);
    }
  }

  @Test
  public void aStoredAccountKeepsItsCanonicalNameAndHash() throws Exception {
    SignupRepository r = openRepository();
    r.init();
    SignupRepository.Signup s = new SignupRepository.Signup("MixedCase", "$pbkdf2$x", 1_700_000_000_123L);
    assertEquals(true, r.insert(s));
    assertEquals(s, r.find("mixedcase"));
    assertEquals(false, r.insert(new SignupRepository.Signup("MIXEDCASE", "$pbkdf2$y", 1L)));
    assertEquals(s, r.find("MIXEDCASE"), "a refused insert changes nothing");
    assertNull(r.find("other"));
  }

  @Test
  public void twentyConcurrentSignupsOfOneNameLetExactlyOneWin() throws Exception {
    int stores = 4;
    int n = 20;
    List<SignupStore> nodes = new ArrayList<>();
    for (int i = 0; i < stores; i++) {
      SignupStore s = new SignupStore(openRepository(), TEST_ITERATIONS);
      s.initBlocking();
      nodes.add(s);
    }
    ExecutorService threads = Executors.newFixedThreadPool(n);
    CountDownLatch go = new CountDownLatch(1);
    List<java.util.concurrent.Future<Boolean>> results = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        SignupStore s = nodes.get(i % stores);
        String spelling = i % 2 == 0 ? "Racer" : "rACER";
        String pw = "pw" + i;
        results.add(threads.submit(() -> {
          go.await();
          try {
            s.create(spelling, pw);
            return true;
          } catch (SignupStore.ExistsException e) {
            return false;
          }
        }));
      }
      go.countDown();
      int winners = 0;
      int winner = -1;
      for (int i = 0; i < n; i++) {
        if (results.get(i).get(60, SECONDS)) {
          winners++;
          winner = i;
        }
      }
      assertEquals(1, winners);
      String canonical = winner % 2 == 0 ? "Racer" : "rACER";
      for (SignupStore s : nodes) assertEquals(canonical, s.verify("racer", "pw" + winner), "every node sees the winner");
      for (int i = 0; i < n; i++) {
        if (i != winner) assertNull(nodes.get(0).verify("RACER", "pw" + i), "loser " + i + " must not own the name");
      }
    } finally {
      threads.shutdownNow();
    }
    SignupStore s = nodes.get(1);
    assertThrows(SignupStore.ExistsException.class, () -> s.create("racer", "again"));
    afterRace();
  }

  /** What else an implementation must have left after the race (the account files: no temp files). */
  protected void afterRace() throws Exception {
  }

  static AuthException failure(Future<?> f) throws Exception {
    Throwable t = f.map(v -> (Throwable) null).otherwise(e -> e).await(30, SECONDS);
    assertInstanceOf(AuthException.class, t, "expected an AuthException, got " + t);
    return (AuthException) t;
  }
}
