package dropbox.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.storage.meta.MetadataStore;
import dropbox.storage.meta.MetadataStores;
import dropbox.storage.meta.UsageCheck;
import dropbox.testing.ClassicClient;
import dropbox.testing.ServerProcess;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 while folders move and while big folders are deleted (storage.engine=v2, a real server process,
 * real TCP clients), several times over on the same store. One client moves a folder of many files back
 * and forth; another copies a folder and removes the copy again, and removes folders of unique content.
 * After every restart: each acknowledged change is there, each change in flight at the kill either
 * happened completely or not at all (a folder is whole or absent, never half-moved or half-deleted), every
 * file holds its content, usage = listing, no reservation or staging file survived, `fsck` finds nothing,
 * and once the (short) grace period has passed no content file is left that nothing references.
 */
class CrashRecoveryFoldersV2Test {
  private static final int MOVED_FILES = 100;
  private static final int FOLDER_FILES = 60;
  private static final int UNIQUE_FOLDERS = 3;
  private static final int CRASHES = 3;
  private static final Pattern ROW = Pattern.compile("(?m)^(\\S+)\\s+(\\d+)\\s+\\d{4}-");

  @TempDir Path root;

  @Test
  void movesAndFolderDeletesAreWholeOrAbsentAfterKillMinus9() throws Exception {
    Path config = root.resolve("config.json");
    Files.writeString(config, new JsonObject()
        .put("storage", new JsonObject().put("engine", "v2").put("graceSeconds", 1)).encode());
    Path store = Files.createDirectories(root.resolve("store"));
    String[] args = {"--config", config.toString(), "--storage", store.toString(), "--tcp-port", "0",
        "--http-port", "0", "--default-quota", String.valueOf(1L << 30)};

    Map<String, String> content = new HashMap<>(); // file name (within its folder) -> sha256
    try (ServerProcess server = ServerProcess.start(List.of("-Xmx256m"), args);
         ClassicClient c = ClassicClient.connect(server.tcpPort()).signupOrLogin("mover", "pass")) {
      Random rnd = new Random(1);
      for (int i = 0; i < MOVED_FILES; i++) content.put("m" + i, upload(c, "a/sub/m" + i, rnd));
      for (int i = 0; i < FOLDER_FILES; i++) content.put("s" + i, upload(c, "src/s" + i, rnd));
      for (int u = 0; u < UNIQUE_FOLDERS; u++) {
        for (int i = 0; i < FOLDER_FILES; i++) content.put("u" + u + "-" + i, upload(c, "uniq" + u + "/u" + u + "-" + i, rnd));
      }
    }

    Mover mover = new Mover();
    Deleter deleter = new Deleter();
    Random when = new Random(42);
    for (int crash = 0; crash < CRASHES; crash++) {
      AtomicBoolean stop = new AtomicBoolean();
      try (ServerProcess server = ServerProcess.start(List.of("-Xmx256m"), args)) {
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread m = new Thread(() -> mover.run(server.tcpPort(), stop), "mover");
        Thread d = new Thread(() -> deleter.run(server.tcpPort(), stop), "deleter");
        m.setUncaughtExceptionHandler((t, e) -> failures.add(e));
        d.setUncaughtExceptionHandler((t, e) -> failures.add(e));
        int movesBefore = mover.acked;
        int deletesBefore = deleter.acked;
        m.start();
        d.start();
        // A random moment, once both loops have done some work on this run.
        long deadline = System.currentTimeMillis() + 60_000;
        while ((mover.acked < movesBefore + 3 || deleter.acked < deletesBefore + 3)
            && System.currentTimeMillis() < deadline) {
          Thread.sleep(20);
        }
        Thread.sleep(when.nextInt(400));
        server.kill9();
        stop.set(true);
        m.join(30_000);
        d.join(30_000);
        assertFalse(m.isAlive() || d.isAlive(), "the clients ended after the kill");
        assertEquals(List.of(), failures, "a client got an answer other than success");
        assertTrue(mover.acked >= movesBefore + 3 && deleter.acked >= deletesBefore + 3,
            "work acknowledged before kill " + crash + ": moves " + mover.acked + ", deletes " + deleter.acked);
      }
      Thread.sleep(1100); // the grace period of what the last deletes unreferenced runs out before the restart
      try (ServerProcess server = ServerProcess.start(List.of("-Xmx256m"), args);
           ClassicClient c = ClassicClient.connect(server.tcpPort()).signupOrLogin("mover", "pass")) {
        Map<String, List<String>> byFolder = listByTopFolder(c, content);
        mover.settle(byFolder);
        deleter.settle(byFolder);
        for (String folder : byFolder.keySet()) {
          assertTrue(Set.of("a", "b", "src").contains(folder) || folder.startsWith("copy") || folder.startsWith("uniq"),
              "no folder but the test's: " + folder);
        }
        // Every file's content, through the protocol (a sample of each folder: content is per blob).
        for (List<String> paths : byFolder.values()) {
          for (String path : paths.subList(0, Math.min(5, paths.size()))) {
            ClassicClient.Download dl = c.download(path);
            assertTrue(dl.ok(), path + ": " + dl.trailer());
            assertEquals(content.get(path.substring(path.lastIndexOf('/') + 1)), CrashRecoveryTest.sha(dl.data()), path);
          }
        }
      }
      assertStoreConsistent(config, store, crash);
    }
    assertTrue(deleter.uniqueLeft < UNIQUE_FOLDERS, "folders of unique content were deleted");
  }

