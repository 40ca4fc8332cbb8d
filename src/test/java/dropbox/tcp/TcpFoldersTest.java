package dropbox.tcp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.bus.Addresses;
import dropbox.bus.ErrorCode;
import dropbox.bus.Priority;
import dropbox.bus.StorageException;
import dropbox.testing.ClassicClient;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TCP folder extension (tcp-protocol.md "Paths and folders") end to end on storage.engine=v2: real
 * sockets, real storage workers and SQLite on a temp root, byte-exact replies. Kept apart from
 * TcpVerticleTest, which covers the classic protocol on v1 and must pass unchanged.
 */
class TcpFoldersTest {
  private static final String OK = ClassicClient.SUCCESS + "> ";
  private static final String INVALID = TcpReplies.INVALID_COMMAND + "> ";
  private static final String TIME = "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d";

  @TempDir Path tmp;
  private final List<TcpNode> nodes = new ArrayList<>();

  private TcpNode start(String engine) throws Exception {
    return start(engine, new JsonObject());
  }

  private TcpNode start(String engine, JsonObject settings) throws Exception {
    Path root = Files.createDirectories(tmp.resolve(engine + "-" + nodes.size()));
    TcpNode n = new TcpNode(root, settings.copy().put("storage.engine", engine));
    nodes.add(n);
    return n;
  }

  @AfterEach
  void stop() throws Exception {
    for (TcpNode n : nodes) n.close();
  }

