package dropbox.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.Config;
import dropbox.auth.Accounts;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The login throttle over HTTP (tcp-protocol.md "Throttling", rest-api.md "Accounts and sessions"):
 * POST /api/login and Basic alike get 429 with Retry-After before their wait is over, and the right
 * password after it. The node trusts 127.0.0.1 as a proxy, so X-Forwarded-For plays the client address.
 */
class LoginThrottlingTest {
  @TempDir static Path dir;
  static TestNode node;
  static Http http;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start(dir, cfg -> {
      Config.put(cfg, "http.trustedProxies", "127.0.0.1");
      Config.put(cfg, "auth.signupsPerHour", 3);
    });
    http = node.http;
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) node.close();
  }

  static Http.Resp login(String user, String password, String from) throws Exception {
    return http.send("POST", "/api/login", null, creds(user, password),
        "Content-Type", "application/json", "X-Forwarded-For", from);
  }

  static Http.Resp signup(String user, String password, String from) throws Exception {
    return http.send("POST", "/api/signup", null, creds(user, password),
        "Content-Type", "application/json", "X-Forwarded-For", from);
  }

  static byte[] creds(String u, String p) {
    return new JsonObject().put("username", u).put("password", p).encode().getBytes(StandardCharsets.UTF_8);
  }

  static String basic(String u, String p) {
    return "Basic " + Base64.getEncoder().encodeToString((u + ":" + p).getBytes(StandardCharsets.UTF_8));
  }

  static long retryAfter(Http.Resp r) {
    assertEquals(429, r.status(), r.toString());
    assertEquals("too_many_requests", r.json().getString("error"));
    return Long.parseLong(r.header("retry-after"));
  }

  static long checks() {
    return ((Accounts) node.server.auth()).admittedAttempts();
  }

  /** The lockout of the old throttle: after 5 failures the right password was refused for 15 minutes. */
  @Test
  void afterRetryAfterTheRightPasswordGetsIn() throws Exception {
    assertEquals(201, signup("amy", "secret1", "198.51.100.1").status());
    for (int i = 0; i < 5; i++) assertEquals(401, login("amy", "wrong", "198.51.100.1").status());
    long before = checks();
    long wait = retryAfter(login("amy", "secret1", "198.51.100.1"));
    assertEquals(1, wait, "5 failures: 1 s from the last one");
    assertEquals(before, checks(), "a 429 checks no password");
    assertEquals(200, login("AMY", "secret1", "198.51.100.2").status(), "another address is not slowed");
    Thread.sleep(wait * 1000);
    Http.Resp ok = login("amy", "secret1", "198.51.100.1");
    assertEquals(200, ok.status(), "waiting Retry-After is enough: " + ok);
    assertEquals(401, login("amy", "wrong", "198.51.100.1").status(), "the success reset the pair: the next failure is free");
  }

  @Test
  void theWaitGrowsAndIsCountedFromTheLastFailureNotFromTheRefusals() throws Exception {
    assertEquals(201, signup("bea", "secret1", "198.51.100.3").status());
    for (int i = 0; i < 5; i++) assertEquals(401, login("bea", "wrong", "198.51.100.3").status());
    Thread.sleep(retryAfter(login("bea", "wrong", "198.51.100.3")) * 1000);
    assertEquals(401, login("bea", "wrong", "198.51.100.3").status(), "the 6th failure, after its wait");
    long wait = retryAfter(login("bea", "secret1", "198.51.100.3"));
    assertEquals(2, wait, "6 failures: 2 s");
    // Refusals while waiting are not failures and do not move the end of the wait.
    for (int i = 0; i < 5; i++) retryAfter(login("bea", "wrong", "198.51.100.3"));
    Thread.sleep(wait * 1000);
    assertEquals(200, login("bea", "secret1", "198.51.100.3").status());
  }

  @Test
  void basicCredentialsAreThrottledTheSameWay() throws Exception {
    assertEquals(201, signup("cat", "secret1", "198.51.100.4").status());
    for (int i = 0; i < 5; i++) {
      Http.Resp r = http.get("/api/me", null, "Authorization", basic("cat", "nope"), "X-Forwarded-For", "198.51.100.4");
      assertEquals(401, r.status());
    }
    Http.Resp early = http.get("/api/me", null, "Authorization", basic("cat", "secret1"), "X-Forwarded-For", "198.51.100.4");
    long wait = retryAfter(early);
    assertNull(early.header("www-authenticate"), "a 429 is no invitation to type another password");
    assertEquals(429, login("cat", "secret1", "198.51.100.4").status(), "the same counter as POST /api/login");
    Thread.sleep(wait * 1000);
    Http.Resp ok = http.get("/api/me", null, "Authorization", basic("Cat", "secret1"), "X-Forwarded-For", "198.51.100.4");
    assertEquals(200, ok.status(), ok.toString());
    assertEquals("cat", ok.json().getString("username"));
  }

  @Test
  void sixtyParallelGuessesAreNotAllChecked() throws Exception {
    assertEquals(201, signup("dee", "secret1", "198.51.100.5").status());
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    long before = checks();
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      HttpRequest req = HttpRequest.newBuilder(http.uri("/api/login")).timeout(Duration.ofSeconds(60))
          .header("Content-Type", "application/json").header("X-Forwarded-For", "198.51.100.5")
          .POST(HttpRequest.BodyPublishers.ofByteArray(creds("dee", "wrong"))).build();
      all.add(client.sendAsync(req, HttpResponse.BodyHandlers.ofString()));
    }
    int unauthorized = 0;
    int throttled = 0;
    for (CompletableFuture<HttpResponse<String>> f : all) {
      HttpResponse<String> r = f.get();
      if (r.statusCode() == 401) unauthorized++;
      if (r.statusCode() == 429) {
        throttled++;
        assertTrue(r.headers().firstValue("Retry-After").isPresent(), "429 without Retry-After");
      }
    }
    assertEquals(60, unauthorized + throttled);
    // 5 in flight at once would need a wait if they all failed: everything after them waits (429).
    // Only a request arriving after the first wait was over (more than a second late) could add one.
    assertTrue(unauthorized >= 5 && unauthorized <= 7, unauthorized + " of 60 parallel guesses were checked");
    assertEquals(unauthorized, checks() - before, "every 401 was one password check, no 429 was");
  }

  /**
   * A sync client's first burst: one request per parallel connection, all with the same right Basic header.
   * Each used to be its own attempt in flight, and since those count as failures until they end, all but
   * the first few got 429. Identical credentials in flight now share one check (per HTTP instance).
   */
  @Test
  void aBurstOfParallelBasicRequestsWithTheRightPasswordAllGetIn() throws Exception {
    assertEquals(201, signup("fay", "secret1", "198.51.100.7").status());
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    long before = checks();
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      HttpRequest req = HttpRequest.newBuilder(http.uri("/api/me")).timeout(Duration.ofSeconds(60))
          .header("Authorization", basic("fay", "secret1")).header("X-Forwarded-For", "198.51.100.7").GET().build();
      all.add(client.sendAsync(req, HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> f : all) {
      HttpResponse<String> r = f.get();
      assertEquals(200, r.statusCode(), r.body());
      assertEquals("fay", new JsonObject(r.body()).getString("username"));
    }
    long checked = checks() - before;
    int instances = Config.integer(node.server.config(), "http.instances");
    assertTrue(checked >= 1 && checked <= instances, checked + " password checks for 40 identical requests");
    long beforeWrong = checks();
    assertEquals(401, http.get("/api/me", null, "Authorization", basic("fay", "nope"), "X-Forwarded-For", "198.51.100.7").status());
    Http.Resp again = http.get("/api/me", null, "Authorization", basic("fay", "nope"), "X-Forwarded-For", "198.51.100.7");
    assertEquals(401, again.status(), "a wrong password is never cached: checked again");
    assertEquals(2, checks() - beforeWrong, "each wrong attempt was a check of its own");
  }

  @Test
  void theUserCounterSlowsGuessesSpreadOverManyAddresses() throws Exception {
    assertEquals(201, signup("eve", "secret1", "198.51.100.6").status());
    for (int i = 0; i < 20; i++) assertEquals(401, login("eve", "wrong", "203.0.113." + i).status(), "address " + i);
    long wait = retryAfter(login("eve", "secret1", "203.0.113.200"));
    assertEquals(1, wait, "20 failures of the user: 1 s, from any address");
    Thread.sleep(wait * 1000);
    assertEquals(200, login("eve", "secret1", "203.0.113.200").status());
    // A success resets only its own pair: the user's failures still count, the 21st waits 2 s.
    assertEquals(401, login("eve", "wrong", "203.0.113.201").status());
    assertEquals(2, retryAfter(login("eve", "secret1", "203.0.113.202")));
  }

  @Test
  void signupsAreLimitedPerClientAddress() throws Exception {
    for (int i = 0; i < 3; i++) assertEquals(201, signup("new" + i, "secret1", "192.0.2.77").status(), "sign-up " + i);
    Http.Resp limited = signup("new3", "secret1", "192.0.2.77");
    long wait = retryAfter(limited);
    assertTrue(wait > 3500 && wait <= 3600, "until the address's hour is over: " + wait);
    assertEquals("Too many sign-ups, try again later", limited.json().getString("message"));
    assertEquals(201, signup("new3", "secret1", "192.0.2.78").status(), "another address");
    assertEquals(200, login("new0", "secret1", "192.0.2.77").status(), "logging in is not limited");
  }
}
