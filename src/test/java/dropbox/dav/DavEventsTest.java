package dropbox.dav;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.http.EventsSseTest;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every WebDAV change (PUT, MKCOL, MOVE, COPY, DELETE) publishes on /api/events exactly what the same
 * change made through REST does: each action is done once through REST under "r-…" and once through
 * WebDAV under "d-…" against the real server process, and the two event lists must be equal (paths
 * mapped, times dropped), and be what the action means. A REST upload after each action marks where
 * that action's events end, so an extra or a missing event is seen, not waited out.
 */
class DavEventsTest {
  @TempDir Path dir;

  /** One change, through REST or WebDAV, named by a prefix ("r" or "d") of the top-level names it uses. */
  interface Action {
    DavServer.Answer run(DavServer s, String prefix) throws Exception;
  }

  interface Call {
    DavServer.Answer run() throws Exception;
  }

  /** A change done both ways, and the event types it must publish (null: whatever REST publishes). */
  record Step(String what, List<String> types, Action rest, Action dav) {}

  @Test
  void webdavChangesPublishTheSameEventsAsRest() throws Exception {
    List<Step> steps = List.of(
        new Step("make a folder", List.of("folder_created"),
            (s, p) -> s.curl("-X", "PUT", s.base() + "/api/folders/" + p + "-box"),
            (s, p) -> s.curl("-X", "MKCOL", s.dav() + p + "-box")),
        new Step("upload a file", List.of("uploaded"),
            (s, p) -> s.curl("-T", body("abc"), s.base() + "/api/files/" + p + "-box/f.txt"),
            (s, p) -> s.curl("-T", body("abc"), s.dav() + p + "-box/f.txt")),
        new Step("overwrite it", List.of("uploaded"),
            (s, p) -> s.curl("-T", body("abcd"), s.base() + "/api/files/" + p + "-box/f.txt"),
            (s, p) -> s.curl("-T", body("abcd"), s.dav() + p + "-box/f.txt")),
        new Step("make a sub-folder", List.of("folder_created"),
            (s, p) -> s.curl("-X", "PUT", s.base() + "/api/folders/" + p + "-box/sub"),
            (s, p) -> s.curl("-X", "MKCOL", s.dav() + p + "-box/sub")),
        new Step("upload into it", List.of("uploaded"),
            (s, p) -> s.curl("-T", body("deep"), s.base() + "/api/files/" + p + "-box/sub/deep.txt"),
            (s, p) -> s.curl("-T", body("deep"), s.dav() + p + "-box/sub/deep.txt")),
        new Step("rename a file", List.of("moved"),
            (s, p) -> rest(s, "move", p + "-box/f.txt", p + "-box/g.txt", null),
            (s, p) -> dav(s, "MOVE", p + "-box/f.txt", p + "-box/g.txt", null)),
        new Step("copy a file", List.of("uploaded"),
            (s, p) -> rest(s, "copy", p + "-box/g.txt", p + "-box/h.txt", null),
            (s, p) -> dav(s, "COPY", p + "-box/g.txt", p + "-box/h.txt", null)),
        new Step("move a folder", List.of("moved"),
            (s, p) -> rest(s, "move", p + "-box/sub", p + "-box/sub2", null),
            (s, p) -> dav(s, "MOVE", p + "-box/sub", p + "-box/sub2", null)),
        new Step("copy a folder", List.of("folder_created"),
            (s, p) -> rest(s, "copy", p + "-box", p + "-copy", null),
            (s, p) -> dav(s, "COPY", p + "-box", p + "-copy", null)),
        new Step("move a file over another", null,
            (s, p) -> rest(s, "move", p + "-box/g.txt", p + "-box/sub2/deep.txt", true),
            (s, p) -> dav(s, "MOVE", p + "-box/g.txt", p + "-box/sub2/deep.txt", "T")),
        new Step("delete a file", List.of("deleted"),
            (s, p) -> s.curl("-X", "DELETE", s.base() + "/api/files/" + p + "-box/h.txt"),
            (s, p) -> s.curl("-X", "DELETE", s.dav() + p + "-box/h.txt")),
        new Step("delete a folder", List.of("folder_deleted"),
            (s, p) -> s.curl("-X", "DELETE", s.base() + "/api/folders/" + p + "-copy"),
            (s, p) -> s.curl("-X", "DELETE", s.dav() + p + "-copy")));

    try (DavServer server = DavServer.start(dir, new JsonObject(), 100_000_000L);
         EventsSseTest.Stream events = new EventsSseTest.Stream(server.process.httpPort(), server.token())) {
      assertEquals("HTTP/1.1 200 OK", events.status);
      this.server = server;
      this.events = events;
      for (Step step : steps) {
        List<JsonObject> viaRest = eventsOf(step.what() + " (REST)", () -> step.rest().run(server, "r"));
        List<JsonObject> viaDav = eventsOf(step.what() + " (WebDAV)", () -> step.dav().run(server, "d"));
        assertTrue(!viaRest.isEmpty(), step.what() + ": REST published nothing");
        if (step.types() != null) {
          assertEquals(step.types(), viaRest.stream().map(e -> e.getString("type")).toList(), step.what() + " (REST)");
        }
        assertEquals(viaRest.stream().map(DavEventsTest::asDav).toList(), viaDav, step.what() + ": WebDAV's events");
      }
      assertNull(events.nextFileEvent(800), "nothing after the last mark");
    }
  }

  private DavServer server;
  private EventsSseTest.Stream events;
  private int marks;

  /** Runs the action (it must succeed), then reads its events up to the mark that follows it. */
  private List<JsonObject> eventsOf(String what, Call action) throws Exception {
    DavServer.Answer a = action.run();
    assertTrue(a.status() >= 200 && a.status() < 300, what + ": " + a.status() + " " + a.body());
    String mark = "mark-" + (++marks) + ".txt";
    DavServer.Answer m = server.curl("-T", body(mark), server.base() + "/api/files/" + mark);
    assertEquals(201, m.status(), m.body());
    List<JsonObject> out = new ArrayList<>();
    while (true) {
      JsonObject e = events.nextFileEvent(10_000);
      assertNotNull(e, what + ": the mark's event never came; so far " + out);
      if (mark.equals(e.getString("path"))) return out;
      e.remove("modified"); // when, not what: the two twins differ in it
      out.add(e);
    }
  }

  /** A REST event as WebDAV's twin would read: r-… paths become d-…, the time is left out. */
  private static JsonObject asDav(JsonObject e) {
    JsonObject j = e.copy();
    for (String k : List.of("name", "path", "from")) {
      if (j.getString(k) != null) j.put(k, j.getString(k).replaceFirst("^r-", "d-"));
    }
    return j;
  }

  private String body(String text) throws Exception {
    Path f = Files.createTempFile(dir, "body", ".txt");
    Files.writeString(f, text);
    return f.toString();
  }

  private static DavServer.Answer rest(DavServer s, String op, String from, String to, Boolean overwrite) throws Exception {
    JsonObject b = new JsonObject().put("from", from).put("to", to);
    if (overwrite != null) b.put("overwrite", overwrite);
    return s.curl("-X", "POST", "-H", "Content-Type: application/json", "--data-binary", b.encode(), s.base() + "/api/" + op);
  }

  private static DavServer.Answer dav(DavServer s, String method, String from, String to, String overwrite) throws Exception {
    List<String> args = new ArrayList<>(List.of("-X", method, "-H", "Destination: " + s.dav() + to));
    if (overwrite != null) args.addAll(List.of("-H", "Overwrite: " + overwrite));
    args.add(s.dav() + from);
    return s.curl(args.toArray(String[]::new));
  }
}
