package dropbox.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateFilesTest {
  @TempDir Path dir;

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, java.nio.file.LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void createsOwnerOnlyFilesAndDirectories() throws Exception {
    Path deep = PrivateFiles.createDirectories(dir.resolve("a/b/c"));
    assertEquals("rwx------", mode(dir.resolve("a")));
    assertEquals("rwx------", mode(dir.resolve("a/b")));
    assertEquals("rwx------", mode(deep));
    assertEquals("rw-------", mode(PrivateFiles.createFile(deep.resolve("empty"))));
    try (FileChannel ch = PrivateFiles.createNew(deep.resolve("new"))) {
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {1}));
    }
    assertEquals("rw-------", mode(deep.resolve("new")));
    PrivateFiles.writeNew(deep.resolve("written"), new byte[] {1, 2});
    assertEquals("rw-------", mode(deep.resolve("written")));
    // Exclusive: an existing file is neither replaced nor removed.
    assertThrows(FileAlreadyExistsException.class, () -> PrivateFiles.writeNew(deep.resolve("written"), new byte[9]));
    assertEquals(2, Files.size(deep.resolve("written")));
  }

  @Test
  void tightenNarrowsOpenModesNeverWidensAndDoesNotFollowLinks() throws Exception {
    Path root = Files.createDirectories(dir.resolve("root/users/u"));
    Path open = Files.writeString(root.resolve("open"), "x");
    Path readOnly = Files.writeString(root.resolve("readonly"), "x");
    Path outside = Files.writeString(dir.resolve("outside"), "x");
    Files.createSymbolicLink(root.resolve("link"), outside);
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-rw-rw-"));
    Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r--------"));
    Files.setPosixFilePermissions(outside, PosixFilePermissions.fromString("rw-r--r--"));
    for (Path d : new Path[] {dir.resolve("root"), dir.resolve("root/users"), root}) {
      Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    int changed = PrivateFiles.tighten(dir.resolve("root"));
    assertEquals("rw-------", mode(open));
    assertEquals("r--------", mode(readOnly), "never adds a permission");
    assertEquals("rw-r--r--", mode(outside), "a link's target outside the root is not touched");
    assertEquals("rwx------", mode(root));
    assertEquals("rwx------", mode(dir.resolve("root")));
    assertEquals(4, changed, "root, users, users/u and the open file");
    assertEquals(0, PrivateFiles.tighten(dir.resolve("root")), "a second pass finds nothing to do");
  }
}
