package dropbox.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.Config;
import dropbox.Server;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: a real node (storage, auth, TCP front end) on free ports, driven only through ClientMain's
 * one-shot commands and shell, as a user would from the jar. Each test signs up its own user.
 */
class ClientMainTest {
  @TempDir static Path root;
  private static Vertx vertx;
  private static Server server;
  private static int userSeq;

  @TempDir Path work;

  @BeforeAll
  static void startNode() throws Exception {
    Path storage = Files.createDirectories(root.resolve("storage"));
    List<String> args = List.of("--storage", storage.toString(), "--tcp-port", "0", "--http-port", "0",
        "--users", root.resolve("users.properties").toString(), "--default-quota", "10000000");
    vertx = Vertx.vertx();
    server = Server.start(vertx, Config.load(args, Map.of())).await(60, TimeUnit.SECONDS);
    assertTrue(server.tcpPort() > 0, "the TCP front end listens");
  }

  @AfterAll
  static void stopNode() throws Exception {
    if (server != null) server.stop().await(30, TimeUnit.SECONDS);
    if (vertx != null) vertx.close().await(30, TimeUnit.SECONDS);
  }

  /** What one client invocation printed and returned. */
  record Run(int code, String out, String err) {}

  private static Run client(String user, String password, String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Map<String, String> env = new HashMap<>();
    if (password != null) env.put("DROPBOX_PASSWORD", password);
    List<String> all = new ArrayList<>(List.of("--port", String.valueOf(server.tcpPort()), "--user", user));
    all.addAll(List.of(args));
    int code = new ClientMain(env, new BufferedReader(new StringReader(stdin)),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), false)
        .execute(all);
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static Run ok(Run r) {
    assertEquals(0, r.code(), () -> "expected success, stderr: " + r.err() + " stdout: " + r.out());
    assertEquals("", r.err());
    return r;
  }

