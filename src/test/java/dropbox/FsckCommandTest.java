package dropbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `fsck --storage DIR [--repair]`: 0 consistent (or repaired), 1 problems found, 2 usage error. */
class FsckCommandTest {
  @TempDir Path root;

  /** The v1 fsck (these roots are v1 layouts): v1 is no longer the default engine, so it is named. */
  private static int fsck(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--storage-engine", "v1"));
    return Main.fsck(all);
  }

  @Test
  void exitCodesFollowWhatItFinds() throws Exception {
    assertEquals(2, fsck("--storage", root.resolve("missing").toString()));
    assertEquals(2, fsck("--storage", root.toString(), "--bogus"));
    assertEquals(0, fsck("--storage", root.toString()));

    // An interrupted upload of a dead process: a staging file with no reservation, old enough not to be live work.
    Path staging = root.resolve("users/alice/staging/0b0c4a4e-1111-2222-3333-444455556666");
    Files.createDirectories(staging.getParent());
    Files.write(staging, new byte[10]);
    Files.setLastModifiedTime(staging, FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
    assertEquals(1, fsck("--storage", root.toString()));
    assertEquals(true, Files.exists(staging), "without --repair fsck only reads");
    assertEquals(0, fsck("--storage", root.toString(), "--repair"));
    assertEquals(false, Files.exists(staging));
    assertEquals(0, fsck("--storage", root.toString()));
  }

  /** On the default engine (v2) a root with v1 data not yet imported is refused, not "repaired" as orphans. */
  @Test
  void theDefaultEngineRefusesAV1RootNotYetImported() throws Exception {
    Files.createDirectories(root.resolve("users/carol/meta"));
    assertEquals(2, Main.fsck(new ArrayList<>(List.of("--storage", root.toString(), "--repair"))));
    assertEquals(true, Files.isDirectory(root.resolve("users/carol/meta")));
    assertEquals(false, Files.exists(root.resolve("dropbox.db")), "nothing opened");
    assertEquals(0, fsck("--storage", root.toString()), "v1 checks it");
  }

  /** Before: a foreign file under blobs/ was printed as "repaired" and --repair exited 0, though it stays. */
  @Test
  void whatRepairLeavesAloneIsStillAProblem() throws Exception {
    List<String> v2 = List.of("--storage", root.toString());
    assertEquals(0, Main.fsck(new ArrayList<>(v2)));
    Path foreign = root.resolve("blobs/notes-of-the-admin.txt");
    Files.createDirectories(foreign.getParent());
    Files.writeString(foreign, "mine");
    List<String> repair = new ArrayList<>(v2);
    repair.add("--repair");
    assertEquals(1, Main.fsck(repair), "a foreign entry is left alone, so it is still reported");
    assertEquals(true, Files.exists(foreign));
  }

  /**
   * A check only reads: it runs while another process holds the database's write lock (a live server in
   * the middle of a commit, here a test connection in BEGIN IMMEDIATE). Before, fsck's lookup of each user
   * took a write transaction even when the user's row existed, and waited on that lock until it failed.
   */
  @Test
  void aCheckWithoutRepairTakesNoWriteLock() throws Exception {
    io.vertx.core.json.JsonObject cfg = Config.load(new ArrayList<>(List.of("--storage", root.toString())), java.util.Map.of());
    try (dropbox.storage.meta.MetadataStore meta = dropbox.storage.meta.MetadataStores.open(cfg, u -> 5_000_000L)) {
      assertEquals(5_000_000L, meta.usage("alice").quotaBytes());
      assertEquals(5_000_000L, meta.usage("bob").quotaBytes());
    }
    try (java.sql.Connection writer = java.sql.DriverManager.getConnection("jdbc:sqlite:" + root.resolve("dropbox.db"));
         java.sql.Statement st = writer.createStatement()) {
      st.execute("BEGIN IMMEDIATE");
      long t0 = System.nanoTime();
      assertEquals(0, Main.fsck(new ArrayList<>(List.of("--storage", root.toString()))));
      org.junit.jupiter.api.Assertions.assertTrue(System.nanoTime() - t0 < 20_000_000_000L, "not after a busy wait");
      st.execute("ROLLBACK");
    }
  }

  /** Before: fsck, run without the servers' quota settings, rewrote every user's quota to the default. */
  @Test
  void fsckKeepsTheQuotasTheServersSet() throws Exception {
    io.vertx.core.json.JsonObject cfg = Config.load(new ArrayList<>(List.of("--storage", root.toString())), java.util.Map.of());
    try (dropbox.storage.meta.MetadataStore meta = dropbox.storage.meta.MetadataStores.open(cfg, u -> 5_000_000_000L)) {
      assertEquals(5_000_000_000L, meta.usage("alice").quotaBytes());
    }
    assertEquals(0, Main.fsck(new ArrayList<>(List.of("--storage", root.toString()))));
    assertEquals(0, Main.fsck(new ArrayList<>(List.of("--storage", root.toString(), "--repair"))));
    try (dropbox.storage.meta.MetadataStore meta = dropbox.storage.meta.MetadataStores.open(cfg,
        u -> dropbox.storage.meta.MetadataStores.KEEP_STORED_QUOTA)) {
      assertEquals(5_000_000_000L, meta.usage("alice").quotaBytes());
    }
  }

  /** A repair races with a running server's work: refused while one holds the root; a check is not. */
  @Test
  void repairWaitsForTheServerToStop() throws Exception {
    List<String> v2 = List.of("--storage", root.toString());
    assertEquals(0, Main.fsck(new ArrayList<>(v2)));
    try (dropbox.storage.RootLock server = dropbox.storage.RootLock.acquire(root)) {
      List<String> repair = new ArrayList<>(v2);
      repair.add("--repair");
      assertEquals(2, Main.fsck(repair));
      assertEquals(0, Main.fsck(new ArrayList<>(v2)), "a check only reads");
    }
    assertEquals(0, Main.fsck(new ArrayList<>(List.of("--storage", root.toString(), "--repair"))));
  }

  @Test
  void aFreshStagingFileMayBeLiveWorkAndIsLeftAlone() throws Exception {
    Path staging = root.resolve("users/bob/staging/0b0c4a4e-1111-2222-3333-444455556666");
    Files.createDirectories(staging.getParent());
    Files.write(staging, new byte[10]);
    assertEquals(0, fsck("--storage", root.toString(), "--repair"));
    assertEquals(true, Files.exists(staging));
  }
}
