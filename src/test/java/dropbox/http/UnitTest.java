package dropbox.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.auth.AuthException;
import dropbox.bus.ErrorCode;
import dropbox.bus.StorageException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The pure pieces: error mapping, raw-name decoding, Range parsing, the token store. */
class UnitTest {

  @Test
  void everyErrorCodeMapsToASpecStatusAndCode() {
    Set<String> specCodes = Set.of("bad_request", "unauthorized", "forbidden", "not_found", "conflict",
        "precondition_failed", "too_large", "range_not_satisfiable", "too_many_requests", "quota_exceeded",
        "busy", "timeout", "internal", "method_not_allowed",
        // issue 9: a path under a WebDAV lock (docs/rest-api.md; the spec predates WebDAV)
        "locked",
        // the server's disk is full, which the spec has no code for; 507 as RFC 4918 says (docs/rest-api.md)
        "storage_full");
    for (ErrorCode c : ErrorCode.values()) {
      HttpErrors.Mapped m = HttpErrors.of(c);
      assertTrue(specCodes.contains(m.code()), c + " -> " + m.code());
      HttpFailure f = HttpErrors.toFailure(new StorageException(c, "msg " + c));
      assertEquals(m.status(), f.status);
      assertEquals(m.status() == 503, f.retryAfterSeconds >= 0, "Retry-After only with busy: " + c);
      assertTrue(c == ErrorCode.INTERNAL ? f.getMessage().equals("Internal error") : f.getMessage().equals("msg " + c));
    }
    for (AuthException.Reason r : AuthException.Reason.values()) {
      assertTrue(specCodes.contains(HttpErrors.of(r).code()), r.toString());
    }
    assertEquals(507, HttpErrors.of(ErrorCode.QUOTA_EXCEEDED).status());
    assertEquals(413, HttpErrors.of(ErrorCode.TOO_LARGE).status());
    assertEquals(412, HttpErrors.of(ErrorCode.PRECONDITION_FAILED).status());
    assertEquals(400, HttpErrors.of(ErrorCode.INVALID_NAME).status());
    assertEquals(404, HttpErrors.of(ErrorCode.NOT_FOUND).status());
    assertEquals(504, HttpErrors.of(ErrorCode.TIMEOUT).status());
    assertEquals(409, HttpErrors.of(AuthException.Reason.EXISTS).status());
    assertEquals(403, HttpErrors.of(AuthException.Reason.DISABLED).status());
    // The throttle's and the sign-up limit's 429 say how long is left (rounded up); busy hashing is a 503.
    HttpFailure throttled = HttpErrors.toFailure(new AuthException(AuthException.Reason.THROTTLED, "wait", 1001));
    assertEquals(429, throttled.status);
    assertEquals("too_many_requests", throttled.code);
    assertEquals(2, throttled.retryAfterSeconds);
    HttpFailure signups = HttpErrors.toFailure(new AuthException(AuthException.Reason.TOO_MANY_SIGNUPS, "later", 3_599_000));
    assertEquals(429, signups.status);
    assertEquals(3599, signups.retryAfterSeconds);
    HttpFailure busy = HttpErrors.toFailure(new AuthException(AuthException.Reason.BUSY, "Server busy, try again later"));
    assertEquals(503, busy.status);
    assertEquals("busy", busy.code);
    assertEquals(1, busy.retryAfterSeconds);
    assertEquals(-1, HttpErrors.toFailure(new AuthException(AuthException.Reason.INVALID_CREDENTIALS, "no")).retryAfterSeconds);
    // An unexpected exception never leaks its text.
    HttpFailure f = HttpErrors.toFailure(new IllegalStateException("/secret/path"));
    assertEquals(500, f.status);
    assertEquals("Internal error", f.getMessage());
  }

  @Test
  void namesComeFromTheRawSegmentStrictly() {
    assertEquals("a b.txt", FilePath.decodeName("a%20b.txt"));
    assertEquals("é", FilePath.decodeName("%C3%A9"));
    assertEquals("...", FilePath.decodeName("..."));
    assertEquals("100%", FilePath.decodeName("100%25"));
    for (String bad : new String[] {"", ".", "..", "%2e%2e", "%2E", "a%2Fb", "a%2fb", "%00", "a%5Cb", "%C3%28", "%C3",
        "%ED%A0%80", "%zz", "%4", "a/b", "%7F", "%FF"}) {
      assertNull(FilePath.decodeName(bad), bad);
    }
    assertNull(FilePath.decodeName("x".repeat(256)));
    assertEquals("x".repeat(255), FilePath.decodeName("x".repeat(255)));

    FilePath.Parsed p = FilePath.parse("/api/files/a%2Fb/link", HttpMethod.POST);
    assertEquals(FilePath.Kind.LINK, p.kind());
    assertNull(p.name());
    assertEquals(new FilePath.Parsed(FilePath.Kind.LINK, "a/b"), FilePath.parse("/api/files/a/b/link", HttpMethod.POST));
    // Only a POST asks for a link: otherwise "link" is a name like any other.
    assertEquals(new FilePath.Parsed(FilePath.Kind.ITEM, "a/link"), FilePath.parse("/api/files/a/link", HttpMethod.GET));
    assertEquals(new FilePath.Parsed(FilePath.Kind.ITEM, "link"), FilePath.parse("/api/files/link", HttpMethod.POST));
    assertEquals(new FilePath.Parsed(FilePath.Kind.ITEM, null), FilePath.parse("/api/files/", HttpMethod.GET));
    assertEquals(new FilePath.Parsed(FilePath.Kind.ITEM, "a/b"), FilePath.parse("/api/files/a/b", HttpMethod.GET));
    assertEquals(new FilePath.Parsed(FilePath.Kind.ITEM, "é/x"), FilePath.parse("/api/files/%c3%a9/x", HttpMethod.PUT));
    for (String bad : new String[] {"a//b", "a/", "/a", "a/%2e%2e", "a%2Fb/c", "a/./b", String.join("/", java.util.Collections.nCopies(65, "s"))}) {
      assertNull(FilePath.parse("/api/files/" + bad, HttpMethod.GET).name(), bad);
      assertNull(FilePath.folder("/api/folders/" + bad).name(), bad);
    }
    assertNull(FilePath.parse("/api/files", HttpMethod.GET));
    assertEquals("", FilePath.folder("/api/folders/").name());
    assertEquals("", FilePath.folder("/api/folders").name());
    assertEquals("a/b", FilePath.folder("/api/folders/a/b").name());
    assertNull(FilePath.folder("/api/foldersX"));
    assertEquals("a%252Fb/%C3%A9", FilePath.encodePath("a%2Fb/é"), "segments are escaped, the separators kept");
    String odd = "ü ?#%&+;=é☃😀.txt";
    assertEquals(odd, FilePath.decodeName(FilePath.encodeSegment(odd)));
  }

