package dropbox.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store on account files: file modes and start-up clean-up (the sign-up race is in {@link JsonSignupFilesTest}). */
class SignupStoreTest {
  @TempDir Path tmp;

  @Test
  void accountFilesAreOwnerOnly() throws Exception {
    SignupStore s = new SignupStore(tmp.resolve("accounts"), 1000, false);
    s.initBlocking();
    s.create("Owner", "pass");
    assertEquals("rw-------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("accounts/owner.json"))));
    assertThrows(SignupStore.ExistsException.class, () -> s.create("OWNER", "pass"));
  }

  @Test
  void startupRemovesOnlyStaleTempFiles() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("accounts"));
    Path stale = Files.writeString(dir.resolve(".tmp-old-0011"), "x");
    Files.setLastModifiedTime(stale, FileTime.fromMillis(System.currentTimeMillis() - 2 * 3600_000L));
    Path fresh = Files.writeString(dir.resolve(".tmp-new-2233"), "x");
    new SignupStore(dir, 1000, false).initBlocking();
    assertFalse(Files.exists(stale));
    assertEquals(true, Files.exists(fresh), "a temp file may belong to another node's sign-up in progress");
  }
}