  @Test
  void everyFolderCommandAndItsErrors() throws Exception {
    TcpNode node = start("v2");
    List<JsonObject> events = new CopyOnWriteArrayList<>();
    node.vertx.eventBus().<JsonObject>consumer(Addresses.FILE_EVENTS, m -> events.add(m.body()))
        .completion().await(10, TimeUnit.SECONDS);
    try (ClassicClient c = node.login("alice")) {
      assertEquals(OK, c.command("MKDIR docs"));
      assertEquals(OK, c.command("MKDIR docs --high")); // already there is a success
      assertEquals(OK, c.upload("docs/a.txt", "hello".getBytes(UTF_8)));
      assertEquals(OK, c.upload("docs/sub/b.txt", "world!".getBytes(UTF_8))); // creates docs/sub
      assertEquals(OK, c.command("MKDIR docs/empty"));
      assertEquals(OK, c.upload("top.txt", "x".getBytes(UTF_8)));

      String[] lines = c.command("LIST docs").split("\n", -1);
      assertEquals("=== File Listing for alice: docs ===", lines[0]);
      assertEquals("", lines[1]);
      assertEquals("Filename                       Size       Modified", lines[2]);
      assertEquals("--------                       ----       --------", lines[3]);
      assertTrue(lines[4].matches("empty/ {25}- {10}" + TIME), lines[4]);
      assertTrue(lines[5].matches("sub/ {27}- {10}" + TIME), lines[5]);
      assertTrue(lines[6].matches("a\\.txt {26}5 {10}" + TIME), lines[6]);
      assertEquals("Usage: 12 of 10000000 bytes (3 files)", lines[7]);
      assertEquals("> ", lines[8]);
      assertEquals(9, lines.length);
      assertEquals("=== File Listing for alice: docs/empty ===\n\nNo files found.\n"
          + "Usage: 12 of 10000000 bytes (3 files)\n> ", c.command("LIST \"docs/empty\" --low"));

      // LIST without a folder: every file of the tree by full path
      String all = c.command("LIST");
      assertTrue(all.startsWith("=== File Listing for alice ===\n\n"), all);
      assertEquals(List.of("docs/a.txt", "docs/sub/b.txt", "top.txt"), names(all));

      ClassicClient.Download d = c.download("docs/sub/b.txt");
      assertEquals("world!", new String(d.data(), UTF_8));
      assertEquals(OK, d.trailer());

      assertEquals(OK, c.command("MOVE docs/a.txt docs/c.txt"));
      assertEquals("ERROR: Target exists\n> ", c.command("MOVE docs/c.txt docs/sub/b.txt"));
      assertEquals("ERROR: Target exists\n> ", c.command("COPY docs/c.txt top.txt"));
      assertEquals("ERROR: Invalid move\n> ", c.command("MOVE docs docs/sub/inside"));
      assertEquals("ERROR: Invalid move\n> ", c.command("COPY docs docs/sub/inside"));
      assertEquals("ERROR: File not found\n> ", c.command("MOVE nope x"));
      assertEquals("ERROR: File not found\n> ", c.command("COPY nope x"));
      assertEquals(OK, c.command("COPY docs/sub backup/sub"));
      assertEquals("Usage: 18 of 10000000 bytes (4 files)\n> ", c.command("QUOTA")); // the copy counts
      assertEquals("world!", new String(c.download("backup/sub/b.txt").data(), UTF_8));

      assertEquals("ERROR: Folder not found\n> ", c.command("LIST nowhere"));
      assertEquals("ERROR: Folder not found\n> ", c.command("LIST top.txt"));
      assertEquals("ERROR: Folder not found\n> ", c.command("RMDIR top.txt"));
      assertEquals("ERROR: Is a folder (use RMDIR)\n> ", c.command("DELETE docs"));
      assertEquals("ERROR: Path conflict\n> ", c.command("MKDIR top.txt/inner"));
      assertEquals("ERROR: Path conflict\n> ", c.upload("docs", "x".getBytes(UTF_8)));
      ClassicClient.Download folder = c.download("docs");
      assertEquals(0, folder.data().length);
      assertEquals("ERROR: File not found\n> ", folder.trailer());

      for (String bad : List.of("MKDIR a//b", "MKDIR /a", "MKDIR a/", "MOVE top.txt a/../b", "RMDIR ..",
          "LIST \"a/\"", "DELETE a//b", "UPLOAD a/")) {
        assertEquals(TcpReplies.INVALID_FILENAME + "> ", c.command(bad), bad);
      }
      ClassicClient.Download rooted = c.download("/top.txt"); // a DOWNLOAD error follows a zero length
      assertEquals(0, rooted.data().length);
      assertEquals(TcpReplies.INVALID_FILENAME + "> ", rooted.trailer());
      for (String wrong : List.of("MKDIR", "MKDIR a b", "MOVE a", "COPY a b c", "RMDIR", "LIST a b")) {
        assertEquals(INVALID, invalid(c, wrong), wrong);
      }

      assertEquals(OK, c.command("RMDIR docs"));
      assertEquals("ERROR: Folder not found\n> ", c.command("RMDIR docs"));
      assertEquals(List.of("backup/sub/b.txt", "top.txt"), names(c.command("LIST")));
      assertEquals("Usage: 7 of 10000000 bytes (2 files)\n> ", c.command("QUOTA"));

      String help = c.command("HELP");
      for (String cmd : List.of("MKDIR", "MOVE", "COPY", "RMDIR", "LIST [folder]")) {
        assertTrue(help.contains(cmd), help);
      }
    }
    // events: created folders, the move with its old path, the removed folder (published to every node)
    long deadline = System.currentTimeMillis() + 10_000;
    while (events.stream().noneMatch(e -> "folder_deleted".equals(e.getString("type")))
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    assertTrue(events.stream().anyMatch(e -> "folder_created".equals(e.getString("type"))
        && "docs".equals(e.getString("path"))), events.toString());
    assertEquals(1, events.stream().filter(e -> "folder_created".equals(e.getString("type"))
        && "docs".equals(e.getString("path"))).count(), "a second MKDIR changes nothing: " + events);
    assertTrue(events.stream().anyMatch(e -> "moved".equals(e.getString("type"))
        && "docs/a.txt".equals(e.getString("from")) && "docs/c.txt".equals(e.getString("path"))
        && "docs/c.txt".equals(e.getString("name"))), events.toString());
    assertTrue(events.stream().anyMatch(e -> "folder_deleted".equals(e.getString("type"))
        && "docs".equals(e.getString("path"))), events.toString());
  }

  /**
   * The classic LIST streams the tree page by page on v2 (here 1000 files a page): across page boundaries
   * and folders its bytes are exactly the one-piece listing of the same tree.
   */
  @Test
  void classicListStreamsTheTreeAcrossPages() throws Exception {
    TcpNode node = start("v2", new JsonObject().put("tcp.listPageEntries", 1000));
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 1100; i++) { // one page and a part
      String dir = switch (i % 4) { case 0 -> ""; case 1 -> "a/"; case 2 -> "a/b/"; default -> "c/"; };
      names.add(dir + "f" + i);
    }
    try (ClassicClient c = node.login("erin")) {
      for (String n : names) assertEquals(OK, c.upload(n, n.getBytes(UTF_8)), n);
      String streamed = c.command("LIST");
      String whole = ListingTable.format("erin", node.storage.list("erin", Priority.HIGH).await(30, TimeUnit.SECONDS)) + "> ";
      assertEquals(whole, streamed);
      // title, blank line, column heads, dashes, one row a file, usage line
      assertEquals(1100 + 5, streamed.chars().filter(ch -> ch == '\n').count(), streamed.substring(0, 200));
      assertEquals(OK, c.command("DELETE a/b/f2")); // still in step after the stream
    }
  }