  @Test
  void rangesFollowRfc9110() {
    assertRange("bytes=0-9", 100, ByteRange.Outcome.PARTIAL, 0, 9);
    assertRange("bytes=90-", 100, ByteRange.Outcome.PARTIAL, 90, 99);
    assertRange("bytes=-10", 100, ByteRange.Outcome.PARTIAL, 90, 99);
    assertRange("bytes=-1000", 100, ByteRange.Outcome.PARTIAL, 0, 99);
    assertRange("bytes=0-99999", 100, ByteRange.Outcome.PARTIAL, 0, 99);
    assertRange("bytes=0-99", 100, ByteRange.Outcome.PARTIAL, 0, 99);
    assertEquals(ByteRange.Outcome.WHOLE, ByteRange.parse("bytes=0-1,5-6", 100).outcome());
    assertEquals(ByteRange.Outcome.UNSATISFIABLE, ByteRange.parse("bytes=100-", 100).outcome());
    assertEquals(ByteRange.Outcome.UNSATISFIABLE, ByteRange.parse("bytes=-0", 100).outcome());
    assertEquals(ByteRange.Outcome.UNSATISFIABLE, ByteRange.parse("bytes=0-", 0).outcome());
    // Positions longer than a long are past any file's end: the end (last), or unsatisfiable (first).
    assertRange("bytes=0-99999999999999999999", 100, ByteRange.Outcome.PARTIAL, 0, 99);
    assertRange("bytes=-99999999999999999999", 100, ByteRange.Outcome.PARTIAL, 0, 99);
    assertEquals(ByteRange.Outcome.UNSATISFIABLE, ByteRange.parse("bytes=99999999999999999999-", 100).outcome());
    for (String ignored : new String[] {null, "", "bytes=", "items=0-1", "bytes=5-1", "bytes=a-b", "bytes=1", "bytes=--1",
        "bytes=99999999999999999999-5", "bytes=0-1,x"}) {
      assertEquals(ByteRange.Outcome.IGNORE, ByteRange.parse(ignored, 100).outcome(), String.valueOf(ignored));
    }
  }

  private static void assertRange(String h, long size, ByteRange.Outcome o, long a, long b) {
    ByteRange.Result r = ByteRange.parse(h, size);
    assertEquals(o, r.outcome(), h);
    assertEquals(new ByteRange(a, b), r.range(), h);
  }

  @Test
  void tokensAreRandomSlideOnUseAndExpire() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < 1000; i++) assertTrue(seen.add(TokenStore.newToken()));
      assertTrue(TokenStore.newToken().length() >= 43, "at least 256 bits in base64url");

      TokenStore sliding = new TokenStore(vertx, "t.sliding", 600, true);
      TokenStore.Entry e = sliding.create(new JsonObject().put("user", "ann")).await(5, TimeUnit.SECONDS);
      for (int i = 0; i < 5; i++) {
        Thread.sleep(300);
        TokenStore.Entry used = sliding.use(e.token()).await(5, TimeUnit.SECONDS);
        assertNotNull(used, "still valid after " + (i + 1) * 300 + " ms of use");
        assertEquals("ann", used.value().getString("user"));
      }
      Thread.sleep(900);
      assertNull(sliding.use(e.token()).await(5, TimeUnit.SECONDS), "expired after idling");

      TokenStore.Entry f = sliding.create(new JsonObject().put("user", "bob")).await(5, TimeUnit.SECONDS);
      assertNotEquals(e.token(), f.token());
      sliding.revoke(f.token()).await(5, TimeUnit.SECONDS);
      assertNull(sliding.use(f.token()).await(5, TimeUnit.SECONDS));
      assertNull(sliding.use("not-a-token").await(5, TimeUnit.SECONDS));

      TokenStore fixed = new TokenStore(vertx, "t.fixed", 500, false);
      TokenStore.Entry g = fixed.create(new JsonObject().put("user", "cy")).await(5, TimeUnit.SECONDS);
      Thread.sleep(300);
      assertNotNull(fixed.use(g.token()).await(5, TimeUnit.SECONDS));
      Thread.sleep(400);
      assertNull(fixed.use(g.token()).await(5, TimeUnit.SECONDS), "a link token does not slide");
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