  /** Moves the folder between a and b; at most one move is in flight at the kill. */
  private static final class Mover {
    String at = "a";
    boolean inFlight;
    volatile int acked;

    void run(int port, AtomicBoolean stop) {
      try (ClassicClient c = ClassicClient.connect(port).signupOrLogin("mover", "pass")) {
        while (!stop.get()) {
          String to = at.equals("a") ? "b" : "a";
          inFlight = true;
          String reply = c.command("MOVE " + at + " " + to);
          if (!reply.endsWith(ClassicClient.PROMPT)) return;
          assertEquals(ClassicClient.SUCCESS + ClassicClient.PROMPT, reply);
          at = to;
          inFlight = false;
          acked++;
        }
      } catch (IOException killed) {
        // the server went away: the move in flight (if any) stays undecided until the restart
      }
    }

    /** The folder is whole in exactly one place: where the last acknowledged move left it, or (a move in flight) where that one went. */
    void settle(Map<String, List<String>> byFolder) {
      String other = at.equals("a") ? "b" : "a";
      boolean here = byFolder.containsKey(at);
      boolean there = byFolder.containsKey(other);
      assertTrue(here ^ there, "the moved folder is in exactly one place: " + byFolder.keySet());
      if (there) {
        assertTrue(inFlight, "the folder is at " + other + " but the last acknowledged move put it at " + at);
        at = other;
      }
      inFlight = false;
      List<String> files = byFolder.get(at);
      assertEquals(MOVED_FILES, files.size(), "every file moved with its folder");
      for (String f : files) assertTrue(f.startsWith(at + "/sub/m"), f);
    }
  }

  /** Copies src to copyN and removes the copy again; between those, removes a folder of unique content. */
  private static final class Deleter {
    /** Folders that exist for sure (acknowledged), and the one operation in flight. */
    final Set<String> present = new HashSet<>(Set.of("src"));

    Deleter() {
      for (int u = 0; u < UNIQUE_FOLDERS; u++) present.add("uniq" + u);
    }
    String pendingCreate;
    String pendingDelete;
    int copies;
    int uniqueLeft = UNIQUE_FOLDERS;
    volatile int acked;

    void run(int port, AtomicBoolean stop) {
      try (ClassicClient c = ClassicClient.connect(port).signupOrLogin("mover", "pass")) {
        while (!stop.get()) {
          String copy = "copy" + copies;
          if (!present.contains(copy)) {
            pendingCreate = copy;
            if (!ok(c.command("COPY src " + copy))) return;
            present.add(copy);
            pendingCreate = null;
          } else {
            String target = uniqueLeft > 0 && acked % 4 == 3 ? "uniq" + (UNIQUE_FOLDERS - uniqueLeft) : copy;
            pendingDelete = target;
            if (!ok(c.command("RMDIR " + target))) return;
            present.remove(target);
            pendingDelete = null;
            if (target.equals(copy)) copies++;
            else uniqueLeft--;
          }
          acked++;
        }
      } catch (IOException killed) {
        // the operation in flight stays undecided until the restart
      }
    }

    private static boolean ok(String reply) {
      if (!reply.endsWith(ClassicClient.PROMPT)) return false;
      assertEquals(ClassicClient.SUCCESS + ClassicClient.PROMPT, reply);
      return true;
    }

