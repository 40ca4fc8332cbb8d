package dropbox.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.Config;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * rest-api.md "Folders (v2)" end to end: a real node on storage.engine=v2 (set here explicitly, whatever the
 * default engine is), real sockets, the bytes a client sends and gets.
 */
class FolderRoutesTest {
  static final Pattern ISO_MILLIS = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
  @TempDir static Path dir;
  static TestNode node;
  static TestNode v1;
  static Http http;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start(Files.createDirectories(dir.resolve("v2")), cfg -> {
      Config.put(cfg, "storage.engine", "v2");
      Config.put(cfg, "quota.defaultBytes", 10_000_000L);
      Config.put(cfg, "quota.users.tight", 1000L);
      Config.put(cfg, "http.sseHeartbeatMillis", 300);
    });
    http = node.http;
    v1 = TestNode.start(Files.createDirectories(dir.resolve("v1")), cfg -> Config.put(cfg, "storage.engine", "v1"));
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (node != null) node.close();
    } finally {
      if (v1 != null) v1.close();
    }
  }

  static String enc(String path) { return FilePath.encodePath(path); }

  static Http.Resp putFile(String t, String path, String content) throws Exception {
    return http.send("PUT", "/api/files/" + enc(path), t, content.getBytes(StandardCharsets.UTF_8));
  }

  static Http.Resp mkdir(String t, String path) throws Exception {
    return http.send("PUT", "/api/folders/" + enc(path), t, null);
  }

  static Http.Resp list(String t, String pathAndQuery) throws Exception {
    return http.get("/api/folders/" + pathAndQuery, t);
  }

  static Http.Resp move(String op, String t, String from, String to, Boolean overwrite) throws Exception {
    JsonObject b = new JsonObject().put("from", from).put("to", to);
    if (overwrite != null) b.put("overwrite", overwrite);
    return http.json("POST", "/api/" + op, t, b);
  }

  static List<String> names(Http.Resp r) {
    List<String> out = new ArrayList<>();
    for (Object o : r.json().getJsonArray("entries")) out.add(((JsonObject) o).getString("name"));
    return out;
  }

  @Test
  void listingShowsFoldersFirstWithTheSpecShape() throws Exception {
    String t = node.account("shape", "secret1");
    Http.Resp empty = list(t, "");
    assertEquals(200, empty.status(), empty.toString());
    assertEquals("application/json; charset=utf-8", empty.header("content-type"));
    JsonObject e = empty.json();
    assertEquals("", e.getString("path"));
    assertEquals(0, e.getJsonArray("entries").size());
    assertTrue(e.containsKey("cursor"));
    assertNull(e.getValue("cursor"));
    assertEquals(0L, e.getJsonObject("usage").getLong("usedBytes"));
    assertEquals(200, http.get("/api/folders", t).status(), "without the trailing slash it is the root too");

    assertEquals(201, putFile(t, "b.txt", "bee").status());
    assertEquals(201, putFile(t, "docs/a.txt", "hello").status(), "PUT creates the parent folder");
    assertEquals(201, mkdir(t, "zeta").status());
    Http.Resp root = list(t, "");
    assertEquals(List.of("docs", "zeta", "b.txt"), names(root), "folders first, then files");
    JsonObject docs = root.json().getJsonArray("entries").getJsonObject(0);
    assertEquals(Set.of("name", "type", "size", "sha256", "created", "modified"), docs.fieldNames());
    assertEquals("folder", docs.getString("type"));
    assertTrue(docs.containsKey("size") && docs.getValue("size") == null, "a folder's size is null");
    assertTrue(docs.containsKey("sha256") && docs.getValue("sha256") == null);
    assertTrue(ISO_MILLIS.matcher(docs.getString("created")).matches());
    JsonObject b = root.json().getJsonArray("entries").getJsonObject(2);
    assertEquals("file", b.getString("type"));
    assertEquals(3L, b.getLong("size"));
    assertEquals(64, b.getString("sha256").length());
    assertTrue(ISO_MILLIS.matcher(b.getString("modified")).matches());
    assertEquals(8L, root.json().getJsonObject("usage").getLong("usedBytes"));

    Http.Resp inDocs = list(t, "docs");
    assertEquals("docs", inDocs.json().getString("path"));
    assertEquals(List.of("a.txt"), names(inDocs), "entries carry the child's name, not its full path");
    Http.Resp missing = list(t, "nope");
    assertEquals(404, missing.status());
    assertEquals("not_found", missing.json().getString("error"));
    assertEquals(404, list(t, "b.txt").status(), "a file is not a folder");
  }

  @Test
  void putFolderIs201Then200AndCreatesParents() throws Exception {
    String t = node.account("maker", "secret1");
    Http.Resp made = mkdir(t, "a/b/c");
    assertEquals(201, made.status(), made.toString());
    assertEquals("a/b/c", made.json().getString("path"));
    assertEquals("folder", made.json().getString("type"));
    Http.Resp again = mkdir(t, "a/b/c");
    assertEquals(200, again.status());
    assertEquals(made.json().getString("created"), again.json().getString("created"));
    assertEquals(200, mkdir(t, "a").status(), "a parent made on the way exists");
    Http.Resp withBody = http.send("PUT", "/api/folders/withbody", t, "{}".getBytes(StandardCharsets.UTF_8));
    assertEquals(400, withBody.status(), withBody.toString());
    assertEquals(404, list(t, "withbody").status());
    // Kept alive: after a bodiless PUT the same connection serves the next request.
    try (java.net.Socket sock = new java.net.Socket("127.0.0.1", node.port())) {
      sock.setSoTimeout(30_000);
      String head = "Host: x\r\nAuthorization: Bearer " + t + "\r\nContent-Length: 0\r\n";
      sock.getOutputStream().write(("PUT /api/folders/k1 HTTP/1.1\r\n" + head + "\r\nPUT /api/folders/k2 HTTP/1.1\r\n"
          + head + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      assertEquals(201, Http.readResponse(sock.getInputStream(), false).status());
      assertEquals(201, Http.readResponse(sock.getInputStream(), false).status());
    }
    assertEquals(List.of("c"), names(list(t, "a/b")));

    assertEquals(201, putFile(t, "f", "x").status());
    Http.Resp underFile = mkdir(t, "f/sub");
    assertEquals(409, underFile.status());
    assertEquals("conflict", underFile.json().getString("error"));
    assertEquals(409, mkdir(t, "f").status(), "a file already has that path");
  }

  @Test
  void deleteFolderTakesEverythingAndFreesTheQuota() throws Exception {
    String t = node.account("deleter", "secret1");
    for (int i = 0; i < 5; i++) assertEquals(201, putFile(t, "tree/sub" + i + "/f.txt", "12345").status());
    assertEquals(25L, http.get("/api/me", t).json().getJsonObject("usage").getLong("usedBytes"));
    Http.Resp del = http.send("DELETE", "/api/folders/tree", t, null);
    assertEquals(204, del.status(), del.toString());
    assertEquals(0, del.body().length);
    assertEquals(0L, http.get("/api/me", t).json().getJsonObject("usage").getLong("usedBytes"));
    assertEquals(List.of(), names(list(t, "")));
    assertEquals(404, http.send("DELETE", "/api/folders/tree", t, null).status());
    assertEquals(201, putFile(t, "plain", "x").status());
    assertEquals(404, http.send("DELETE", "/api/folders/plain", t, null).status(), "a file is no folder");
    Http.Resp root = http.send("DELETE", "/api/folders/", t, null);
    assertEquals(400, root.status(), "the root cannot be removed: " + root);
  }

  @Test
  void moveAndCopyFilesAndFolders() throws Exception {
    String t = node.account("mover", "secret1");
    assertEquals(201, putFile(t, "in/a.txt", "alpha").status());
    assertEquals(201, putFile(t, "in/b.txt", "beta").status());

    Http.Resp moved = move("move", t, "in/a.txt", "out/renamed.txt", null);
    assertEquals(200, moved.status(), moved.toString());
    JsonObject m = moved.json();
    assertEquals("out/renamed.txt", m.getString("path"));
    assertEquals("file", m.getString("type"));
    assertEquals(5L, m.getLong("size"));
    assertEquals(404, http.get("/api/files/in/a.txt", t).status());
    assertEquals("alpha", http.get("/api/files/out/renamed.txt", t).text());

    Http.Resp exists = move("move", t, "in/b.txt", "out/renamed.txt", false);
    assertEquals(409, exists.status());
    assertEquals("conflict", exists.json().getString("error"));
    Http.Resp over = move("move", t, "in/b.txt", "out/renamed.txt", true);
    assertEquals(200, over.status(), "overwrite replaces a file");
    assertEquals("beta", http.get("/api/files/out/renamed.txt", t).text());
    assertEquals(4L, http.get("/api/me", t).json().getJsonObject("usage").getLong("usedBytes"));
    assertEquals(409, move("move", t, "out/renamed.txt", "in", true).status(), "never over a folder");

    Http.Resp folderCopy = move("copy", t, "out", "out2", null);
    assertEquals(201, folderCopy.status(), folderCopy.toString());
    assertEquals("folder", folderCopy.json().getString("type"));
    assertNull(folderCopy.json().getValue("size"));
    assertEquals("beta", http.get("/api/files/out2/renamed.txt", t).text());
    assertEquals(8L, http.get("/api/me", t).json().getJsonObject("usage").getLong("usedBytes"), "a copy counts");
    Http.Resp fileCopy = move("copy", t, "out/renamed.txt", "c.txt", null);
    assertEquals(201, fileCopy.status());
    assertEquals("file", fileCopy.json().getString("type"));
    assertEquals(409, move("copy", t, "out/renamed.txt", "c.txt", null).status());

    Http.Resp intoItself = move("move", t, "out", "out/deeper/out", null);
    assertEquals(400, intoItself.status());
    assertEquals("bad_request", intoItself.json().getString("error"));
    assertEquals(400, move("copy", t, "out", "out/x", null).status());
    assertEquals(404, move("move", t, "nothing", "x", null).status());
    Http.Resp folderMove = move("move", t, "out2", "archive/2026/out2", null);
    assertEquals(200, folderMove.status());
    assertEquals("folder", folderMove.json().getString("type"));
    assertEquals(List.of("renamed.txt"), names(list(t, "archive/2026/out2")));
  }

  @Test
  void moveAndCopyBodiesAreChecked() throws Exception {
    String t = node.account("bodies", "secret1");
    assertEquals(201, putFile(t, "f", "x").status());
    for (String body : List.of("", "not json", "[1]", "{}", "{\"from\":\"f\"}", "{\"from\":1,\"to\":\"g\"}",
        "{\"from\":\"f\",\"to\":\"g\",\"overwrite\":\"yes\"}", "{\"from\":\"f\",\"to\":\"g\",\"overwrite\":null}",
        "{\"from\":\"f\",\"to\":\"g\",\"overwrite\":0}", "{\"from\":\"/f\",\"to\":\"g\"}",
        "{\"from\":\"f\",\"to\":\"a//b\"}", "{\"from\":\"\",\"to\":\"g\"}", "{\"from\":\"f\",\"to\":\"..\"}",
        "{\"from\":\"f\",\"to\":\"g\",\"overwite\":true}", "{\"from\":\"f\",\"to\":\"g\",\"extra\":1}")) {
      for (String op : List.of("move", "copy")) {
        Http.Resp r = http.send("POST", "/api/" + op, t, body.getBytes(StandardCharsets.UTF_8),
            "Content-Type", "application/json");
        assertEquals(400, r.status(), op + " " + body + " -> " + r);
        assertEquals("bad_request", r.json().getString("error"));
        assertFalse(r.json().getString("message").isBlank());
      }
    }
    assertEquals(List.of("f"), names(list(t, "")), "nothing changed");
    Http.Resp get = http.get("/api/move", t);
    assertEquals(405, get.status(), get.toString());
  }

  @Test
  void copyChargesTheQuotaAnd507WhenFull() throws Exception {
    String t = node.account("tight", "secret1");
    assertEquals(201, putFile(t, "d/blob", "x".repeat(400)).status());
    assertEquals(201, move("copy", t, "d", "d2", null).status());
    Http.Resp full = move("copy", t, "d", "d3", null);
    assertEquals(507, full.status(), full.toString());
    assertEquals("quota_exceeded", full.json().getString("error"));
    assertEquals(507, move("copy", t, "d/blob", "blob3", null).status());
    assertEquals(800L, http.get("/api/me", t).json().getJsonObject("usage").getLong("usedBytes"));
    assertEquals(List.of("d", "d2"), names(list(t, "")), "a refused copy leaves nothing");
    assertEquals(200, move("move", t, "d2", "moved", null).status(), "a move needs no room");
  }

  @Test
  void limitAndCursorAreChecked() throws Exception {
    String t = node.account("limits", "secret1");
    for (int i = 0; i < 3; i++) assertEquals(201, putFile(t, "f" + i, "x").status());
    for (String q : List.of("limit=0", "limit=10001", "limit=-1", "limit=abc", "limit=99999999999", "limit=",
        "sort=colour", "order=up", "sort=NAME", "cursor=garbage", "cursor=%00%01", "cursor=eyJ4IjoxfQ")) {
      Http.Resp r = list(t, "?" + q);
      assertEquals(400, r.status(), q + " -> " + r);
      assertEquals("bad_request", r.json().getString("error"));
    }
    assertEquals(1, names(list(t, "?limit=1")).size());
    assertEquals(3, names(list(t, "?limit=10000")).size());
    // A cursor belongs to the listing (folder and order) it came from.
    String c = list(t, "?limit=1").json().getString("cursor");
    assertNotNull(c);
    assertEquals(400, list(t, "?limit=1&sort=size&cursor=" + c).status());
    assertEquals(201, mkdir(t, "sub").status());
    assertEquals(400, list(t, "sub?limit=1&cursor=" + c).status());
    for (String q : List.of("limit=0", "limit=10001", "limit=x", "cursor=garbage")) {
      assertEquals(400, http.get("/api/files?" + q, t).status(), "GET /api/files?" + q);
    }
  }

  /** Every sort and order, pages of 7 through 40 entries, while files are added between pages. */
  @Test
  void pagingEachSortAndOrderHasNoDuplicatesOrGaps() throws Exception {
    String t = node.account("pager", "secret1");
    Map<String, Integer> sizes = new LinkedHashMap<>();
    for (int i = 0; i < 30; i++) {
      String name = "f" + (char) ('a' + (i * 7) % 26) + i;
      int size = (i * 13) % 10 + 1; // repeated sizes: the name breaks ties
      sizes.put(name, size);
      assertEquals(201, putFile(t, "p/" + name, "x".repeat(size)).status());
    }
    for (int i = 0; i < 10; i++) assertEquals(201, mkdir(t, "p/dir" + (char) ('k' - i)).status());
    int added = 0;
    for (String sort : List.of("name", "size", "modified")) {
      for (String order : List.of("asc", "desc")) {
        List<JsonObject> seen = new ArrayList<>();
        Set<String> present = new HashSet<>(names(list(t, "p?limit=10000")));
        String cursor = null;
        int pages = 0;
        do {
          String q = "p?limit=7&sort=" + sort + "&order=" + order + (cursor == null ? "" : "&cursor=" + cursor);
          Http.Resp r = list(t, q);
          assertEquals(200, r.status(), q + " -> " + r);
          for (Object o : r.json().getJsonArray("entries")) seen.add((JsonObject) o);
          cursor = r.json().getString("cursor");
          pages++;
          // A writer adds a file between pages: entries present throughout must still come exactly once.
          assertEquals(201, putFile(t, "p/new" + (added++), "y").status());
        } while (cursor != null);
        assertTrue(pages >= 6, sort + " " + order + ": " + pages + " pages");
        List<String> got = seen.stream().map(j -> j.getString("name")).toList();
        assertEquals(got.size(), new HashSet<>(got).size(), "no duplicates: " + got);
        assertTrue(got.containsAll(present), sort + " " + order + ": gap, missing "
            + present.stream().filter(n -> !got.contains(n)).toList());
        assertSorted(seen, sort, order.equals("desc"));
      }
    }
  }

  private static void assertSorted(List<JsonObject> entries, String sort, boolean desc) {
    for (int i = 1; i < entries.size(); i++) {
      JsonObject a = entries.get(i - 1);
      JsonObject b = entries.get(i);
      int c;
      if (sort.equals("name")) {
        // folders first, then files, each group by name
        int ga = a.getString("type").equals("folder") ? 0 : 1;
        int gb = b.getString("type").equals("folder") ? 0 : 1;
        assertTrue(ga <= gb, "folders first: " + a + " before " + b);
        if (ga != gb) continue;
        c = a.getString("name").compareTo(b.getString("name"));
      } else {
        long va = sort.equals("size") ? sizeOf(a) : java.time.Instant.parse(a.getString("modified")).toEpochMilli();
        long vb = sort.equals("size") ? sizeOf(b) : java.time.Instant.parse(b.getString("modified")).toEpochMilli();
        c = va != vb ? Long.compare(va, vb) : a.getString("name").compareTo(b.getString("name"));
      }
      assertTrue(desc ? c > 0 : c < 0, sort + (desc ? " desc" : " asc") + ": " + a + " then " + b);
    }
  }

  private static long sizeOf(JsonObject e) { return e.getValue("size") == null ? 0 : e.getLong("size"); }

  @Test
  void getApiFilesListsTheWholeTreeAndPages() throws Exception {
    String t = node.account("tree", "secret1");
    List<String> paths = List.of("a/x/1", "a/x/2", "a/y", "b", "c/d/e/f", "z");
    for (String p : paths) assertEquals(201, putFile(t, p, p).status());
    assertEquals(201, mkdir(t, "empty").status());
    Http.Resp all = http.get("/api/files", t);
    assertEquals(200, all.status());
    List<String> names = new ArrayList<>();
    for (Object o : all.json().getJsonArray("files")) names.add(((JsonObject) o).getString("name"));
    assertEquals(paths, names, "every file, name = full path, no folders");
    assertFalse(all.json().containsKey("cursor"), "unpaged: the v1 shape");

    // Pages of every size give the same listing; the cursor resumes inside nested folders.
    for (int limit = 1; limit <= 7; limit++) assertEquals(paths, pageAll(t, limit, null));

    // Between pages a file is added before the cursor (not repeated), the cursor's own folder is removed
    // and a file is added after it (listed): files present throughout come exactly once.
    List<String> paged = new ArrayList<>();
    Http.Resp first = http.get("/api/files?limit=2", t);
    for (Object o : first.json().getJsonArray("files")) paged.add(((JsonObject) o).getString("name"));
    assertEquals(List.of("a/x/1", "a/x/2"), paged);
    assertEquals(201, putFile(t, "a/0", "new").status());
    assertEquals(204, http.send("DELETE", "/api/folders/a/x", t, null).status());
    assertEquals(201, putFile(t, "y", "new").status());
    paged.addAll(pageAll(t, 2, first.json().getString("cursor")));
    assertEquals(List.of("a/x/1", "a/x/2", "a/y", "b", "c/d/e/f", "y", "z"), paged);
  }

  /** Every page of GET /api/files from cursor on, checking each page's shape. */
  private static List<String> pageAll(String t, int limit, String cursor) throws Exception {
    List<String> out = new ArrayList<>();
    do {
      Http.Resp r = http.get("/api/files?limit=" + limit + (cursor == null ? "" : "&cursor=" + cursor), t);
      assertEquals(200, r.status(), r.toString());
      JsonArray files = r.json().getJsonArray("files");
      assertTrue(files.size() <= limit);
      for (Object o : files) out.add(((JsonObject) o).getString("name"));
      assertTrue(r.json().containsKey("cursor"));
      cursor = r.json().getString("cursor");
      assertTrue(cursor == null || files.size() == limit, "a page before the last is full");
    } while (cursor != null);
    return out;
  }

  @Test
  void filePathsHaveManyPercentEncodedSegments() throws Exception {
    String t = node.account("paths", "secret1");
    String raw = "/api/files/%C3%A9t%C3%A9/%E6%97%A5%E6%9C%AC/r%C3%A9sum%C3%A9%20final.txt";
    Http.Resp up = http.send("PUT", raw, t, "bonjour".getBytes(StandardCharsets.UTF_8));
    assertEquals(201, up.status(), up.toString());
    assertEquals("été/日本/résumé final.txt", up.json().getString("name"));
    // Lower-case escapes name the same path.
    Http.Resp get = http.get(raw.toLowerCase().replace("/api/files/", "/api/files/"), t);
    assertEquals(200, get.status(), get.toString());
    assertEquals("bonjour", get.text());
    assertTrue(get.header("content-disposition").endsWith("''r%C3%A9sum%C3%A9%20final.txt"),
        "saved under its own name: " + get.header("content-disposition"));
    assertEquals(List.of("日本"), names(list(t, "%C3%A9t%C3%A9")));
    assertEquals(List.of("résumé final.txt"), names(list(t, "%c3%a9t%c3%a9/%E6%97%A5%E6%9C%AC")));
    Http.Resp head = http.send("HEAD", raw, t, null);
    assertEquals(200, head.status());
    assertEquals("7", head.header("content-length"));

    Http.Resp link = http.send("POST", raw + "/link", t, new byte[0]);
    assertEquals(200, link.status(), link.toString());
    String url = link.json().getString("url");
    assertTrue(url.startsWith("/api/files/%C3%A9t%C3%A9/%E6%97%A5%E6%9C%AC/r%C3%A9sum%C3%A9%20final.txt?dl="), url);
    assertEquals("bonjour", http.get(url, null).text(), "the link needs no header");

    // A file may be called "link": only a POST asks for a link.
    assertEquals(201, putFile(t, "docs/link", "l").status());
    assertEquals("l", http.get("/api/files/docs/link", t).text());

    assertEquals(204, http.send("DELETE", raw, t, null).status());
    assertEquals(404, http.get(raw, t).status());
    assertEquals(List.of("日本"), names(list(t, "%C3%A9t%C3%A9")), "deleting a file leaves its folder");
  }

  @Test
  void encodedSlashesAndBadSegmentsAre400() throws Exception {
    String t = node.account("slashes", "secret1");
    assertEquals(201, putFile(t, "a/b", "x").status());
    for (String p : List.of("a%2Fb", "a%2fb", "a/%2e%2e/b", "a//b", "a/", "/a", "a/./b", "a/..", "a/%00",
        "a/%zz", "a/%C3%28", "a/evil%E2%80%AEtxt.exe", String.join("/", java.util.Collections.nCopies(65, "s")))) {
      for (String method : List.of("GET", "HEAD", "PUT", "DELETE")) {
        Http.Resp r = http.raw(method + " /api/files/" + p + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + t
            + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", null);
        assertEquals(400, r.status(), method + " files/" + p + " -> " + r);
      }
      for (String method : List.of("GET", "PUT", "DELETE")) {
        Http.Resp r = http.raw(method + " /api/folders/" + p + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + t
            + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", null);
        assertEquals(400, r.status(), method + " folders/" + p + " -> " + r);
        assertEquals("bad_request", r.json().getString("error"));
      }
    }
    assertEquals(List.of("a"), names(list(t, "")));
    assertEquals(List.of("b"), names(list(t, "a")));
    Http.Resp patch = http.send("PATCH", "/api/folders/a", t, new byte[0]);
    assertEquals(405, patch.status());
    assertEquals("GET, HEAD, PUT, DELETE", patch.header("allow"));
  }

  @Test
  void putFileConflictsWithFolders() throws Exception {
    String t = node.account("conflicts", "secret1");
    assertEquals(201, putFile(t, "f", "file").status());
    Http.Resp underFile = putFile(t, "f/g", "x");
    assertEquals(409, underFile.status(), underFile.toString());
    assertEquals("conflict", underFile.json().getString("error"));
    assertEquals(201, mkdir(t, "dir").status());
    Http.Resp onFolder = putFile(t, "dir", "x");
    assertEquals(409, onFolder.status(), onFolder.toString());
    assertEquals("conflict", onFolder.json().getString("error"));
    assertEquals(4L, http.get("/api/me", t).json().getJsonObject("usage").getLong("usedBytes"), "nothing was charged");
    assertEquals(409, http.send("DELETE", "/api/files/dir", t, null).status(), "a folder is not deleted as a file");
    assertEquals(List.of("dir"), names(list(t, "")).subList(0, 1));
  }

  /** A folder with many files moves in one metadata update: everything at once, nothing in between. */
  @Test
  void movingABigFolderIsAtomic() throws Exception {
    String t = node.account("bigmove", "secret1");
    int n = 300;
    for (int i = 0; i < n; i++) assertEquals(201, putFile(t, "big/f" + i, "c").status());
    // Readers list the folder while it moves: they see all of it at one place or the other, never part.
    List<String> observations = new ArrayList<>();
    Thread reader = new Thread(() -> {
      try {
        for (int i = 0; i < 40; i++) {
          int old = countOf(http.get("/api/folders/big?limit=10000", t));
          int now = countOf(http.get("/api/folders/moved/big?limit=10000", t));
          synchronized (observations) { observations.add(old + "/" + now); }
        }
      } catch (Exception e) {
        synchronized (observations) { observations.add("error " + e); }
      }
    });
    reader.start();
    Http.Resp moved = move("move", t, "big", "moved/big", null);
    assertEquals(200, moved.status(), moved.toString());
    reader.join(120_000);
    assertEquals(n, countOf(list(t, "moved/big?limit=10000")));
    assertEquals(404, list(t, "big").status());
    assertEquals(n, http.get("/api/files", t).json().getJsonArray("files").size());
    synchronized (observations) {
      for (String o : observations) {
        // n/n: the old place was read before the move, the new one after (two requests, not one snapshot).
        assertTrue(o.equals(n + "/-1") || o.equals("-1/" + n) || o.equals(n + "/" + n),
            "a partial move was visible: " + o + " in " + observations);
      }
    }
  }

  private static int countOf(Http.Resp r) {
    return r.status() == 404 ? -1 : r.json().getJsonArray("entries").size();
  }

  @Test
  void eventsForEveryFolderAction() throws Exception {
    String t = node.account("watcher", "secret1");
    try (EventsSseTest.Stream s = new EventsSseTest.Stream(node.port(), t)) {
      assertEquals("HTTP/1.1 200 OK", s.status);
      assertEquals(201, mkdir(t, "w").status());
      JsonObject made = s.nextFileEvent(10_000);
      assertNotNull(made);
      assertEquals("folder_created", made.getString("type"));
      assertEquals("w", made.getString("path"));
      assertEquals("w", made.getString("name"));

      assertEquals(201, putFile(t, "w/sub/f.txt", "abc").status());
      JsonObject up = s.nextFileEvent(10_000);
      assertEquals("uploaded", up.getString("type"));
      assertEquals("w/sub/f.txt", up.getString("path"));
      assertEquals("w/sub/f.txt", up.getString("name"), "name keeps the full path for v1 clients");
      assertEquals(3L, up.getLong("size"));

      assertEquals(200, move("move", t, "w/sub/f.txt", "w/g.txt", null).status());
      JsonObject mv = s.nextFileEvent(10_000);
      assertEquals("moved", mv.getString("type"));
      assertEquals("w/sub/f.txt", mv.getString("from"));
      assertEquals("w/g.txt", mv.getString("path"));
      assertEquals("w/g.txt", mv.getString("name"));

      assertEquals(200, move("move", t, "w", "w2", null).status());
      JsonObject mvFolder = s.nextFileEvent(10_000);
      assertEquals("moved", mvFolder.getString("type"));
      assertEquals("w", mvFolder.getString("from"));
      assertEquals("w2", mvFolder.getString("path"));

      assertEquals(201, move("copy", t, "w2", "w3", null).status());
      JsonObject cp = s.nextFileEvent(10_000);
      assertEquals("folder_created", cp.getString("type"));
      assertEquals("w3", cp.getString("path"));

      assertEquals(204, http.send("DELETE", "/api/folders/w3", t, null).status());
      JsonObject gone = s.nextFileEvent(10_000);
      assertEquals("folder_deleted", gone.getString("type"));
      assertEquals("w3", gone.getString("path"));

      assertEquals(204, http.send("DELETE", "/api/files/w2/g.txt", t, null).status());
      JsonObject del = s.nextFileEvent(10_000);
      assertEquals("deleted", del.getString("type"));
      assertEquals("w2/g.txt", del.getString("path"));

      assertEquals(200, mkdir(t, "w2").status());
      assertNull(s.nextFileEvent(800), "a folder that was already there changed nothing: no event");
    }
  }

  @Test
  void crossOriginWritesAreRefusedBeforeAnything() throws Exception {
    String t = node.account("origin", "secret1");
    assertEquals(201, putFile(t, "keep/me", "x").status());
    String body = "{\"from\":\"keep\",\"to\":\"stolen\"}";
    for (String[] req : new String[][] {{"POST", "/api/move", body}, {"POST", "/api/copy", body},
        {"PUT", "/api/folders/evil", null}, {"DELETE", "/api/folders/keep", null}}) {
      byte[] b = req[2] == null ? new byte[0] : req[2].getBytes(StandardCharsets.UTF_8);
      Http.Resp r = http.raw(req[0] + " " + req[1] + " HTTP/1.1\r\nHost: 127.0.0.1:" + node.port()
          + "\r\nOrigin: http://evil.example\r\nAuthorization: Bearer " + t + "\r\nContent-Type: application/json"
          + "\r\nContent-Length: " + b.length + "\r\nConnection: close\r\n\r\n", b);
      assertEquals(403, r.status(), req[0] + " " + req[1] + " -> " + r);
      assertEquals("forbidden_origin", r.json().getString("error"));
    }
    assertEquals(List.of("keep"), names(list(t, "")), "nothing moved, copied, made or removed");
    // The same request from the server's own origin goes through.
    Http.Resp own = http.raw("POST /api/copy HTTP/1.1\r\nHost: 127.0.0.1:" + node.port() + "\r\nOrigin: http://127.0.0.1:"
        + node.port() + "\r\nAuthorization: Bearer " + t + "\r\nContent-Type: application/json\r\nContent-Length: "
        + body.length() + "\r\nConnection: close\r\n\r\n", body.getBytes(StandardCharsets.UTF_8));
    assertEquals(201, own.status(), own.toString());
  }

  @Test
  void foldersNeedAuthentication() throws Exception {
    assertEquals(401, http.get("/api/folders/", null).status());
    assertEquals(401, http.send("PUT", "/api/folders/x", null, null).status());
    assertEquals(401, http.json("POST", "/api/move", null, new JsonObject().put("from", "a").put("to", "b")).status());
  }

  @Test
  void v1AnswersAClear400() throws Exception {
    String t = v1.account("classic", "secret1");
    Http v1http = v1.http;
    for (Http.Resp r : List.of(v1http.get("/api/folders/", t), v1http.send("PUT", "/api/folders/x", t, null),
        v1http.send("DELETE", "/api/folders/x", t, null),
        v1http.json("POST", "/api/move", t, new JsonObject().put("from", "a").put("to", "b")),
        v1http.json("POST", "/api/copy", t, new JsonObject().put("from", "a").put("to", "b")))) {
      assertEquals(400, r.status(), r.toString());
      assertEquals("bad_request", r.json().getString("error"));
      assertEquals("Folders need storage.engine=v2", r.json().getString("message"));
    }
    // Flat names keep working; a path is an invalid name on v1.
    assertEquals(201, v1http.send("PUT", "/api/files/flat.txt", t, new byte[] {1}).status());
    assertEquals(400, v1http.send("PUT", "/api/files/a/b.txt", t, new byte[] {1}).status());
    JsonArray files = v1http.get("/api/files", t).json().getJsonArray("files");
    assertEquals(1, files.size());
    Http.Resp paged = v1http.get("/api/files?limit=1", t);
    assertEquals(200, paged.status());
    assertNull(paged.json().getValue("cursor"));
  }
}
