package dropbox.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.Config;
import dropbox.bus.SmallUploads;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every row of the spec's "Files" table, against a real node (storage + accounts + HTTP) on loopback. */
class FileRoutesTest {
  static final Pattern ISO_MILLIS = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
  @TempDir static Path dir;
  static TestNode node;
  static Http http;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start(dir, cfg -> {
      Config.put(cfg, "quota.defaultBytes", 10_000_000L);
      Config.put(cfg, "quota.users.tight", 1_000_000L);
      Config.put(cfg, "quota.users.wee", 10_000L);
      Config.put(cfg, "storage.maxFileBytes", 4_000_000L);
    });
    http = node.http;
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) node.close();
  }

  static String sha(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static Http.Resp put(String token, String name, byte[] body, String... headers) throws Exception {
    return http.send("PUT", "/api/files/" + FilePath.encodeSegment(name), token, body, headers);
  }

  @Test
  void putCreatesThenReplacesAndListingIsSortedByUtf8Bytes() throws Exception {
    String t = node.account("lister", "secret1");
    Http.Resp empty = http.get("/api/files", t);
    assertEquals(200, empty.status());
    assertEquals(0, empty.json().getJsonArray("files").size());
    assertEquals(0L, empty.json().getJsonObject("usage").getLong("usedBytes"));

    byte[] v1 = "first version".getBytes(StandardCharsets.UTF_8);
    Http.Resp created = put(t, "b.txt", v1, "X-Priority", "high");
    assertEquals(201, created.status(), created.toString());
    JsonObject f = created.json();
    assertEquals("b.txt", f.getString("name"));
    assertEquals(v1.length, f.getLong("size"));
    assertEquals(sha(v1), f.getString("sha256"));
    assertTrue(ISO_MILLIS.matcher(f.getString("created")).matches(), f.encode());
    assertTrue(ISO_MILLIS.matcher(f.getString("modified")).matches(), f.encode());

    Thread.sleep(5);
    byte[] v2 = "second, longer version".getBytes(StandardCharsets.UTF_8);
    Http.Resp replaced = put(t, "b.txt", v2, "X-Priority", "low");
    assertEquals(200, replaced.status(), replaced.toString());
    assertEquals(f.getString("created"), replaced.json().getString("created"), "created is kept on replace");
    assertEquals(sha(v2), replaced.json().getString("sha256"));
    // A partial update is 400 (RFC 9110 9.3.4); the fragment was once stored as the whole file.
    Http.Resp partial = put(t, "b.txt", "abc".getBytes(StandardCharsets.UTF_8), "Content-Range", "bytes 2-4/22");
    assertEquals(400, partial.status(), partial.toString());
    assertArrayEquals(v2, http.get("/api/files/b.txt", t).body());

    assertEquals(201, put(t, "é.txt", new byte[0]).status());
    assertEquals(201, put(t, "Z", new byte[] {1}).status());
    assertEquals(201, put(t, "a b", new byte[] {2, 3}).status());
    Http.Resp list = http.get("/api/files", t);
    JsonArray files = list.json().getJsonArray("files");
    List<String> names = files.stream().map(o -> ((JsonObject) o).getString("name")).toList();
    assertEquals(List.of("Z", "a b", "b.txt", "é.txt"), names);
    JsonObject usage = list.json().getJsonObject("usage");
    assertEquals(v2.length + 1 + 2, usage.getLong("usedBytes"));
    assertEquals(4, usage.getInteger("fileCount"));
    assertEquals(10_000_000L, usage.getLong("quotaBytes"));
    assertEquals(Arrays.asList("name", "size", "sha256", "created", "modified"),
        List.copyOf(files.getJsonObject(0).fieldNames()));
  }

  @Test
  void downloadHeadersRangesAndValidators() throws Exception {
    String t = node.account("reader", "secret1");
    byte[] data = random(10_000, 1);
    String name = "rapport été <1>.html";
    assertEquals(201, put(t, name, data).status());
    String path = "/api/files/" + FilePath.encodeSegment(name);

    Http.Resp r = http.get(path, t);
    assertEquals(200, r.status());
    assertArrayEquals(data, r.body());
    assertEquals("10000", r.header("content-length"));
    assertEquals("\"" + sha(data) + "\"", r.header("etag"));
    assertNotNull(r.header("last-modified"));
    assertTrue(r.header("last-modified").endsWith(" GMT"), r.header("last-modified"));
    assertEquals("bytes", r.header("accept-ranges"));
    assertEquals("attachment; filename*=UTF-8''rapport%20%C3%A9t%C3%A9%20%3C1%3E.html", r.header("content-disposition"));
    assertEquals("nosniff", r.header("x-content-type-options"));
    assertEquals("default-src 'none'; sandbox", r.header("content-security-policy"));
    assertEquals("application/octet-stream", r.header("content-type"));

    Http.Resp head = http.raw("HEAD " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + t
        + "\r\nConnection: close\r\n\r\n", null);
    assertEquals(200, head.status());
    assertEquals("10000", head.header("content-length"));
    assertEquals(r.header("etag"), head.header("etag"));
    assertEquals(r.header("content-disposition"), head.header("content-disposition"));

    Http.Resp notModified = http.get(path, t, "If-None-Match", "\"other\", " + r.header("etag"));
    assertEquals(304, notModified.status());
    assertEquals(0, notModified.body().length);
    assertEquals(200, http.get(path, t, "If-None-Match", "\"" + "0".repeat(64) + "\"").status());

    Http.Resp part = http.get(path, t, "Range", "bytes=10-19");
    assertEquals(206, part.status());
    assertEquals("bytes 10-19/10000", part.header("content-range"));
    assertArrayEquals(Arrays.copyOfRange(data, 10, 20), part.body());
    Http.Resp tail = http.get(path, t, "Range", "bytes=9990-");
    assertEquals(206, tail.status());
    assertArrayEquals(Arrays.copyOfRange(data, 9990, 10000), tail.body());
    Http.Resp suffix = http.get(path, t, "Range", "bytes=-5");
    assertEquals(206, suffix.status());
    assertEquals("bytes 9995-9999/10000", suffix.header("content-range"));
    assertArrayEquals(Arrays.copyOfRange(data, 9995, 10000), suffix.body());
    Http.Resp whole = http.get(path, t, "Range", "bytes=0-");
    assertEquals(206, whole.status(), "a range covering the whole file is still 206");
    assertArrayEquals(data, whole.body());
    Http.Resp multi = http.get(path, t, "Range", "bytes=0-1,5-9");
    assertEquals(200, multi.status());
    assertArrayEquals(data, multi.body());
    Http.Resp unsat = http.get(path, t, "Range", "bytes=10000-");
    assertEquals(416, unsat.status());
    assertEquals("bytes */10000", unsat.header("content-range"));
    assertEquals("range_not_satisfiable", unsat.json().getString("error"));
    Http.Resp staleIfRange = http.get(path, t, "Range", "bytes=0-0", "If-Range", "\"stale\"");
    assertEquals(200, staleIfRange.status());
    String lm = r.header("last-modified");
    assertEquals(206, http.get(path, t, "Range", "bytes=0-0", "If-Range", r.header("etag")).status());
    assertEquals(206, http.get(path, t, "Range", "bytes=0-0", "If-Range", lm).status(), "If-Range by date");
    assertEquals(200, http.get(path, t, "Range", "bytes=0-0", "If-Range", "Sat, 01 Jan 2000 00:00:00 GMT").status());
    assertEquals(200, http.get(path, t, "Range", "bytes=0-0", "If-Range", "W/" + r.header("etag")).status(),
        "a weak tag never matches If-Range");
  }

  /** RFC 9110 13.2.2: If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since, in that order. */
  @Test
  void conditionalDownloadsFollowTheRfcsOrder() throws Exception {
    String t = node.account("conditional", "secret1");
    byte[] data = random(3000, 40);
    assertEquals(201, put(t, "c.bin", data).status());
    String path = "/api/files/c.bin";
    Http.Resp r = http.get(path, t);
    String etag = r.header("etag");
    String lm = r.header("last-modified");
    String past = "Sat, 01 Jan 2000 00:00:00 GMT";
    String future = "Fri, 01 Jan 2100 00:00:00 GMT";

    assertEquals(304, http.get(path, t, "If-Modified-Since", lm).status());
    assertEquals(200, http.get(path, t, "If-Modified-Since", past).status());
    assertEquals(200, http.get(path, t, "If-Modified-Since", future).status(), "a date after now is ignored");
    assertEquals(200, http.get(path, t, "If-Modified-Since", "not a date").status());
    assertEquals(200, http.get(path, t, "If-None-Match", "\"other\"", "If-Modified-Since", lm).status(),
        "If-None-Match decides when present");
    assertEquals(304, http.send("HEAD", path, t, null, "If-Modified-Since", lm).status());

    Http.Resp failed = http.get(path, t, "If-Match", "\"" + "0".repeat(64) + "\"");
    assertEquals(412, failed.status());
    assertEquals("precondition_failed", failed.json().getString("error"));
    assertArrayEquals(data, http.get(path, t, "If-Match", etag).body());
    assertEquals(200, http.get(path, t, "If-Match", "*").status());
    assertEquals(412, http.get(path, t, "If-Match", "W/" + etag).status(), "If-Match compares strongly");
    assertEquals(412, http.get(path, t, "If-Unmodified-Since", past).status());
    assertEquals(200, http.get(path, t, "If-Unmodified-Since", lm).status());
    assertEquals(200, http.get(path, t, "If-Match", etag, "If-Unmodified-Since", past).status(),
        "If-Match decides when present");
    assertEquals(304, http.get(path, t, "If-Match", etag, "If-None-Match", etag).status());
    assertEquals(404, http.get("/api/files/absent.bin", t, "If-Match", "*").status());
  }

  @Test
  void deleteThenAbsentIs404AndOtherUsersNeverSeeFiles() throws Exception {
    String a = node.account("owner", "secret1");
    String b = node.account("intruder", "secret1");
    assertEquals(201, put(a, "mine", new byte[] {1, 2, 3}).status());
    assertEquals(404, http.get("/api/files/mine", b).status());
    assertEquals(404, http.send("DELETE", "/api/files/mine", b, null).status());
    assertEquals(0, http.get("/api/files", b).json().getJsonArray("files").size());

    Http.Resp del = http.send("DELETE", "/api/files/mine", a, null);
    assertEquals(204, del.status());
    Http.Resp again = http.send("DELETE", "/api/files/mine", a, null);
    assertEquals(404, again.status());
    assertEquals("not_found", again.json().getString("error"));
    assertFalse(again.json().getString("message").isBlank());
    assertEquals(404, http.get("/api/files/mine", a).status());
    assertEquals(0L, http.get("/api/me", a).json().getJsonObject("usage").getLong("usedBytes"));
  }

  @Test
  void invalidNamesAre400OnEveryVerbFromTheRawPath() throws Exception {
    String t = node.account("namer", "secret1");
    for (String seg : List.of("..", "%2e%2e", ".", "%2E", "a%2Fb", "%00", "", "%C3%28", "%zz", "a%5Cb", "x%0Ay",
        "%ED%A0%80", "x".repeat(256), "evil%E2%80%AEtxt.exe", "a%E2%80%A8b", "x%C2%85y", "%E2%81%A6iso")) {
      for (String method : List.of("GET", "HEAD", "PUT", "DELETE")) {
        String head = method + " /api/files/" + seg + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + t
            + "\r\nContent-Length: " + (method.equals("PUT") ? 3 : 0) + "\r\nConnection: close\r\n\r\n";
        Http.Resp r = http.raw(head, method.equals("PUT") ? new byte[] {1, 2, 3} : null);
        assertEquals(400, r.status(), method + " " + seg + " -> " + r);
        if (!method.equals("HEAD")) assertEquals("bad_request", r.json().getString("error"));
      }
      Http.Resp link = http.raw("POST /api/files/" + seg + "/link HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + t
          + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", null);
      assertEquals(400, link.status(), "link " + seg);
    }
    assertEquals(0, http.get("/api/files", t).json().getJsonArray("files").size());
    // A valid odd name round-trips exactly (no rewriting, byte for byte).
    String odd = "..." + "%2e" + " ;,=&+$!'()*@[]";
    assertEquals(201, put(t, odd, new byte[] {9}).status());
    assertEquals(odd, http.get("/api/files", t).json().getJsonArray("files").getJsonObject(0).getString("name"));
  }

  /** A malformed escape in the query is the client's error on every route, WebDAV's and the UI's too, never a 500. */
  @Test
  void aMalformedQueryStringIs400NotAServerFault() throws Exception {
    String t = node.account("querier", "secret1");
    for (String target : List.of("/api/me?x=%%", "/api/files?cursor=%%%", "/api/folders/?limit=%zz", "/dav/?x=%",
        "/api/files?cursor=%E0%A4%A", "/health?%", "/index.html?a=%4")) {
      Http.Resp r = http.raw("GET " + target + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + t
          + "\r\nConnection: close\r\n\r\n", null);
      assertEquals(400, r.status(), target + " -> " + r);
      assertEquals("bad_request", r.json().getString("error"), target);
    }
    assertEquals(200, http.get("/api/me?x=%41", t).status(), "a well-formed escape is fine");
  }

  @Test
  void wrongMethodOnAKnownPathIs405() throws Exception {
    String t = node.account("methods", "secret1");
    // {method, path, the Allow header a 405 must carry (RFC 9110 15.5.6)}
    for (String[] mp : new String[][] {{"PATCH", "/api/files/x", "GET, HEAD, PUT, DELETE"},
        {"POST", "/api/files/x", "GET, HEAD, PUT, DELETE"}, {"PATCH", "/api/files/x/link", "GET, HEAD, PUT, DELETE, POST"},
        {"DELETE", "/api/files", "GET, HEAD, POST"}, {"PUT", "/api/files", "GET, HEAD, POST"},
        {"GET", "/api/login", "POST"}, {"GET", "/api/signup", "POST"}, {"DELETE", "/api/me", "GET, HEAD"},
        {"POST", "/api/events", "GET"}, {"POST", "/health", "GET, HEAD"}, {"PUT", "/api/openapi.yaml", "GET, HEAD"},
        {"POST", "/api/folders/d", "GET, HEAD, PUT, DELETE"}, {"GET", "/api/move", "POST"}, {"PATCH", "/api/files/link", "GET, HEAD, PUT, DELETE"},
        {"POST", "/", "GET, HEAD"}, {"DELETE", "/app.js", "GET, HEAD"}}) {
      Http.Resp r = http.send(mp[0], mp[1], t, mp[0].equals("GET") || mp[0].equals("DELETE") ? null : new byte[0]);
      assertEquals(405, r.status(), mp[0] + " " + mp[1] + " -> " + r);
      assertEquals("method_not_allowed", r.json().getString("error"));
      assertEquals(mp[2], r.header("allow"), mp[0] + " " + mp[1]);
    }
    assertEquals(404, http.get("/api/nothing-here", t).status());
  }

  @Test
  void everyGetEndpointAnswersHeadWithItsStatusAndNoBody() throws Exception {
    String t = node.account("header", "secret1");
    assertEquals(201, http.send("PUT", "/api/folders/docs", t, new byte[0]).status());
    for (String path : new String[] {"/api/me", "/api/files", "/api/folders/docs", "/api/openapi.yaml", "/health", "/metrics"}) {
      Http.Resp get = http.get(path, t);
      Http.Resp head = http.send("HEAD", path, t, null);
      assertEquals(get.status(), head.status(), "HEAD " + path + " -> " + head);
      if (!path.equals("/metrics")) assertEquals(200, head.status(), path); // off in the tests' config: 404 both
      assertEquals(get.header("content-type"), head.header("content-type"), path);
      assertTrue(HttpDate.parse(get.header("date")) > 0, path + ": every answer carries Date");
      // The stock handlers (health, Prometheus) included: Vert.x leaves the length out of a HEAD.
      assertEquals(get.header("content-length"), head.header("content-length"), path);
      assertTrue(head.header("content-length") != null, path);
    }
    // No body on the wire: the answer after a HEAD on the same connection parses from its first byte.
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", http.port)) {
      s.setSoTimeout(30_000);
      s.getOutputStream().write(("HEAD /api/me HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + t + "\r\n\r\n"
          + "GET /api/folders/docs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + t
          + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      assertEquals(200, Http.readResponse(s.getInputStream(), true).status());
      Http.Resp next = Http.readResponse(s.getInputStream(), false);
      assertEquals(200, next.status());
      assertEquals("docs", next.json().getString("path"), next.toString());
    }
    assertEquals(401, http.send("HEAD", "/api/me", null, null).status(), "HEAD needs the credentials GET needs");
    assertEquals(404, http.send("HEAD", "/api/folders/nothing", t, null).status());
  }

  @Test
  void preconditionsAreDecidedAtCommit() throws Exception {
    String t = node.account("cautious", "secret1");
    byte[] v1 = {1};
    assertEquals(201, put(t, "p", v1, "If-None-Match", "*").status());
    Http.Resp exists = put(t, "p", new byte[] {2}, "If-None-Match", "*");
    assertEquals(412, exists.status());
    assertEquals("precondition_failed", exists.json().getString("error"));
    Http.Resp stale = put(t, "p", new byte[] {3}, "If-Match", "\"" + "0".repeat(64) + "\"");
    assertEquals(412, stale.status());
    Http.Resp ok = put(t, "p", new byte[] {4}, "If-Match", "\"" + sha(v1) + "\"");
    assertEquals(200, ok.status(), ok.toString());
    assertArrayEquals(new byte[] {4}, http.get("/api/files/p", t).body());
    assertEquals(1L, http.get("/api/me", t).json().getJsonObject("usage").getLong("usedBytes"));
    // If-Match: * replaces an existing file and never creates one.
    assertEquals(200, put(t, "p", new byte[] {5, 5}, "If-Match", "*").status());
    Http.Resp absent = put(t, "q", new byte[] {6}, "If-Match", "*");
    assertEquals(412, absent.status(), absent.toString());
    assertEquals(404, http.get("/api/files/q", t).status());
    assertEquals(400, put(t, "p", new byte[] {7}, "If-Match", "\"" + sha(v1) + "\", \"" + sha(v1) + "\"").status());
    String current = sha(new byte[] {5, 5});
    assertEquals(400, put(t, "p", new byte[] {7}, "If-Match", current).status(), "an entity tag is quoted");
    assertEquals(400, put(t, "p", new byte[] {7}, "If-Match", "W/\"" + current + "\"").status(), "a weak tag never matches");
    assertEquals(2L, http.get("/api/me", t).json().getJsonObject("usage").getLong("usedBytes"));
  }

  @Test
  void chunkedUploadOfSeveralMiBReservesInStepsAndStoresEveryByte() throws Exception {
    String t = node.account("chunky", "secret1");
    byte[] data = random(3_500_000, 7);
    Http.Resp r = chunkedPut(t, "big.bin", data, 65_536, false);
    assertEquals(201, r.status(), r.toString());
    assertEquals(sha(data), r.json().getString("sha256"));
    assertArrayEquals(data, http.get("/api/files/big.bin", t).body());
    assertNoReservations("chunky");
  }

  @Test
  void quotaIsReservedUpFrontWithContentLength() throws Exception {
    String t = node.account("tight", "secret1");
    assertEquals(201, put(t, "base", random(600_000, 2)).status());
    // 507 before any byte: the server answers right after the headers, with Expect and without.
    Http.Resp expect = http.raw("PUT /api/files/more HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + t
        + "\r\nContent-Length: 500000\r\nExpect: 100-continue\r\n\r\n", null);
    assertEquals(507, expect.status(), expect.toString());
    assertEquals("quota_exceeded", expect.json().getString("error"));
    assertEquals("close", expect.header("connection"));
    Http.Resp noExpect = http.raw("PUT /api/files/more HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + t
        + "\r\nContent-Length: 500000\r\n\r\n", null);
    assertEquals(507, noExpect.status());
    // Larger than the whole quota can never fit: too large.
    Http.Resp never = http.raw("PUT /api/files/more HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + t
        + "\r\nContent-Length: 2000000\r\n\r\n", null);
    assertEquals(413, never.status());
    // With Expect and room, the 100 comes and the upload goes through.
    try (Socket s = new Socket("127.0.0.1", http.port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(("PUT /api/files/fits HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + t
          + "\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      assertEquals("HTTP/1.1 100 Continue", Http.line(in));
      assertEquals("", Http.line(in));
      out.write(new byte[] {1, 2, 3, 4});
      out.flush();
      assertEquals(201, Http.readResponse(in, false).status());
    }
    assertEquals(600_004L, http.get("/api/me", t).json().getJsonObject("usage").getLong("usedBytes"));
    assertNoReservations("tight");
  }

  @Test
  void chunkedUploadOverQuotaStopsReadingAnswers507AndLeavesNothing() throws Exception {
    String t = node.account("Tight2", "secret1");
    for (int i = 0; i < 3; i++) assertEquals(201, put(t, "base" + i, random(3_000_000, 3 + i)).status());
    Http.Resp r = chunkedPut(t, "over", random(2_000_000, 4), 65_536, true);
    assertEquals(507, r.status(), r.toString());
    assertEquals("quota_exceeded", r.json().getString("error"));
    assertEquals("close", r.header("connection"));
    assertEquals(3, http.get("/api/files", t).json().getJsonArray("files").size());
    assertEquals(9_000_000L, http.get("/api/me", t).json().getJsonObject("usage").getLong("usedBytes"));
    awaitNoReservations("tight2");
    // maxFileBytes (4 MB) stops a chunked upload with 413 even when the quota would allow it.
    String u = node.account("roomy", "secret1");
    Http.Resp big = chunkedPut(u, "huge", random(4_500_000, 5), 65_536, true);
    assertEquals(413, big.status(), big.toString());
    assertEquals("too_large", big.json().getString("error"));
    awaitNoReservations("roomy");
    assertEquals(0, http.get("/api/files", u).json().getJsonArray("files").size());
  }

  @Test
  void clientDisconnectMidPutLeavesNothingAndTheQuotaUnchanged() throws Exception {
    String t = node.account("quitter", "secret1");
    for (boolean chunked : new boolean[] {false, true}) {
      try (Socket s = new Socket("127.0.0.1", http.port)) {
        OutputStream out = s.getOutputStream();
        out.write(("PUT /api/files/partial HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + t + "\r\n"
            + (chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: 3000000\r\n") + "\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
        byte[] part = random(300_000, 6);
        if (chunked) out.write((Integer.toHexString(part.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(part);
        out.flush();
        Thread.sleep(300);
      }
      awaitNoReservations("quitter");
      assertEquals(0, http.get("/api/files", t).json().getJsonArray("files").size());
      assertEquals(0L, http.get("/api/me", t).json().getJsonObject("usage").getLong("usedBytes"));
      try (Stream<Path> staging = Files.list(stagingDir("quitter"))) {
        assertEquals(0, staging.count(), "staging file dropped");
      }
    }
  }

  /**
   * A body up to storage.inlineMaxBytes (64 KiB by default) goes to storage in one command and is kept in
   * the database; downloads of it are served from the bytes storage answers with, with exactly the headers,
   * ranges and validators of a file on disk. A larger one still becomes a content file.
   */
  @Test
  void smallFilesAreStoredInOneCommandAndServedLikeAnyOther() throws Exception {
    String t = node.account("smally", "secret1");
    byte[] small = random(4096, 21);
    byte[] large = random(100_000, 22);
    Http.Resp created = put(t, "small.bin", small);
    assertEquals(201, created.status(), created.toString());
    assertEquals(sha(small), created.json().getString("sha256"));
    assertEquals(201, put(t, "large.bin", large).status());
    assertEquals(Boolean.TRUE, storedInline("smally", sha(small)), "4 KiB kept in the database");
    assertEquals(Boolean.FALSE, storedInline("smally", sha(large)), "100 KB kept as a content file");

    for (String name : List.of("small.bin", "large.bin")) {
      byte[] want = name.startsWith("small") ? small : large;
      Http.Resp full = http.get("/api/files/" + name, t);
      assertEquals(200, full.status());
      assertArrayEquals(want, full.body());
      assertEquals("\"" + sha(want) + "\"", full.header("etag"));
      assertEquals("attachment; filename*=UTF-8''" + name, full.header("content-disposition"));
      assertEquals("nosniff", full.header("x-content-type-options"));
      assertEquals("application/octet-stream", full.header("content-type"));
      assertEquals("bytes", full.header("accept-ranges"));
      Http.Resp part = http.get("/api/files/" + name, t, "Range", "bytes=100-199");
      assertEquals(206, part.status());
      assertArrayEquals(Arrays.copyOfRange(want, 100, 200), part.body());
      assertEquals("bytes 100-199/" + want.length, part.header("content-range"));
      Http.Resp tail = http.get("/api/files/" + name, t, "Range", "bytes=-10");
      assertArrayEquals(Arrays.copyOfRange(want, want.length - 10, want.length), tail.body());
      assertEquals(416, http.get("/api/files/" + name, t, "Range", "bytes=" + want.length + "-").status());
      assertEquals(304, http.get("/api/files/" + name, t, "If-None-Match", "\"" + sha(want) + "\"").status());
      Http.Resp head = http.send("HEAD", "/api/files/" + name, t, null);
      assertEquals(200, head.status());
      assertEquals(String.valueOf(want.length), head.header("content-length"));
      assertEquals(0, head.body().length);
    }

    // Replacing, preconditions and an empty body take the same path.
    byte[] v2 = random(3000, 23);
    assertEquals(412, put(t, "small.bin", v2, "If-None-Match", "*").status());
    assertEquals(412, put(t, "small.bin", v2, "If-Match", "\"" + sha(large) + "\"").status());
    Http.Resp replaced = put(t, "small.bin", v2, "If-Match", "\"" + sha(small) + "\"");
    assertEquals(200, replaced.status(), replaced.toString());
    assertArrayEquals(v2, http.get("/api/files/small.bin", t).body());
    assertEquals(201, put(t, "empty", new byte[0]).status());
    Http.Resp empty = http.get("/api/files/empty", t);
    assertEquals(200, empty.status());
    assertEquals(0, empty.body().length);
    assertEquals(v2.length + (long) large.length, http.get("/api/me", t).json().getJsonObject("usage").getLong("usedBytes"));
    assertEquals(0, SmallUploads.inFlight(), "every small body's memory budget was given back");
    assertNoReservations("smally");
  }

  /**
   * The quota is checked by storage at the one command, after the body; a file that could never fit the
   * user is still refused before its body is read, as the streamed path's reservation does. Either way
   * nothing is stored and the body's memory budget is given back, also when the client leaves mid-body.
   */
  @Test
  void smallUploadsRefusedOrCutShortLeaveNothing() throws Exception {
    String t = node.account("wee", "secret1"); // quota 10 000 bytes
    assertEquals(201, put(t, "a", random(6000, 24)).status());
    Http.Resp over = put(t, "b", random(6000, 25));
    assertEquals(507, over.status(), over.toString());
    assertEquals("quota_exceeded", over.json().getString("error"));
    // A client that waits for 100 still gets the quota's answer instead, right after its headers.
    Http.Resp expect = http.raw("PUT /api/files/b HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + t
        + "\r\nContent-Length: 6000\r\nExpect: 100-continue\r\n\r\n", null);
    assertEquals(507, expect.status(), expect.toString());
    assertEquals("quota_exceeded", expect.json().getString("error"));
    Http.Resp never = put(t, "c", random(20_000, 26));
    assertEquals(413, never.status(), never.toString());
    assertEquals("too_large", never.json().getString("error"));
    try (Socket s = new Socket("127.0.0.1", http.port)) {
      OutputStream out = s.getOutputStream();
      out.write(("PUT /api/files/partial HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + t
          + "\r\nContent-Length: 4000\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.write(random(1000, 27));
      out.flush();
      Thread.sleep(300);
    }
    long deadline = System.currentTimeMillis() + 10_000;
    while (SmallUploads.inFlight() != 0 && System.currentTimeMillis() < deadline) Thread.sleep(50);
    assertEquals(0, SmallUploads.inFlight(), "the dropped body's budget was given back");
    JsonArray files = http.get("/api/files", t).json().getJsonArray("files");
    assertEquals(1, files.size(), files.encode());
    assertEquals(6000L, http.get("/api/me", t).json().getJsonObject("usage").getLong("usedBytes"));
    assertNoReservations("wee");
  }

  /** A multipart request no longer than storage.inlineMaxBytes sends each of its parts in one command. */
  @Test
  void aSmallMultipartFormStoresEachPartInline() throws Exception {
    String t = node.account("formlet", "secret1");
    byte[] one = random(5000, 28);
    byte[] two = random(7000, 29);
    String boundary = "----s" + System.nanoTime();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    formPart(body, boundary, "one.bin", one);
    formPart(body, boundary, "two.bin", two);
    formEnd(body, boundary);
    Http.Resp r = http.send("POST", "/api/files", t, body.toByteArray(), "Content-Type", "multipart/form-data; boundary=" + boundary);
    assertEquals(201, r.status(), r.toString());
    assertEquals(2, r.json().getJsonArray("files").size());
    assertArrayEquals(one, http.get("/api/files/one.bin", t).body());
    assertArrayEquals(two, http.get("/api/files/two.bin", t).body());
    assertEquals(Boolean.TRUE, storedInline("formlet", sha(one)));
    assertEquals(Boolean.TRUE, storedInline("formlet", sha(two)));
    long deadline = System.currentTimeMillis() + 10_000;
    while (SmallUploads.inFlight() != 0 && System.currentTimeMillis() < deadline) Thread.sleep(50);
    assertEquals(0, SmallUploads.inFlight());
    assertNoReservations("formlet");
  }

  @Test
  void aSmallFormWhoseClientLeavesAfterSendingItAllIsStillCommitted() throws Exception {
    String t = node.account("leaver", "secret1");
    byte[][] contents = {random(3000, 30), random(4000, 31), random(5000, 32)};
    String boundary = "----l" + System.nanoTime();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (int i = 0; i < contents.length; i++) formPart(body, boundary, "left" + i + ".bin", contents[i]);
    formEnd(body, boundary);
    try (Socket s = new Socket("127.0.0.1", http.port)) {
      OutputStream out = s.getOutputStream();
      out.write(("POST /api/files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + t + "\r\nContent-Type: multipart/form-data; boundary="
          + boundary + "\r\nContent-Length: " + body.size() + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.write(body.toByteArray());
      out.flush();
    } // closed without reading the answer: like a PUT whose bytes are all in, the form is kept
    long deadline = System.currentTimeMillis() + 10_000;
    while (http.get("/api/files/left2.bin", t).status() != 200 && System.currentTimeMillis() < deadline) Thread.sleep(20);
    for (int i = 0; i < contents.length; i++) assertArrayEquals(contents[i], http.get("/api/files/left" + i + ".bin", t).body());
    while (SmallUploads.inFlight() != 0 && System.currentTimeMillis() < deadline) Thread.sleep(20);
    assertEquals(0, SmallUploads.inFlight(), "the budget comes back once the commits have ended");
    assertNoReservations("leaver");
  }

  /** Writes one "file" part of a multipart form (its delimiter, headers, content and the CRLF after it). */
  static void formPart(ByteArrayOutputStream body, String boundary, String filename, byte[] content) throws IOException {
    body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename + "\"\r\n"
        + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    body.write(content);
    body.write("\r\n".getBytes(StandardCharsets.UTF_8));
  }

  /** Writes the close delimiter of a multipart form. */
  static void formEnd(ByteArrayOutputStream body, String boundary) throws IOException {
    body.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
  }

  /** Whether this user's content with this hash is kept in the database (true) or as a file (false); null: none. */
  static Boolean storedInline(String user, String sha256) throws Exception {
    Path db = Path.of(Config.string(node.server.config(), "storage.root"), "dropbox.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
         PreparedStatement ps = c.prepareStatement("SELECT b.content IS NOT NULL FROM blobs b JOIN users u ON u.id = b.user_id"
             + " WHERE u.name_key = ? AND b.sha256 = ?")) {
      ps.setString(1, user.toLowerCase());
      ps.setString(2, sha256);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getBoolean(1) : null;
      }
    }
  }

  @Test
  void multipartPostStoresEachFilePart() throws Exception {
    String t = node.account("former", "secret1");
    byte[] one = random(200_000, 8);
    byte[] two = "two".getBytes(StandardCharsets.UTF_8);
    String boundary = "----b" + System.nanoTime();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nignored\r\n").getBytes(StandardCharsets.UTF_8));
    body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"one.bin\"\r\n"
        + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    body.write(one);
    body.write(("\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"два.txt\"\r\n"
        + "Content-Type: text/plain\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    body.write(two);
    body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    Http.Resp r = http.send("POST", "/api/files", t, body.toByteArray(), "Content-Type", "multipart/form-data; boundary=" + boundary);
    assertEquals(201, r.status(), r.toString());
    JsonArray files = r.json().getJsonArray("files");
    assertEquals(2, files.size());
    assertEquals("one.bin", files.getJsonObject(0).getString("name"));
    assertEquals(sha(one), files.getJsonObject(0).getString("sha256"));
    assertEquals("два.txt", files.getJsonObject(1).getString("name"));
    assertArrayEquals(one, http.get("/api/files/one.bin", t).body());
    assertArrayEquals(two, http.get("/api/files/" + FilePath.encodeSegment("два.txt"), t).body());
    assertEquals(400, http.send("POST", "/api/files", t, "x".getBytes(), "Content-Type", "text/plain").status());
    String bad = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"..\"\r\n\r\nxyz\r\n--" + boundary + "--\r\n";
    Http.Resp invalid = http.send("POST", "/api/files", t, bad.getBytes(StandardCharsets.UTF_8),
        "Content-Type", "multipart/form-data; boundary=" + boundary);
    assertEquals(400, invalid.status(), invalid.toString());
    assertEquals("bad_request", invalid.json().getString("error"));
    String none = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n--" + boundary + "--\r\n";
    assertEquals(400, http.send("POST", "/api/files", t, none.getBytes(StandardCharsets.UTF_8),
        "Content-Type", "multipart/form-data; boundary=" + boundary).status());
    assertEquals(2, http.get("/api/files", t).json().getJsonArray("files").size());
    assertNoReservations("former");
  }

  /**
   * A whole body that stops before the close delimiter (Content-Length honoured, the last part never
   * finished) is 400 at once, small or streamed, and stores nothing; before, no answer came until the
   * connection's idle timeout (300 s), the part's upload waiting for an end the decoder never gives.
   */
  @Test
  void aFormWithoutItsClosingBoundaryIs400AtOnceAndStoresNothing() throws Exception {
    String t = node.account("unclosed", "secret1");
    String boundary = "xx" + System.nanoTime();
    for (int size : new int[] {12, 300_000}) { // inline-sized, then a streamed part
      for (String tail : new String[] {"", "\r\n--" + boundary, "\r\n--" + boundary + "-"}) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"open.bin\"\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8));
        body.write(random(size, 50));
        body.write(tail.getBytes(StandardCharsets.UTF_8));
        long t0 = System.nanoTime();
        Http.Resp r = http.send("POST", "/api/files", t, body.toByteArray(),
            "Content-Type", "multipart/form-data; boundary=" + boundary);
        assertEquals(400, r.status(), size + " bytes, tail '" + tail + "': " + r);
        assertEquals("bad_request", r.json().getString("error"));
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 10_000, "answered at once");
      }
    }
    // The same form with its delimiter (and an epilogue after it) is stored.
    String closed = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"shut.txt\"\r\n\r\nshut\r\n--"
        + boundary + "--\r\nepilogue, ignored\r\n";
    assertEquals(201, http.send("POST", "/api/files", t, closed.getBytes(StandardCharsets.UTF_8),
        "Content-Type", "multipart/form-data; boundary=\"" + boundary + "\"").status());
    assertEquals(1, http.get("/api/files", t).json().getJsonArray("files").size());
    assertNoReservations("unclosed");
    try (Stream<Path> staging = Files.list(stagingDir("unclosed"))) {
      assertEquals(0, staging.count(), "staging files dropped");
    }
  }

  /**
   * A form is stored whole or not at all when a part is refused before the form has arrived: a bad
   * name after a good part, or a streamed part past the quota after one that fits, stored the parts
   * before it although the answer was an error.
   */
  @Test
  void aRefusedPartStoresNoneOfTheFormsParts() throws Exception {
    String t = node.account("wholeform", "secret1");
    String boundary = "----w" + System.nanoTime();
    for (int size : new int[] {5, 300_000}) { // inline-sized parts, then streamed ones
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"good" + size + ".bin\"\r\n\r\n")
          .getBytes(StandardCharsets.UTF_8));
      body.write(random(size, 60));
      body.write(("\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"..\"\r\n\r\nxyz\r\n--"
          + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
      Http.Resp r = http.send("POST", "/api/files", t, body.toByteArray(), "Content-Type", "multipart/form-data; boundary=" + boundary);
      assertEquals(400, r.status(), r.toString());
      assertEquals(0, http.get("/api/files", t).json().getJsonArray("files").size(), size + ": nothing of the form is stored");
    }
    // 10 MB quota (4 MB a file): two parts of 3.5 MB fit, a third does not; none of them is stored.
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (int i = 0; i < 3; i++) formPart(body, boundary, "big" + i + ".bin", random(3_500_000, 61 + i));
    formEnd(body, boundary);
    Http.Resp refused = postFormOverOneConnection(t, boundary, body.toByteArray());
    assertEquals(507, refused.status(), refused.toString());
    awaitNoReservations("wholeform");
    assertEquals(0, http.get("/api/files", t).json().getJsonArray("files").size(), "no part of the form is stored");
    try (Stream<Path> staging = Files.list(stagingDir("wholeform"))) {
      assertEquals(0, staging.count(), "staging files dropped");
    }
  }

  @Test
  void aFormFilenameThatIsNotUtf8IsRefusedNotRenamed() throws Exception {
    String t = node.account("latin1", "secret1");
    String boundary = "----u" + System.nanoTime();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"ok.txt\"\r\n\r\nfine\r\n--"
        + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bad").getBytes(StandardCharsets.UTF_8));
    body.write(0xff); // ISO-8859-1 "ÿ": malformed as UTF-8
    body.write((".txt\"\r\n\r\nu\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    Http.Resp r = postFormOverOneConnection(t, boundary, body.toByteArray());
    assertEquals(400, r.status(), r.toString());
    assertEquals("bad_request", r.json().getString("error"));
    assertEquals(0, http.get("/api/files", t).json().getJsonArray("files").size(), "nothing of the form is stored");
  }

  @Test
  void aFormOfMorePartsThanTheLimitIs413AndStoresNothing() throws Exception {
    String t = node.account("manyparts", "secret1");
    String boundary = "----m" + System.nanoTime();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (int i = 0; i < 300; i++) formPart(body, boundary, "p" + i + ".txt", new byte[] {'x'});
    formEnd(body, boundary);
    Http.Resp r = postFormOverOneConnection(t, boundary, body.toByteArray());
    assertEquals(413, r.status(), r.toString());
    assertTrue(r.json().getString("message").contains("256"), r.toString());
    assertEquals(0, http.get("/api/files", t).json().getJsonArray("files").size(), "nothing of the form is stored");
    long deadline = System.currentTimeMillis() + 10_000;
    while (SmallUploads.inFlight() != 0 && System.currentTimeMillis() < deadline) Thread.sleep(20);
    assertEquals(0, SmallUploads.inFlight());
    assertNoReservations("manyparts");
  }

  /**
   * POSTs a whole multipart body on a raw connection and reads the answer, which may come (and the
   * connection close) before the body is all sent: a refusal does not wait for the rest.
   */
  private Http.Resp postFormOverOneConnection(String token, String boundary, byte[] body) throws Exception {
    try (Socket s = new Socket("127.0.0.1", http.port)) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(("POST /api/files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\nContent-Type: multipart/form-data; boundary="
          + boundary + "\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      try {
        out.write(body);
        out.flush();
      } catch (java.io.IOException e) {
        // refused and closed early: the answer is waiting
      }
      return Http.readResponse(s.getInputStream(), false);
    }
  }

  @Test
  void multipartOverQuotaIs507AndADroppedFormLeavesNothing() throws Exception {
    String t = node.account("formfull", "secret1");
    for (int i = 0; i < 3; i++) assertEquals(201, put(t, "base" + i, random(3_000_000, 20 + i)).status());
    String boundary = "----q" + System.nanoTime();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"over.bin\"\r\n\r\n")
        .getBytes(StandardCharsets.UTF_8));
    body.write(random(2_000_000, 30));
    body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    Http.Resp r = postFormOverOneConnection(t, boundary, body.toByteArray());
    assertEquals(507, r.status(), r.toString());
    assertEquals("quota_exceeded", r.json().getString("error"));
    awaitNoReservations("formfull");
    assertEquals(3, http.get("/api/files", t).json().getJsonArray("files").size());

    // A form cut off in the middle of a part: nothing of it is stored.
    try (Socket s = new Socket("127.0.0.1", http.port)) {
      OutputStream out = s.getOutputStream();
      out.write(("POST /api/files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + t + "\r\nContent-Type: multipart/form-data; boundary="
          + boundary + "\r\nContent-Length: 900000\r\n\r\n--" + boundary
          + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cut.bin\"\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.write(random(200_000, 31));
      out.flush();
      Thread.sleep(300);
    }
    awaitNoReservations("formfull");
    assertEquals(3, http.get("/api/files", t).json().getJsonArray("files").size());
    try (Stream<Path> staging = Files.list(stagingDir("formfull"))) {
      assertEquals(0, staging.count(), "staging file dropped");
    }
  }

  @Test
  void concurrentUploadsOverTheQuotaExactlyThoseThatFitSucceed() throws Exception {
    String t = node.account("racer", "secret1");
    // 10 MB quota: 9 uploads of 1.5 MB at once, at most 6 fit.
    java.net.http.HttpClient c = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
    List<java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<String>>> all = new java.util.ArrayList<>();
    for (int i = 0; i < 9; i++) {
      all.add(c.sendAsync(java.net.http.HttpRequest.newBuilder(http.uri("/api/files/r" + i))
          .header("Authorization", "Bearer " + t)
          .PUT(java.net.http.HttpRequest.BodyPublishers.ofByteArray(random(1_500_000, 40 + i))).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString()));
    }
    int ok = 0;
    int full = 0;
    for (var f : all) {
      int st = f.get(60, java.util.concurrent.TimeUnit.SECONDS).statusCode();
      if (st == 201) ok++;
      else if (st == 507) full++;
    }
    assertEquals(6, ok);
    assertEquals(3, full);
    JsonObject usage = http.get("/api/me", t).json().getJsonObject("usage");
    assertEquals(9_000_000L, usage.getLong("usedBytes"));
    assertEquals(6, usage.getInteger("fileCount"));
    awaitNoReservations("racer");
  }

  @Test
  void downloadLinksWorkWithoutHeadersForOneFileOnly() throws Exception {
    String t = node.account("linker", "secret1");
    byte[] data = random(5000, 9);
    assertEquals(201, put(t, "doc one.pdf", data).status());
    assertEquals(201, put(t, "other", new byte[] {1}).status());
    assertEquals(404, http.send("POST", "/api/files/nothing.pdf/link", t, new byte[0]).status(),
        "no link to a file that is not there");
    Http.Resp link = http.send("POST", "/api/files/doc%20one.pdf/link", t, new byte[0]);
    assertEquals(200, link.status(), link.toString());
    String url = link.json().getString("url");
    assertTrue(url.startsWith("/api/files/doc%20one.pdf?dl="), url);
    assertTrue(ISO_MILLIS.matcher(link.json().getString("expiresAt")).matches());
    Http.Resp dl = http.get(url, null);
    assertEquals(200, dl.status());
    assertArrayEquals(data, dl.body());
    assertEquals(206, http.get(url, null, "Range", "bytes=0-9").status());
    Http.Resp head = http.raw("HEAD " + url + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", null);
    assertEquals(200, head.status());
    String token = url.substring(url.indexOf("?dl="));
    Http.Resp wrongFile = http.get("/api/files/other" + token, null);
    assertEquals(401, wrongFile.status());
    assertNull(wrongFile.header("www-authenticate"), "a stale link must not pop a password dialog");
    assertEquals(401, http.send("DELETE", url, null, null).status());
    assertEquals(401, http.send("PUT", url, null, new byte[] {1}).status());
    assertEquals(401, http.get("/api/files" + token, null).status());
    assertEquals(401, http.get("/api/files/doc%20one.pdf?dl=forged", null).status());
    assertEquals(2, http.get("/api/files", t).json().getJsonArray("files").size());
  }

  /** A link made in a session ends with the session; one made with Basic credentials lives its 60 s. */
  @Test
  void aDownloadLinkEndsWhenItsSessionIsLoggedOut() throws Exception {
    String t = node.account("linkleaver", "secret1");
    assertEquals(201, put(t, "f.bin", new byte[] {1, 2, 3}).status());
    String url = http.send("POST", "/api/files/f.bin/link", t, new byte[0]).json().getString("url");
    String basic = "Basic " + java.util.Base64.getEncoder()
        .encodeToString("linkleaver:secret1".getBytes(StandardCharsets.UTF_8));
    String basicUrl = http.send("POST", "/api/files/f.bin/link", null, new byte[0], "Authorization", basic)
        .json().getString("url");
    assertEquals(200, http.get(url, null).status());
    assertEquals(204, http.send("POST", "/api/logout", t, new byte[0]).status());
    Http.Resp after = http.get(url, null);
    assertEquals(401, after.status(), after.toString());
    assertNull(after.header("www-authenticate"));
    assertEquals(200, http.get(basicUrl, null).status(), "no session to end");
  }

  @Test
  void aDownloadLinkServesItsOwnersFileEvenWithAnotherUsersCredentials() throws Exception {
    String owner = node.account("linkowner", "secret1");
    String other = node.account("linkother", "secret1");
    byte[] mine = random(3000, 4);
    assertEquals(201, put(owner, "shared.bin", mine).status());
    assertEquals(201, put(other, "shared.bin", new byte[] {7, 7, 7}).status());
    String url = http.send("POST", "/api/files/shared.bin/link", owner, new byte[0]).json().getString("url");
    String basicOther = "Basic " + java.util.Base64.getEncoder()
        .encodeToString("linkother:secret1".getBytes(StandardCharsets.UTF_8));
    // What a browser does: it sends the Basic credentials it cached for this origin along with the link.
    Http.Resp dl = http.get(url, null, "Authorization", basicOther);
    assertEquals(200, dl.status(), dl.toString());
    assertArrayEquals(mine, dl.body());
    // A link never authorises a write, whatever else the request carries.
    assertEquals(401, http.send("DELETE", url, null, null).status());
    assertEquals(204, http.send("DELETE", url, null, null, "Authorization", basicOther).status());
    assertEquals(404, http.get("/api/files/shared.bin", other).status());
    assertEquals(200, http.get("/api/files/shared.bin", owner).status());
  }

  @Test
  void userContentIsNeverServedAsAPage() throws Exception {
    String t = node.account("attacker", "secret1");
    assertEquals(201, put(t, "x.html", "<script>alert(1)</script>".getBytes(StandardCharsets.UTF_8)).status());
    Http.Resp r = http.get("/api/files/x.html", t);
    assertTrue(r.header("content-disposition").startsWith("attachment"));
    assertEquals("application/octet-stream", r.header("content-type"));
    assertEquals("nosniff", r.header("x-content-type-options"));
    assertTrue(r.header("content-security-policy").contains("sandbox"));
  }

  // ------------------------------------------------------------------ helpers

  /** A chunked PUT over a raw socket; with stopOnAnswer, reading the answer as soon as the server gives it. */
  static Http.Resp chunkedPut(String token, String name, byte[] data, int chunk, boolean stopOnAnswer) throws Exception {
    try (Socket s = new Socket("127.0.0.1", http.port)) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(("PUT /api/files/" + FilePath.encodeSegment(name) + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
          + "\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      try {
        for (int off = 0; off < data.length; off += chunk) {
          int n = Math.min(chunk, data.length - off);
          out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
          out.write(data, off, n);
          out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
          if (stopOnAnswer && s.getInputStream().available() > 0) break;
        }
        out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
      } catch (java.io.IOException e) {
        // The server stopped reading and closed: its answer is already in our receive buffer.
      }
      return Http.readResponse(s.getInputStream(), false);
    }
  }

  /** The user's staging directory in the blob store (v2: root/staging/<user>). */
  static Path stagingDir(String user) {
    return Path.of(Config.string(node.server.config(), "storage.root"), "staging", user.toLowerCase());
  }

  static void assertNoReservations(String user) throws Exception { assertNoReservations(node, user); }

  /**
   * No open reservation for the user in the metadata database (v2: SQLite at the storage root; it used
   * to be the v1 ledger file), neither a row nor reserved bytes on the user's usage row.
   */
  static void assertNoReservations(TestNode n, String user) throws Exception {
    Path db = Path.of(Config.string(n.server.config(), "storage.root"), "dropbox.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
         PreparedStatement ps = c.prepareStatement("SELECT u.reserved_bytes, (SELECT COUNT(*) FROM reservations r"
             + " WHERE r.user_id = u.id) FROM users u WHERE u.name_key = ?")) {
      ps.setString(1, user.toLowerCase());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) return; // the user never reserved anything
        assertEquals(0, rs.getLong(1), "reserved bytes of " + user);
        assertEquals(0, rs.getLong(2), "open reservations of " + user);
      }
    }
  }

  /** Aborts are sent when the server notices the disconnect: wait (bounded) for the ledger to show it. */
  static void awaitNoReservations(String user) throws Exception { awaitNoReservations(node, user); }

  static void awaitNoReservations(TestNode n, String user) throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      try {
        assertNoReservations(n, user);
        return;
      } catch (AssertionError e) {
        if (System.currentTimeMillis() > deadline) throw e;
        Thread.sleep(50);
      }
    }
  }
}
