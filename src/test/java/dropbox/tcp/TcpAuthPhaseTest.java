package dropbox.tcp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.auth.Accounts;
import dropbox.auth.AuthException;
import dropbox.auth.AuthService;
import dropbox.auth.Caller;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import dropbox.testing.ClassicClient;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The login throttle over TCP (tcp-protocol.md "Throttling"): an attempt that is not due is held and
 * answered once its wait is over, never refused. Client addresses are played by binding the client's
 * socket to other loopback addresses (127.0.0.x).
 */
class TcpAuthPhaseTest {
  static final String FAILED = "LOGIN_FAILED: Invalid username or password\n" + ClassicClient.AUTH_PROMPT;

  @TempDir Path root;
  private TcpNode node;

  private TcpNode start(JsonObject overrides) throws Exception {
    node = new TcpNode(root, overrides);
    return node;
  }

  @AfterEach
  void stop() throws Exception {
    if (node != null) node.close();
  }

  private long checks() {
    return ((Accounts) node.auth).admittedAttempts();
  }

  /** One connection from {@code from}, at the auth prompt. */
  private ClassicClient from(String from) throws IOException {
    ClassicClient c = ClassicClient.connectFrom(from, node.port);
    c.readUntil(ClassicClient.AUTH_PROMPT);
    return c;
  }

  /** {@code n} wrong passwords for {@code user} from {@code address}, on as many connections as the 5-per-connection rule needs. */
  private void wrong(String user, String address, int n) throws IOException {
    ClassicClient c = null;
    try {
      for (int i = 0; i < n; i++) {
        if (c == null) c = from(address);
        c.sendLine("LOGIN " + user + " wrong");
        String r = c.readLine();
        assertEquals("LOGIN_FAILED: Invalid username or password\n", r);
        if ((i + 1) % TcpAuthPhase.MAX_AUTH_FAILURES == 0) {
          assertEquals("ERROR: Too many failed attempts\n", c.readLine());
          c.close();
          c = null;
        } else {
          c.readUntil(ClassicClient.AUTH_PROMPT);
        }
      }
    } finally {
      if (c != null) c.close();
    }
  }

  /** LOGIN with the right password; returns how long its answer took, in ms. */
  private long timedLogin(ClassicClient c, String user) throws IOException {
    long t0 = System.nanoTime();
    c.sendLine("LOGIN " + user + " pass");
    String reply = c.readUntil("> ");
    assertTrue(reply.startsWith("LOGIN_SUCCESS: Authentication successful\n"), reply);
    return (System.nanoTime() - t0) / 1_000_000;
  }

  @Test
  void theRightPasswordIsHeldUntilTheWaitIsOverNeverRefused() throws Exception {
    start(new JsonObject());
    node.login("tara").close();
    wrong("tara", "127.0.0.1", 5);
    try (ClassicClient c = from("127.0.0.1")) {
      assertTrue(timedLogin(c, "tara") >= 900, "5 failures: held for 1 s");
    }
    // The success reset the pair: failures start over, and waiting out a wait is enough.
    wrong("tara", "127.0.0.1", 5);
    Thread.sleep(1000);
    try (ClassicClient c = from("127.0.0.1")) {
      timedLogin(c, "tara");
      assertTrue(c.command("LIST").startsWith("=== File Listing for tara ==="));
    }
  }

  @Test
  void anotherAddressIsNotHeldByAPairsWait() throws Exception {
    start(new JsonObject());
    node.login("uma").close();
    wrong("uma", "127.0.0.1", 7); // the 6th and 7th waited 1 s and 2 s; the next waits 4 s
    try (ClassicClient held = from("127.0.0.1"); ClassicClient other = from("127.0.0.2")) {
      long t0 = System.nanoTime();
      held.sendLine("LOGIN uma pass");
      long otherMs = timedLogin(other, "uma");
      String reply = held.readUntil("> ");
      long heldMs = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(reply.startsWith("LOGIN_SUCCESS"), reply);
      assertTrue(heldMs >= 3000, "7 failures: the pair waits 4 s, took " + heldMs + " ms");
      assertTrue(otherMs < 3000, "127.0.0.2 has its own pair counter, yet took " + otherMs + " ms");
    }
  }