  /**
   * A LIST of one page (tcp.listPageEntries, 10 000 by default) is one snapshot: while another connection
   * moves a folder of 2 000 files to and fro, every LIST shows each file once, under one name, and its
   * usage line counts what it lists. With pages of 1 000 half the LISTs showed 1 000 or 3 000 rows.
   */
  @Test
  void aListOfOnePageIsOneSnapshotWhileAFolderMoves() throws Exception {
    TcpNode node = start("v2");
    try (ClassicClient c = node.login("mover"); ClassicClient lister = node.login("mover")) {
      for (int i = 0; i < 2000; i++) assertEquals(OK, c.upload("M/f" + i, new byte[] {1}));
      java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
      java.util.concurrent.atomic.AtomicInteger moves = new java.util.concurrent.atomic.AtomicInteger();
      Thread mover = new Thread(() -> {
        try {
          while (!stop.get()) {
            assertEquals(OK, c.command(moves.get() % 2 == 0 ? "MOVE M AA" : "MOVE AA M"));
            moves.incrementAndGet();
          }
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      mover.start();
      try {
        for (int i = 0; i < 10; i++) {
          String tree = lister.command("LIST");
          long rows = tree.lines().filter(l -> l.matches("(M|AA)/f\\d+ .*")).count();
          assertEquals(2000, rows, "LIST " + i + " after " + moves.get() + " moves");
          assertTrue(tree.contains("Usage: 2000 of 10000000 bytes (2000 files)"), tree.substring(tree.length() - 80));
          String m = lister.command("LIST M");
          assertTrue(m.startsWith("ERROR: Folder not found") || m.lines().filter(l -> l.matches("f\\d+ .*")).count() == 2000,
              "LIST M " + i + ": " + m.substring(0, Math.min(200, m.length())));
        }
      } finally {
        stop.set(true);
        mover.join(30_000);
      }
      assertTrue(moves.get() > 0, "the folder moved while the LISTs ran");
    }
  }

  /** A client that never uses '/' reads the same bytes from v2 as from v1 (times aside). */
  @Test
  void classicSessionIsTheSameOnBothEngines() throws Exception {
    String v1 = classicSession(start("v1"));
    String v2 = classicSession(start("v2"));
    assertEquals(v1, v2);
    assertTrue(v1.contains("notes.txt"), v1);
  }

  private static String classicSession(TcpNode node) throws Exception {
    StringBuilder t = new StringBuilder();
    try (ClassicClient c = node.client()) {
      t.append(c.readUntil(ClassicClient.AUTH_PROMPT));
      c.sendLine("SIGNUP carol pass");
      t.append(c.readUntil("> "));
      t.append(c.upload("notes.txt", "hello world".getBytes(UTF_8)));
      t.append(c.upload("zeta.bin", new byte[] {0, 1, 2}));
      t.append(c.upload("notes.txt", "hello again, world".getBytes(UTF_8)));
      t.append(c.command("LIST"));
      ClassicClient.Download d = c.download("notes.txt");
      t.append(new String(d.data(), UTF_8)).append(d.trailer());
      ClassicClient.Download missing = c.download("missing.txt");
      t.append(missing.data().length).append(missing.trailer());
      t.append(c.command("DELETE missing.txt"));
      t.append(c.command("QUOTA --high"));
      t.append(c.command("DELETE zeta.bin"));
      t.append(c.command("LIST --low"));
      t.append(invalid(c, "FROB x"));
      t.append(c.command("DELETE \"bad\\\\name\""));
      c.sendLine("QUIT");
      t.append(c.readToEnd());
    }
    return t.toString().replaceAll(TIME, "<time>");
  }

  /** On v1 the protocol stays classic: no folder commands, a '/' is an invalid filename. */
  @Test
  void v1KeepsTheClassicProtocol() throws Exception {
    TcpNode node = start("v1");
    try (ClassicClient c = node.login("dave")) {
      for (String line : List.of("MKDIR docs", "RMDIR docs", "MOVE a b", "COPY a b", "LIST docs")) {
        assertEquals(INVALID, invalid(c, line), line);
      }
      assertEquals(TcpReplies.INVALID_FILENAME + "> ", c.command("UPLOAD docs/a.txt"));
      ClassicClient.Download d = c.download("docs/a.txt");
      assertEquals(0, d.data().length);
      assertEquals(TcpReplies.INVALID_FILENAME + "> ", d.trailer());
      assertEquals(TcpReplies.INVALID_FILENAME + "> ", c.command("DELETE docs/a.txt"));
      assertEquals(TcpReplies.HELP + "> ", c.command("HELP"));
    }
    // the bus answers a folder action on v1 with BAD_REQUEST naming the setting
    StorageException e = refusal(() -> node.storage.mkdir("dave", "docs", Priority.HIGH).await(10, TimeUnit.SECONDS));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    assertEquals("Folders need storage.engine=v2", e.getMessage());
  }

  private static StorageException refusal(org.junit.jupiter.api.function.Executable call) {
    Throwable t = assertThrows(Throwable.class, call);
    if (t instanceof CompletionException && t.getCause() != null) t = t.getCause();
    return dropbox.bus.StorageClient.toStorageException(t);
  }

  /** The original's invalid-command text itself contains "> ": read up to its end. */
  private static String invalid(ClassicClient c, String line) throws java.io.IOException {
    c.sendLine(line);
    return c.readUntil(INVALID);
  }

  /** The Filename column of a LIST reply. */
  private static List<String> names(String listing) {
    List<String> out = new ArrayList<>();
    String[] lines = listing.split("\n");
    for (int i = 4; i < lines.length && !lines[i].startsWith("Usage: "); i++) out.add(lines[i].split(" +")[0]);
    return out;
  }
}
