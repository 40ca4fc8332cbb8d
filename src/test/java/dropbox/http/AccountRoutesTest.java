package dropbox.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.Config;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every row of the spec's "Accounts and sessions" table, plus the 401 challenge rules and Basic. */
class AccountRoutesTest {
  @TempDir static Path dir;
  static TestNode node;
  static Http http;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start(dir, cfg -> Config.put(cfg, "auth.tokenIdleSeconds", 2));
    http = node.http;
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) node.close();
  }

  static Http.Resp post(String path, String token, JsonObject body, String... headers) throws Exception {
    return http.send("POST", path, token, body == null ? new byte[0] : body.encode().getBytes(StandardCharsets.UTF_8),
        headers.length == 0 ? new String[] {"Content-Type", "application/json"} : headers);
  }

  static JsonObject creds(String u, String p) { return new JsonObject().put("username", u).put("password", p); }

  static String basic(String u, String p) {
    return "Basic " + Base64.getEncoder().encodeToString((u + ":" + p).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void signupRows() throws Exception {
    Http.Resp ok = post("/api/signup", null, creds("Alice", "wonderland"));
    assertEquals(201, ok.status(), ok.toString());
    assertEquals(new JsonObject().put("username", "Alice"), ok.json());
    Http.Resp taken = post("/api/signup", null, creds("alice", "other-pass"));
    assertEquals(409, taken.status());
    assertEquals("conflict", taken.json().getString("error"));
    assertEquals(400, post("/api/signup", null, creds("bad name!", "wonderland")).status());
    assertEquals(400, post("/api/signup", null, creds("bob", "x")).status());
    Http.Resp notJson = http.send("POST", "/api/signup", null, "{nope".getBytes(), "Content-Type", "application/json");
    assertEquals(400, notJson.status());
    assertEquals("bad_request", notJson.json().getString("error"));
    assertEquals(400, post("/api/signup", null, new JsonObject().put("username", 5).put("password", "abcd")).status());
  }

  @Test
  void signupDisabledIs403() throws Exception {
    try (TestNode closed = TestNode.start(dir.resolve("closed"), cfg -> Config.put(cfg, "auth.signupEnabled", false))) {
      Http.Resp r = closed.http.json("POST", "/api/signup", null, creds("carol", "secret1"));
      assertEquals(403, r.status());
      assertEquals("forbidden", r.json().getString("error"));
    }
  }

  @Test
  void loginMeLogout() throws Exception {
    assertEquals(201, post("/api/signup", null, creds("dave", "secret1")).status());
    Http.Resp login = post("/api/login", null, creds("DAVE", "secret1"));
    assertEquals(200, login.status());
    JsonObject j = login.json();
    assertEquals("dave", j.getString("username"), "the canonical spelling");
    String token = j.getString("token");
    assertTrue(token.length() >= 22, "at least 128 bits");
    Duration ahead = Duration.between(Instant.now(), Instant.parse(j.getString("expiresAt")));
    assertTrue(ahead.toMillis() > 1000 && ahead.toMillis() <= 2500, ahead.toString());
    assertNotEquals(token, post("/api/login", null, creds("dave", "secret1")).json().getString("token"));

    Http.Resp me = http.get("/api/me", token);
    assertEquals(200, me.status());
    assertEquals("dave", me.json().getString("username"));
    JsonObject usage = me.json().getJsonObject("usage");
    assertEquals(0L, usage.getLong("usedBytes"));
    assertEquals(1_000_000L, usage.getLong("quotaBytes"));
    assertEquals(0, usage.getInteger("fileCount"));

    assertEquals(204, post("/api/logout", token, null).status());
    Http.Resp after = http.get("/api/me", token);
    assertEquals(401, after.status());
    assertEquals("unauthorized", after.json().getString("error"));
    assertNull(after.header("www-authenticate"), "a failed Bearer is not a Basic challenge");
    assertEquals(401, post("/api/logout", token, null).status());
    assertEquals(401, post("/api/logout", null, null).status());
  }

  @Test
  void wrongPasswordIs401WithoutChallengeAndThrottlingIs429() throws Exception {
    assertEquals(201, post("/api/signup", null, creds("erin", "secret1")).status());
    for (int i = 0; i < 5; i++) {
      Http.Resp r = post("/api/login", null, creds("erin", "wrong"));
      assertEquals(401, r.status());
      assertEquals("unauthorized", r.json().getString("error"));
      assertNull(r.header("www-authenticate"), "/api/login never challenges");
    }
    Http.Resp throttled = post("/api/login", null, creds("erin", "secret1"));
    assertEquals(429, throttled.status(), throttled.toString());
    assertEquals("too_many_requests", throttled.json().getString("error"));
    assertTrue(Long.parseLong(throttled.header("retry-after")) >= 1);
    // Throttling is per (user, address): another user from the same address is unaffected.
    assertEquals(201, post("/api/signup", null, creds("frank", "secret1")).status());
    assertEquals(200, post("/api/login", null, creds("frank", "secret1")).status());
  }

  @Test
  void tokensExpireWhenIdleAndSlideWhenUsed() throws Exception {
    String token = node.account("gina", "secret1");
    for (int i = 0; i < 4; i++) {
      Thread.sleep(800);
      assertEquals(200, http.get("/api/me", token).status(), "use " + i + " keeps it alive");
    }
    Thread.sleep(2600);
    assertEquals(401, http.get("/api/me", token).status());
  }

  @Test
  void challengeRulesAndBasic() throws Exception {
    assertEquals(201, post("/api/signup", null, creds("hank", "secret1")).status());
    Http.Resp none = http.get("/api/files", null);
    assertEquals(401, none.status());
    assertEquals("Basic realm=\"dropbox\"", none.header("www-authenticate"));
    Http.Resp ui = http.get("/api/files", null, "X-Requested-With", "dropbox-ui");
    assertEquals(401, ui.status());
    assertNull(ui.header("www-authenticate"));
    Http.Resp badBasic = http.get("/api/me", null, "Authorization", basic("hank", "nope"));
    assertEquals(401, badBasic.status());
    assertEquals("Basic realm=\"dropbox\"", badBasic.header("www-authenticate"));
    Http.Resp badBasicUi = http.get("/api/me", null, "Authorization", basic("hank", "nope"), "X-Requested-With", "dropbox-ui");
    assertNull(badBasicUi.header("www-authenticate"));
    for (int i = 0; i < 3; i++) {
      Http.Resp r = http.get("/api/me", null, "Authorization", basic("hank", "secret1"));
      assertEquals(200, r.status());
      assertEquals("hank", r.json().getString("username"));
    }
    assertEquals(201, http.send("PUT", "/api/files/b.txt", null, new byte[] {1}, "Authorization", basic("Hank", "secret1")).status());
    assertEquals(200, http.get("/api/openapi.yaml", null).status(), "public");
  }
}
