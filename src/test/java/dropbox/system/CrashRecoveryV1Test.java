package dropbox.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.storage.meta.MetadataStore;
import dropbox.testing.ServerProcess;
import dropbox.storage.meta.MetadataStores;
import dropbox.storage.meta.UsageCheck;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * CrashRecoveryTest's kill -9 campaign on storage.engine=v2: nothing acknowledged lost, nothing partial
 * visible, usage = listing; then the database agrees with itself (usage rows = the tree and the
 * reservations, none left), no staging file survived the restart's recovery, and `fsck` (v2) agrees.
 */
class CrashRecoveryV2Test extends CrashRecoveryTest {

  @Override List<String> engineOptions() throws IOException {
    Path config = root.resolve("config.json"); // beside the engine's own files, never among them
    Files.writeString(config, new JsonObject().put("storage", new JsonObject().put("engine", "v2")).encode());
    return List.of("--config", config.toString());
  }

  @Override void assertStoreConsistent() throws Exception {
    try (MetadataStore meta = MetadataStores.openSqlite(root.resolve(MetadataStores.SQLITE_FILE), 1, 5000,
        user -> 1L << 30, System::currentTimeMillis)) {
      List<String> users = meta.users();
      assertTrue(users.containsAll(List.of("writer0", "writer1", "writer2", "partial")), users.toString());
      for (String user : users) {
        UsageCheck check = meta.checkUsage(user);
        assertTrue(check.consistent(), check.toString());
        assertEquals(0, check.stored().reservedBytes(), "no reservation outlived the crash: " + check);
      }
    }
    try (Stream<Path> staging = Files.walk(root.resolve("staging"))) {
      assertEquals(List.of(), staging.filter(Files::isRegularFile).toList(), "no staging leftovers");
    }
    ServerProcess.Result fsck = ServerProcess.run("fsck", "--config", root.resolve("config.json").toString(),
        "--storage", root.toString());
    assertEquals(0, fsck.exitCode(), fsck.output());
    assertTrue(fsck.output().contains("storage is consistent"), fsck.output());
  }
}
