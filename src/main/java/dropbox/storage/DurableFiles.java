package dropbox.storage;

import dropbox.files.PrivateFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * The write discipline behind the durability invariant: write a temp file, fsync it, rename it over the
 * target atomically, fsync the directory. With fsync off (storage.fsync=false, for benchmarks only) the
 * renames stay atomic but a power loss may lose acknowledged work. Every file and directory it creates is
 * private to the server's account (0600/0700, see PrivateFiles).
 */
public final class DurableFiles {
  static final String TMP_SUFFIX = ".tmp";
  private final boolean fsync;

  public DurableFiles(boolean fsync) { this.fsync = fsync; }

  public boolean fsyncEnabled() { return fsync; }

  /** Replaces target with bytes atomically; readers see the old or the new content, never a mix. */
  public void writeAtomically(Path target, byte[] bytes, boolean durable) throws IOException {
    Path dir = target.getParent();
    PrivateFiles.createDirectories(dir);
    Path tmp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + TMP_SUFFIX);
    try (FileChannel ch = PrivateFiles.createNew(tmp)) {
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) ch.write(buf);
      if (durable && fsync) ch.force(true);
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    move(tmp, target);
    if (durable) syncDir(dir);
  }

  /** Atomic rename (replacing), falling back to a plain replace only where the file system cannot. */
  public void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  public void syncFile(Path file) throws IOException {
    if (!fsync) return;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  /** Makes a rename or unlink in dir durable (POSIX: fsync on the directory). */
  public void syncDir(Path dir) throws IOException {
    if (!fsync) return;
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some platforms cannot open a directory for fsync; the rename is still atomic there.
      if (!System.getProperty("os.name", "").toLowerCase().contains("win")) throw e;
    }
  }
}
