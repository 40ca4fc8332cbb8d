package dropbox.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.testing.ServerProcess;
import java.nio.file.Files;
import java.util.List;

/**
 * CrashRecoveryTest's kill -9 campaign on storage.engine=v1, which stays selectable: nothing acknowledged
 * lost, nothing partial visible, ledger = listing; then the v1 fsck finds the store consistent and no
 * staging file survived the restart's recovery.
 */
class CrashRecoveryV1Test extends CrashRecoveryTest {

  @Override List<String> engineOptions() { return List.of("--storage-engine", "v1"); }

  @Override void assertStoreConsistent() throws Exception {
    ServerProcess.Result fsck = ServerProcess.run("fsck", "--storage-engine", "v1", "--storage", root.toString());
    assertEquals(0, fsck.exitCode(), fsck.output());
    assertTrue(Files.list(root.resolve("users/partial/staging")).findAny().isEmpty(), "no staging leftovers");
  }
}