  /** Exit 1 with one line on stderr, no stack trace. */
  private static Run fails(Run r, String contains) {
    assertEquals(1, r.code(), () -> "expected failure, stdout: " + r.out());
    assertTrue(r.err().contains(contains), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
    return r;
  }

  private static synchronized String newUser() {
    return "user" + (++userSeq) + "_" + Long.toString(System.nanoTime() % 100000, 36);
  }

  private static String signUp() {
    String u = newUser();
    ok(client(u, "secret1", "", "--signup", "quota"));
    return u;
  }

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static long entries(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }

  @Test
  void signupUploadListDownloadDelete() throws Exception {
    String u = newUser();
    Run q = ok(client(u, "secret1", "", "--signup", "quota"));
    assertEquals("Usage: 0 of 10000000 bytes (0 files)\n", q.out());

    byte[] big = random(1_000_003, 7); // several 64 KiB chunks
    Path a = Files.write(work.resolve("data.bin"), big);
    Path b = Files.writeString(work.resolve("my notes.txt"), "hello, \"quoted\" world\n");
    Run up = ok(client(u, "secret1", "", "upload", a.toString(), b.toString(), "--high"));
    assertTrue(up.out().contains("uploaded data.bin (1000003 bytes)"), up.out());
    assertTrue(up.out().contains("uploaded my notes.txt (22 bytes)"), up.out());

    Run list = ok(client(u, "secret1", "", "list"));
    assertTrue(list.out().startsWith("=== File Listing for " + u + " ===\n"), list.out());
    assertTrue(list.out().lines().anyMatch(l -> l.startsWith("data.bin ") && l.contains("1000003")), list.out());
    assertTrue(list.out().lines().anyMatch(l -> l.startsWith("my notes.txt ") && l.contains("22")), list.out());
    assertTrue(list.out().endsWith("Usage: 1000025 of 10000000 bytes (2 files)\n"), list.out());

    Path outDir = Files.createDirectories(work.resolve("down"));
    ok(client(u, "secret1", "", "download", "data.bin", outDir.resolve("copy.bin").toString()));
    assertArrayEquals(big, Files.readAllBytes(outDir.resolve("copy.bin")));
    ok(client(u, "secret1", "", "download", "my notes.txt", outDir.toString(), "--low"));
    assertEquals("hello, \"quoted\" world\n", Files.readString(outDir.resolve("my notes.txt")));
    assertEquals(2, entries(outDir), "no temp files left behind");

    ok(client(u, "secret1", "", "delete", "my notes.txt"));
    Run after = ok(client(u, "secret1", "", "list"));
    assertFalse(after.out().contains("my notes.txt"), after.out());
    assertTrue(after.out().endsWith("Usage: 1000003 of 10000000 bytes (1 files)\n"), after.out());
  }

  /** Folders from the command line: a tree uploaded into a folder, listed, moved, copied, fetched, removed. */
  @Test
  void foldersFromTheCommandLine() throws Exception {
    String u = signUp();
    Path proj = Files.createDirectories(work.resolve("proj"));
    Files.writeString(proj.resolve("a.txt"), "alpha");
    Files.createDirectories(proj.resolve("sub"));
    byte[] b = random(70_001, 3);
    Files.write(proj.resolve("sub").resolve("b.bin"), b);
    Files.createDirectories(proj.resolve("empty"));

    fails(client(u, "secret1", "", "upload", proj.toString()), "is a directory (upload it with --recursive)");
    Run up = ok(client(u, "secret1", "", "upload", "-r", proj.toString(), "--to", "backup"));
    assertTrue(up.out().contains("uploaded backup/proj/a.txt (5 bytes)"), up.out());
    assertTrue(up.out().contains("uploaded backup/proj/sub/b.bin (70001 bytes)"), up.out());

    Run folder = ok(client(u, "secret1", "", "list", "backup/proj"));
    List<String> lines = folder.out().lines().toList();
    assertEquals("=== File Listing for " + u + ": backup/proj ===", lines.get(0));
    List<String> names = lines.stream().skip(4).map(l -> l.split(" ")[0]).toList();
    assertEquals(List.of("empty/", "sub/", "a.txt", "Usage:"), names, folder.out());
    Run all = ok(client(u, "secret1", "", "list"));
    assertTrue(all.out().lines().anyMatch(l -> l.startsWith("backup/proj/sub/b.bin ")), all.out());

    ok(client(u, "secret1", "", "mkdir", "docs/2026"));
    Run moved = ok(client(u, "secret1", "", "move", "backup/proj/a.txt", "docs/2026/a.txt"));
    assertEquals("moved backup/proj/a.txt -> docs/2026/a.txt\n", moved.out());
    fails(client(u, "secret1", "", "move", "backup/proj/sub", "docs"), "Target exists");
    ok(client(u, "secret1", "", "copy", "backup", "backup-copy"));
    Path down = Files.createDirectories(work.resolve("down"));
    ok(client(u, "secret1", "", "download", "docs/2026/a.txt", down.toString()));
    assertEquals("alpha", Files.readString(down.resolve("a.txt")), "a path lands under its last part");
    ok(client(u, "secret1", "", "download", "backup-copy/proj/sub/b.bin", down.resolve("b.bin").toString()));
    assertArrayEquals(b, Files.readAllBytes(down.resolve("b.bin")));
    assertTrue(ok(client(u, "secret1", "", "quota")).out().contains("(3 files)"), "the copy counts");
    Path restore = Files.createDirectories(work.resolve("restore"));
    Run tree = ok(client(u, "secret1", "", "download", "-r", "backup-copy", restore.toString()));
    assertTrue(tree.out().contains("downloaded backup-copy/proj/sub/b.bin -> "), tree.out());
    assertArrayEquals(b, Files.readAllBytes(restore.resolve("backup-copy/proj/sub/b.bin")));
    assertTrue(Files.isDirectory(restore.resolve("backup-copy/proj/empty")), "empty folders come too");
    assertFalse(Files.exists(restore.resolve("backup-copy/proj/a.txt")), "a.txt was moved out before the copy");
    fails(client(u, "secret1", "", "download", "-r", "nope", restore.toString()), "nope: Folder not found");

    Run removed = ok(client(u, "secret1", "", "rmdir", "backup-copy"));
    assertEquals("removed folder backup-copy and everything in it\n", removed.out());
    fails(client(u, "secret1", "", "list", "backup-copy"), "backup-copy: Folder not found");
    fails(client(u, "secret1", "", "rmdir", "backup-copy"), "Folder not found");
    assertTrue(ok(client(u, "secret1", "", "quota")).out().contains("(2 files)"));
  }

  /** cp -r: a symbolic link in a tree is skipped with one line, the rest goes up, and the exit code says so. */
  @Test
  void aSymbolicLinkInAnUploadedTreeIsSkippedAndTheRestUploaded() throws Exception {
    String u = signUp();
    Path tree = Files.createDirectories(work.resolve("tree"));
    Files.writeString(tree.resolve("real.txt"), "real");
    Files.createSymbolicLink(tree.resolve("link.txt"), tree.resolve("real.txt"));
    Run r = fails(client(u, "secret1", "", "upload", "--recursive", tree.toString()), "link.txt: symbolic link, skipped");
    assertTrue(r.out().contains("uploaded tree/real.txt (4 bytes)"), r.out());
    Run list = ok(client(u, "secret1", "", "list", "tree"));
    assertFalse(list.out().contains("link.txt"), list.out());
  }

  @Test
  void aMissingLocalFileExitsOneAndUploadsNothing() throws Exception {
    String u = signUp();
    Path present = Files.writeString(work.resolve("present.txt"), "x");
    fails(client(u, "secret1", "", "upload", present.toString(), work.resolve("absent.txt").toString()),
        "absent.txt: no such file");
    assertTrue(ok(client(u, "secret1", "", "list")).out().contains("No files found."));
  }

  @Test
  void wrongPasswordExitsOne() {
    String u = signUp();
    fails(client(u, "wrong-password", "", "list"), "login failed: Invalid username or password");
  }

  @Test
  void signingUpATakenNameExitsOne() {
    String u = signUp();
    fails(client(u, "secret1", "", "--signup", "list"), "already exists");
  }

  @Test
  void downloadingAMissingNameExitsOneAndWritesNothing() throws Exception {
    String u = signUp();
    Path dir = Files.createDirectories(work.resolve("empty"));
    fails(client(u, "secret1", "", "download", "nope.txt", dir.resolve("nope.txt").toString()), "nope.txt: File not found");
    assertEquals(0, entries(dir), "neither the file nor a temp file");
  }

  @Test
  void deletingAMissingNameExitsOne() {
    String u = signUp();
    fails(client(u, "secret1", "", "delete", "ghost"), "ghost: File not found");
  }

  @Test
  void anInvalidRemoteNameIsRefusedByTheServer() throws Exception {
    String u = signUp();
    Path dot = Files.writeString(work.resolve("tab\tname"), "x"); // a control character: invalid on the server
    fails(client(u, "secret1", "", "upload", dot.toString()), "Invalid filename");
  }

  @Test
  void shellFolderCommands() throws Exception {
    String u = signUp();
    Path f = Files.writeString(work.resolve("note.txt"), "in a folder");
    String script = String.join("\n",
        "secret1",
        "UPLOAD \"" + f.toString().replace("\\", "\\\\") + "\" --to inbox --high",
        "LIST inbox",
        "MKDIR \"my archive\"",
        "MOVE inbox \"my archive/inbox\"",
        "LIST \"my archive/inbox\"",
        "COPY \"my archive\" copy",
        "RMDIR \"my archive\"",
        "LIST",
        "DOWNLOAD -r copy \"" + work.toString().replace("\\", "\\\\") + "\"",
        "QUIT") + "\n";
    Run r = client(u, null, script);
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("uploaded inbox/note.txt (11 bytes)"), r.out());
    assertTrue(r.out().contains("=== File Listing for " + u + ": inbox ==="), r.out());
    assertTrue(r.out().contains("moved inbox -> my archive/inbox"), r.out());
    assertTrue(r.out().contains("=== File Listing for " + u + ": my archive/inbox ==="), r.out());
    assertTrue(r.out().contains("removed folder my archive and everything in it"), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("copy/inbox/note.txt ")), r.out());
    assertEquals("in a folder", Files.readString(work.resolve("copy/inbox/note.txt")));
  }

  @Test
  void shellSessionWithPasswordFromStdin() throws Exception {
    String u = signUp();
    Path f = Files.writeString(work.resolve("shell file.txt"), "from the shell");
    Path target = work.resolve("back.txt");
    String script = String.join("\n",
        "secret1",
        "UPLOAD \"" + f.toString().replace("\\", "\\\\") + "\" --priority=high",
        "list --low",
        "DOWNLOAD \"shell file.txt\" \"" + target.toString().replace("\\", "\\\\") + "\"",
        "QUOTA",
        "DELETE \"shell file.txt\"",
        "QUIT") + "\n";
    Run r = client(u, null, script);
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("uploaded shell file.txt (14 bytes)"), r.out());
    assertTrue(r.out().contains("shell file.txt"), r.out());
    assertTrue(r.out().contains("Usage: 14 of 10000000 bytes (1 files)"), r.out());
    assertTrue(r.out().contains("deleted shell file.txt"), r.out());
    assertEquals("from the shell", Files.readString(target));
  }
}
