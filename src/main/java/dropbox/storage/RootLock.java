package dropbox.storage;

import dropbox.files.PrivateFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An unclustered server's claim on its storage root: an exclusive lock on {@code <root>/server.lock},
 * held while the server runs and released by the OS when the process dies (kill -9 included), so a
 * stale lock never blocks a restart. A second server started on the same root by mistake would treat the
 * first one's live uploads as leftovers of a crash (its start-up recovery removes every staging file and
 * reservation it does not know), so it is refused instead. Clustered nodes share their root on purpose
 * and take no lock; the file holds the owner's pid, for the message.
 */
public final class RootLock implements AutoCloseable {
  static final String FILE = "server.lock";

  /** The root is held by another server: the operator's to resolve, so said without a stack trace. */
  public static final class InUseException extends IllegalStateException {
    InUseException(String message) {
      super(message);
    }
  }

  private final FileChannel channel;
  private final FileLock lock;

  private RootLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the root, or fails with a message naming the server that holds it. */
  public static RootLock acquire(Path root) throws IOException {
    PrivateFiles.createDirectories(root);
    Path file = root.resolve(FILE);
    FileChannel ch;
    try {
      ch = PrivateFiles.createNew(file, StandardOpenOption.READ);
    } catch (FileAlreadyExistsException e) { // left by an earlier run: the lock, not the file, is the claim
      ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }
    try {
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) { // this very process already runs a server on it
        lock = null;
      }
      if (lock == null) {
        throw new InUseException("storage root " + root + " is in use by another server (pid "
            + owner(ch) + "); stop it first, or cluster the two (cluster.enabled with PostgreSQL)");
      }
      ch.truncate(0);
      ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
      return new RootLock(ch, lock);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  private static String owner(FileChannel ch) {
    try {
      ByteBuffer b = ByteBuffer.allocate(32);
      ch.read(b, 0);
      String pid = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).trim();
      return pid.isEmpty() ? "unknown" : pid;
    } catch (IOException e) {
      return "unknown";
    }
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
