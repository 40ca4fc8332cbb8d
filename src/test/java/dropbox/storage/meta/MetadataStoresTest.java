package dropbox.storage.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.Config;
import dropbox.bus.TreePath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which database the config opens, and the setups refused before anything is created. */
class MetadataStoresTest {
  @TempDir Path dir;

  @Test
  void withoutDbUrlTheEmbeddedSqliteLivesInTheStorageRoot() {
    var config = Config.load(List.of("--storage", dir.toString()), Map.of());
    try (MetadataStore store = MetadataStores.open(config, u -> 500)) {
      store.commitUpload("bob", TreePath.parse("a/b"), null, 3, "ab".repeat(32), null);
      assertEquals(500, store.usage("bob").quotaBytes());
    }
    assertTrue(Files.isRegularFile(dir.resolve("dropbox.db")));
    try (MetadataStore again = MetadataStores.open(config, u -> 500)) {
      assertTrue(again.resolve("BOB", TreePath.parse("a/b")).isPresent(), "user names ignore case");
    }
  }

  @Test
  void aClusteredNodeOnSqliteIsRefusedWithAClearMessage() {
    var config = Config.load(List.of("--storage", dir.toString(), "--cluster"), Map.of());
    Config.UsageException e = assertThrows(Config.UsageException.class, () -> MetadataStores.open(config, u -> 1));
    assertTrue(e.getMessage().contains("needs PostgreSQL: set db.url"), e.getMessage());
    assertTrue(!Files.exists(dir.resolve("dropbox.db")), "nothing created");
  }

  @Test
  void aDbUrlOfAnotherDatabaseIsRefused() {
    var config = Config.load(List.of("--storage", dir.toString()), Map.of("DROPBOX_DB_URL", "jdbc:mysql://x/y"));
    Config.UsageException e = assertThrows(Config.UsageException.class, () -> MetadataStores.open(config, u -> 1));
    assertTrue(e.getMessage().contains("jdbc:postgresql:"), e.getMessage());
  }
}