    void settle(Map<String, List<String>> byFolder) {
      for (String f : present) {
        if (f.equals(pendingDelete)) continue;
        assertTrue(byFolder.containsKey(f), "acknowledged folder " + f + " is there: " + byFolder.keySet());
      }
      for (Map.Entry<String, List<String>> e : byFolder.entrySet()) {
        String f = e.getKey();
        if (!f.startsWith("copy") && !f.startsWith("uniq") && !f.equals("src")) continue;
        assertTrue(present.contains(f) || f.equals(pendingCreate), "folder " + f + " was removed (acknowledged) or never made");
        assertEquals(FOLDER_FILES, e.getValue().size(), "folder " + f + " is whole, never half copied or half removed");
      }
      // Decide the operation that was in flight by what the store holds.
      if (pendingCreate != null && byFolder.containsKey(pendingCreate)) present.add(pendingCreate);
      if (pendingDelete != null && !byFolder.containsKey(pendingDelete)) {
        present.remove(pendingDelete);
        if (pendingDelete.startsWith("uniq")) uniqueLeft--;
        else copies++;
      }
      pendingCreate = null;
      pendingDelete = null;
    }
  }

  private static String upload(ClassicClient c, String path, Random rnd) throws IOException {
    byte[] data = new byte[1 + rnd.nextInt(2000)];
    rnd.nextBytes(data);
    assertEquals(ClassicClient.SUCCESS + ClassicClient.PROMPT, c.upload(path, data));
    return CrashRecoveryTest.sha(data);
  }

  /** The full listing grouped by top-level folder; checks usage = listing and each file's listed size. */
  private static Map<String, List<String>> listByTopFolder(ClassicClient c, Map<String, String> content) throws IOException {
    String listing = c.command("LIST");
    Map<String, List<String>> out = new HashMap<>();
    long sum = 0;
    int files = 0;
    Matcher m = ROW.matcher(listing);
    while (m.find()) {
      String path = m.group(1);
      out.computeIfAbsent(path.substring(0, path.indexOf('/')), k -> new ArrayList<>()).add(path);
      assertTrue(content.containsKey(path.substring(path.lastIndexOf('/') + 1)), "a file the test uploaded: " + path);
      sum += Long.parseLong(m.group(2));
      files++;
    }
    Matcher usage = Pattern.compile("Usage: (\\d+) of \\d+ bytes \\((\\d+) files\\)").matcher(listing);
    assertTrue(usage.find(), listing);
    assertEquals(sum, Long.parseLong(usage.group(1)), "usage = listing");
    assertEquals(files, Integer.parseInt(usage.group(2)), "file count = listing");
    return out;
  }

  /**
   * The database agrees with itself, nothing of interrupted work is left, fsck is clean, and no content file
   * outlives the grace period unreferenced (recovery and the restarted node's sweeper remove them).
   */
  private static void assertStoreConsistent(Path config, Path store, int crash) throws Exception {
    Set<String> referenced = new HashSet<>();
    Set<String> inline = new HashSet<>(); // small files keep their bytes in the database (storage.inlineMaxBytes)
    try (MetadataStore meta = MetadataStores.openSqlite(store.resolve(MetadataStores.SQLITE_FILE), 1, 5000,
        user -> 1L << 30, System::currentTimeMillis)) {
      UsageCheck check = meta.checkUsage("mover");
      assertTrue(check.consistent(), check.toString());
      assertEquals(0, check.stored().reservedBytes(), "no reservation outlived the crash");
      assertEquals(List.of(), meta.wrongBlobCounts("mover"), "reference counts = the tree");
      try (var files = meta.streamFiles("mover")) {
        while (files.hasNext()) referenced.add(files.next().sha256());
      }
      for (String sha : referenced) if (meta.inlineContent("mover", sha).isPresent()) inline.add(sha);
    }
    referenced.removeAll(inline);
    try (Stream<Path> staging = Files.walk(store.resolve("staging"))) {
      assertEquals(List.of(), staging.filter(Files::isRegularFile).toList(), "no staging leftovers");
    }
    Set<String> onDisk = new HashSet<>();
    try (Stream<Path> blobs = Files.walk(store.resolve("blobs"))) {
      blobs.filter(Files::isRegularFile).forEach(p -> onDisk.add(p.getFileName().toString()));
    }
    assertEquals(referenced, onDisk, "after crash " + crash + " and the grace period: exactly the referenced content on disk");
    assertTrue(java.util.Collections.disjoint(inline, onDisk), "inline content has no content file");
    ServerProcess.Result fsck = ServerProcess.run("fsck", "--config", config.toString(), "--storage", store.toString());
    assertEquals(0, fsck.exitCode(), fsck.output());
    assertTrue(fsck.output().contains("storage is consistent"), fsck.output());
  }
}
