package dropbox.files;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files and directories that only the server's own account may read: files 0600, directories 0700.
 * Everything the server writes under its storage root (content, metadata, ledgers, accounts, staging,
 * TLS keys) goes through here, and the mode is given at creation (an attribute of the create call, not
 * a chmod afterwards), so no other local user can open a file in the instant between the two.
 *
 * <p>On a file system without POSIX permissions (Windows) the calls create plainly: access there is the
 * directory's ACL, which the operator sets. The process umask can only remove bits, never add them.
 */
public final class PrivateFiles {
  public static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
  public static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");

  private static final Logger LOG = LoggerFactory.getLogger(PrivateFiles.class);

  private PrivateFiles() {}

  /** Like Files.createDirectories; every directory it creates is 0700 (existing ones are left as they are). */
  public static Path createDirectories(Path dir) throws IOException {
    return Files.createDirectories(dir, dirAttributes(dir));
  }

  /** Like Files.createFile: a new empty 0600 file, FileAlreadyExistsException if it exists. */
  public static Path createFile(Path file) throws IOException {
    return Files.createFile(file, fileAttributes(file));
  }

  /** An exclusive create (CREATE_NEW) of a 0600 file, open for writing plus the extra options given. */
  public static FileChannel createNew(Path file, OpenOption... extra) throws IOException {
    Set<OpenOption> opts = new java.util.HashSet<>(Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
    opts.addAll(Set.of(extra));
    return FileChannel.open(file, opts, fileAttributes(file));
  }

  /** Writes a new 0600 file with the given bytes (FileAlreadyExistsException if it exists). */
  public static void writeNew(Path file, byte[] bytes) throws IOException {
    FileChannel ch = createNew(file); // outside the try: a file that was already there is not ours to delete
    try (ch) {
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) ch.write(buf);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(file);
      throw e;
    }
  }

  /**
   * Brings an existing tree (the root itself included) to 0700/0600, for a root written by a version that
   * created 0755/0644. Symbolic links are not followed; entries vanishing meanwhile are skipped (other
   * nodes may be working in the same root). An entry whose mode cannot be changed (owned by another
   * account) is logged and left as it is: the server still starts. Returns how many entries were tightened.
   */
  public static int tighten(Path root) throws IOException {
    if (!posix(root) || !Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) return 0;
    int[] changed = {0};
    List<String> refused = new ArrayList<>();
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        if (restrict(dir, DIR_MODE)) changed[0]++;
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        if (attrs.isRegularFile() && restrict(file, FILE_MODE)) changed[0]++;
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) return FileVisitResult.CONTINUE;
        if (e instanceof FileSystemException) { // e.g. a directory we may not read
          refused.add(file + " (" + e.getClass().getSimpleName() + ")");
          return FileVisitResult.CONTINUE;
        }
        throw e;
      }

      private boolean restrict(Path p, Set<PosixFilePermission> mode) throws IOException {
        try {
          return PrivateFiles.restrict(p, mode);
        } catch (FileSystemException e) { // not ours to change (NoSuchFile is handled below)
          refused.add(p + " (" + e.getClass().getSimpleName() + ")");
          return false;
        }
      }
    });
    if (!refused.isEmpty()) {
      LOG.warn("cannot make {} entries under {} private, e.g. {}: check their owner", refused.size(), root,
          refused.get(0));
    }
    return changed[0];
  }

  /** Sets mode if the entry allows more than it; false if it was already private enough (or is gone). */
  private static boolean restrict(Path p, Set<PosixFilePermission> mode) throws IOException {
    try {
      Set<PosixFilePermission> now = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
      if (mode.containsAll(now)) return false;
      Set<PosixFilePermission> narrowed = EnumSet.noneOf(PosixFilePermission.class);
      narrowed.addAll(now);
      narrowed.retainAll(mode);
      Files.setPosixFilePermissions(p, narrowed);
      return true;
    } catch (NoSuchFileException gone) {
      return false;
    }
  }

  public static boolean posix(Path p) {
    return p.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  private static FileAttribute<?>[] fileAttributes(Path p) {
    return posix(p) ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE_MODE)} : new FileAttribute<?>[0];
  }

  private static FileAttribute<?>[] dirAttributes(Path p) {
    return posix(p) ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(DIR_MODE)} : new FileAttribute<?>[0];
  }
}
