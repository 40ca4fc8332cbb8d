package dropbox.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpaceReserveTest {
  @TempDir Path root;

  @Test
  void isMadeOnlyWithRoomToSpareOnceAndPrivateAndGivenUpOnRelease() throws Exception {
    SpaceReserve r = new SpaceReserve(root);
    assertFalse(r.ensure(SpaceReserve.MAKE_ABOVE - 1), "too little room: the reserve would take the last of it");
    assertFalse(Files.exists(r.file()));
    assertTrue(r.ensure(SpaceReserve.MAKE_ABOVE));
    assertEquals(SpaceReserve.BYTES, Files.size(r.file()));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(r.file())));
    assertFalse(r.ensure(Long.MAX_VALUE), "made once");
    assertTrue(r.release());
    assertFalse(Files.exists(r.file()));
    assertFalse(r.release(), "nothing left to give up");
  }
}
