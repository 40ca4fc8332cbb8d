package dropbox.storage.blob;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The two fsyncs the blob store relies on. Off only with storage.fsync=false (benchmarks): renames and
 * links stay atomic, but a power loss may then lose acknowledged work. Kept here rather than shared with
 * storage.DurableFiles so that storage/ may depend on storage/blob/ without a cycle.
 */
final class Fsync {
  private final boolean enabled;

  Fsync(boolean enabled) { this.enabled = enabled; }

  void file(Path file) throws IOException {
    if (!enabled) return;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  /** Makes a link, rename or unlink in dir durable (POSIX: fsync on the directory itself). */
  void dir(Path dir) throws IOException {
    if (!enabled) return;
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Windows cannot open a directory for fsync; its renames are durable with the file system's journal.
      if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("win")) throw e;
    }
  }
}
