package dropbox.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A few MiB of the storage's file system held back in {@code <storage.root>/space-reserve}, given up when
 * the disk is full. At 0 bytes free the database cannot write the journal of a delete, nor of the sweep
 * that would remove deleted content, so deleting files to make room would fail with "Storage full" too;
 * with the reserve released they commit, and the space they free follows. Made again once there is room.
 */
final class SpaceReserve {
  static final String FILE = "space-reserve";
  static final long BYTES = 4L << 20;
  /**
   * Given up only below this much free: a disk that is merely low still has room for a delete's journal,
   * and the reserve given up early would only go to the next upload.
   */
  static final long RELEASE_BELOW = 1L << 20;
  /** Made only when this much is free, so the reserve never takes the last space itself. */
  static final long MAKE_ABOVE = 4 * BYTES;

  private final Path file;

  SpaceReserve(Path root) {
    this.file = root.toAbsolutePath().normalize().resolve(FILE);
  }

  Path file() { return file; }

  /** Writes the reserve (real blocks, fsynced) when it is missing and usable bytes allow; true if made. */
  boolean ensure(long usable) throws IOException {
    if (usable < MAKE_ABOVE || Files.exists(file)) return false;
    // Straight under its name with CREATE_NEW: two nodes on one root cannot both make it, and a crash
    // mid-way leaves a smaller reserve, which is harmless, rather than a temp file nobody removes.
    FileChannel ch;
    try {
      ch = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (FileAlreadyExistsException e) {
      return false;
    }
    try (ch) {
      ByteBuffer zeros = ByteBuffer.allocate(1 << 16);
      // Zeros written, not a sparse length: only written blocks are really held back.
      for (long n = 0; n < BYTES; n += zeros.capacity()) {
        zeros.clear();
        while (zeros.hasRemaining()) ch.write(zeros);
      }
      ch.force(true);
    } catch (IOException e) {
      Files.deleteIfExists(file); // the disk filled up while writing it: give the space straight back
      throw e;
    }
    return true;
  }

  /** Gives the reserve up; true if there was one. */
  boolean release() throws IOException {
    return Files.deleteIfExists(file);
  }
}
