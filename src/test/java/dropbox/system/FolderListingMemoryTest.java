package dropbox.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.bus.FileInfo;
import dropbox.storage.meta.MetadataStore;
import dropbox.storage.meta.MetadataStores;
import dropbox.testing.ClassicClient;
import dropbox.testing.ServerProcess;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proof that TCP LIST <folder> streams page by page: a server limited to a 64 MiB heap lists a folder of
 * 60 000 files with 240-character names (a 17 MB table; collected and formatted whole, the entries, the
 * text and its bytes need more than the heap) completely, in order, with the usage line and the prompt.
 * The tree is seeded through the MetadataStore's bulk import before the server starts (LIST reads rows
 * only, so the files need no content).
 */
class FolderListingMemoryTest {
  private static final int FILES = 60_000;
  @TempDir Path dir;

  @Test
  void aServerWith64MiBHeapStreamsTheListingOfA60000EntryFolder() throws Exception {
    Path root = dir.resolve("store");
    Files.createDirectories(root);
    String pad = "x".repeat(233);
    String sha = "ab".repeat(32);
    try (MetadataStore meta = MetadataStores.openSqlite(root.resolve(MetadataStores.SQLITE_FILE), 1, 10_000,
        u -> 1L << 40, System::currentTimeMillis)) {
      for (int from = 0; from < FILES; from += 10_000) {
        List<FileInfo> files = new ArrayList<>();
        for (int i = from; i < from + 10_000; i++) {
          files.add(new FileInfo(String.format("big/%07d%s", i, pad), 10, sha, 1_700_000_000_000L, 1_700_000_000_000L));
        }
        assertEquals(files.size(), meta.importFiles("lister", files).size());
      }
    }
    Path config = dir.resolve("config.json");
    Files.writeString(config, new JsonObject().put("storage", new JsonObject().put("engine", "v2")).encode());
    try (ServerProcess server = ServerProcess.start(List.of("-Xmx64m"), "--config", config.toString(),
        "--storage", root.toString(), "--tcp-port", "0", "--http-port", "0", "--default-quota", String.valueOf(1L << 40))) {
      try (ClassicClient c = ClassicClient.connect(server.tcpPort()).signupOrLogin("lister", "pass")) {
        listAndCheck(c);
      } catch (AssertionError | java.io.IOException e) {
        server.output().forEach(System.out::println); // what the server said, for the failure report
        throw e;
      }
      assertTrue(server.isAlive());
      assertTrue(server.output().stream().noneMatch(l -> l.contains("OutOfMemoryError")), "no OOM in the log");
    }
  }

  private static void listAndCheck(ClassicClient c) throws java.io.IOException {
    String pad = "x".repeat(233);
    c.sendLine("LIST big");
    BufferedReader in = new BufferedReader(new InputStreamReader(c.rawIn(), StandardCharsets.UTF_8));
    assertEquals("=== File Listing for lister: big ===", in.readLine());
    assertEquals("", in.readLine());
    assertTrue(in.readLine().startsWith("Filename"));
    assertTrue(in.readLine().startsWith("--------"));
    for (int i = 0; i < FILES; i++) {
      String row = in.readLine();
      String name = String.format("%07d%s", i, pad);
      assertTrue(row != null && row.startsWith(name + " 10 "), "row " + i + ": " + row);
    }
    assertEquals("Usage: " + (10L * FILES) + " of " + (1L << 40) + " bytes (" + FILES + " files)", in.readLine());
    char[] prompt = new char[2];
    assertEquals(2, in.read(prompt));
    assertEquals("> ", new String(prompt));
    // Still one session in step: the next command is answered.
    c.sendLine("QUOTA");
    StringBuilder quota = new StringBuilder();
    for (int ch; !quota.toString().endsWith("> ") && (ch = in.read()) != -1; ) quota.append((char) ch);
    assertTrue(quota.toString().startsWith("Usage: " + (10L * FILES)), quota.toString());
  }
}