  @Test
  void sixtyParallelGuessesAreHeldAndDroppedWhenTheirClientsGo() throws Exception {
    start(new JsonObject());
    node.login("vic").close();
    List<ClassicClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 60; i++) clients.add(from("127.0.0.3"));
      long before = checks();
      for (ClassicClient c : clients) c.sendLine("LOGIN vic wrong");
      Thread.sleep(2500);
      // 5 are admitted at once (5 in flight would need a wait if they all failed); the 6th 1 s after
      // those 5 failed; the 7th not before 2 s after the 6th failed.
      long checked = checks() - before;
      assertTrue(checked >= 5 && checked <= 6, checked + " of 60 parallel guesses checked within 2.5 s");
      int answered = 0;
      for (ClassicClient c : clients) {
        c.socket().setSoTimeout(20);
        try {
          assertEquals("LOGIN_FAILED: Invalid username or password\n", c.readLine());
          answered++;
        } catch (SocketTimeoutException e) {
          // held (or its check still running on a busy machine): no answer yet
        }
      }
      assertTrue(answered <= checked, answered + " answers but only " + checked + " checks: the rest must be held");
    } finally {
      for (ClassicClient c : clients) c.close();
    }
    long deadline = System.currentTimeMillis() + 10_000;
    while (node.connections.get() != 0 && System.currentTimeMillis() < deadline) Thread.sleep(20);
    assertEquals(0, node.connections.get(), "the held sessions ended with their clients");
    long after = checks();
    Thread.sleep(2500);
    assertEquals(after, checks(), "a held attempt whose client left is never checked");
  }

  @Test
  void theUserCounterHoldsGuessesSpreadOverManyAddresses() throws Exception {
    start(new JsonObject());
    node.login("wes").close();
    for (int i = 0; i < 20; i++) wrong("wes", "127.0.0." + (10 + i), 1);
    try (ClassicClient c = from("127.0.0.30")) {
      assertTrue(timedLogin(c, "wes") >= 500, "20 failures of the user: 1 s from the last, from any address");
    }
  }

  @Test
  void signupsAreLimitedPerClientAddress() throws Exception {
    start(new JsonObject().put("auth.signupsPerHour", 2));
    for (int i = 0; i < 2; i++) {
      try (ClassicClient c = from("127.0.0.40")) {
        c.sendLine("SIGNUP new" + i + " pass");
        assertEquals("SIGNUP_SUCCESS: Account created and logged in\n", c.readLine());
      }
    }
    try (ClassicClient c = from("127.0.0.40")) {
      c.sendLine("SIGNUP new2 pass");
      assertEquals("SIGNUP_FAILED: Too many sign-ups, try again later\n" + ClassicClient.AUTH_PROMPT,
          c.readUntil(ClassicClient.AUTH_PROMPT));
      c.sendLine("LOGIN new0 pass");
      assertTrue(c.readUntil("> ").startsWith("LOGIN_SUCCESS"), "logging in is not limited");
    }
    try (ClassicClient c = from("127.0.0.41")) {
      c.sendLine("SIGNUP new2 pass");
      assertEquals("SIGNUP_SUCCESS: Account created and logged in\n", c.readLine(), "another address");
    }
  }

  @Test
  void aClientThatHangsUpDuringAWaitIsNotWaitedFor() throws Exception {
    start(new JsonObject());
    node.login("xia").close();
    wrong("xia", "127.0.0.50", 7); // the next attempt waits 4 s
    long before = checks();
    try (ClassicClient c = from("127.0.0.50")) {
      c.send("LOGIN xia pass\n".getBytes(UTF_8));
      Thread.sleep(300);
    }
    long deadline = System.currentTimeMillis() + 3000;
    while (node.connections.get() != 0 && System.currentTimeMillis() < deadline) Thread.sleep(20);
    assertEquals(0, node.connections.get(), "the slot is free before the 4 s wait would end");
    assertEquals(before, checks());
  }

  /**
   * The hashing pool is full (BUSY): the busy reply and the prompt again, not counted as a failure of
   * the client's. Playing BUSY for real takes 513 hashes queued on one node; a front for the real
   * accounts answers the first attempts with it instead, in front of a real TCP verticle.
   */
  @Test
  void aBusyHashingPoolIsTheBusyReplyAndNoFailure() throws Exception {
    start(new JsonObject());
    node.login("yan").close();
    AtomicInteger busyLeft = new AtomicInteger(TcpAuthPhase.MAX_AUTH_FAILURES + 2);
    AuthService busyFirst = new AuthService() {
      @Override
      public Future<String> login(String username, String password, Caller caller) {
        if (busyLeft.getAndDecrement() > 0) {
          return Future.failedFuture(new AuthException(AuthException.Reason.BUSY, "Server busy, try again later"));
        }
        return node.auth.login(username, password, caller);
      }

      @Override
      public Future<String> signup(String username, String password, Caller caller) {
        return node.auth.signup(username, password, caller);
      }

      @Override
      public Future<Void> malformed(String username, Caller caller) {
        return node.auth.malformed(username, caller);
      }
    };
    int port = TcpNode.freePort();
    JsonObject cfg = node.config.copy();
    cfg.getJsonObject("tcp").put("port", port);
    node.vertx.deployVerticle(() -> new TcpVerticle(node.storage, busyFirst, new AtomicInteger(), false),
        new DeploymentOptions().setConfig(cfg)).await(20, TimeUnit.SECONDS);
    try (ClassicClient c = ClassicClient.connect(port)) {
      c.readUntil(ClassicClient.AUTH_PROMPT);
      for (int i = 0; i < TcpAuthPhase.MAX_AUTH_FAILURES + 2; i++) {
        c.sendLine("LOGIN yan pass");
        assertEquals(TcpReplies.BUSY + ClassicClient.AUTH_PROMPT, c.readUntil(ClassicClient.AUTH_PROMPT), "attempt " + i);
      }
      timedLogin(c, "yan"); // more busy replies than the failure limit, and the connection still logs in
    }
  }
}
