package dropbox.storage.blob;

import dropbox.files.PrivateFiles;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The blob store on a local or shared (NFS) file system:
 *
 * <pre>
 * root/blobs/&lt;user&gt;/&lt;ab&gt;/&lt;sha256&gt;      immutable content; ab = the hash's first two hex digits, so a
 *                                          million blobs make 256 directories of ~4 000, not one of a million
 * root/staging/&lt;user&gt;/&lt;node&gt;.&lt;upload&gt;   uploads in progress, named by the node that serves them
 * </pre>
 *
 * Publishing links the staging file to its blob name rather than renaming it: link(2) fails when the name
 * exists, so racing publishes of the same content never replace a file another node may be streaming
 * (on NFS a replaced file fails its readers) and exactly one of them places it. Files are 0600,
 * directories 0700 (PrivateFiles), given at creation.
 */
public final class FsBlobStore implements BlobStore {
  private static final int EXAMPLES = 20;

  private final Path blobsRoot;
  private final Path stagingRoot;
  private final Fsync fsync;

  public FsBlobStore(Path root, boolean fsync) throws IOException {
    Path r = root.toAbsolutePath().normalize();
    this.blobsRoot = r.resolve("blobs");
    this.stagingRoot = r.resolve("staging");
    this.fsync = new Fsync(fsync);
    ensureDir(blobsRoot);
    ensureDir(stagingRoot);
  }

  /**
   * Bytes this process may still write where the content lives (statvfs: the free blocks a non-root
   * user may take), or Long.MAX_VALUE when the file system cannot say.
   */
  public long usableSpace() {
    try {
      return Files.getFileStore(blobsRoot).getUsableSpace();
    } catch (IOException | RuntimeException e) {
      return Long.MAX_VALUE;
    }
  }

  /** Where a blob's content lives (whether or not it exists). */
  Path blobPath(BlobKey b) {
    return blobsRoot.resolve(b.user()).resolve(b.sha256().substring(0, 2)).resolve(b.sha256());
  }

  Path stagingPath(StagingId id) {
    return stagingRoot.resolve(id.user()).resolve(id.fileName());
  }

  @Override
  public Path createStaging(StagingId id) throws IOException {
    Path p = stagingPath(id);
    ensureDir(p.getParent());
    PrivateFiles.createFile(p); // exclusive: an upload id is never reused
    return p;
  }

  @Override
  public byte[] readStaging(StagingId id, long size) throws IOException {
    Path staging = stagingPath(id);
    long actual = Files.size(staging); // NoSuchFileException: expired and swept, or never created
    if (actual != size || size > Integer.MAX_VALUE - 8) {
      throw new IOException("staging file of upload " + id.uploadId() + " has " + actual + " bytes, not " + size);
    }
    byte[] bytes = Files.readAllBytes(staging);
    if (bytes.length != size) {
      throw new IOException("staging file of upload " + id.uploadId() + " has " + bytes.length + " bytes, not " + size);
    }
    return bytes;
  }

  @Override
  public Published publish(StagingId id, String sha256, long size) throws IOException {
    BlobKey key = new BlobKey(id.user(), sha256);
    Path staging = stagingPath(id);
    long actual = Files.size(staging); // NoSuchFileException: expired and swept, or never created
    if (actual != size) {
      throw new IOException("staging file of upload " + id.uploadId() + " has " + actual + " bytes, not " + size);
    }
    fsync.file(staging);
    Path target = blobPath(key);
    Path dir = target.getParent();
    ensureDir(dir);
    boolean placed = place(staging, target);
    if (!placed) {
      long existing = Files.size(target);
      if (existing != size) { // same hash, other size: the file was damaged (a crash with fsync off?)
        throw new IOException("blob " + target + " has " + existing + " bytes, not " + size + ": run fsck");
      }
    }
    Files.deleteIfExists(staging); // placed by link: drop the second name; not placed: the copy is not needed
    // Also when not placed: the racer that placed it may not have fsynced the directory yet, and our caller
    // is about to commit a row that points at it. (A lost unlink of the staging name only leaves a dead
    // staging file for the scan, so the staging directory is not synced.)
    fsync.dir(dir);
    return new Published(key, size, placed);
  }

  /**
   * Makes an existing content file on the same file system (the v1 import's) the user's blob of this
   * content without copying it: a hard link, or a rename where links are not supported. An existing blob of
   * that content is kept instead (dedup), if its size matches. The source name is left for the caller to
   * delete once the metadata that references the blob has committed, so that a crash in between loses
   * nothing and a re-run finds the blob placed. Returns true when this call placed the file.
   */
  public boolean adopt(Path content, BlobKey key, long size) throws IOException {
    Path target = blobPath(key);
    Path dir = target.getParent();
    ensureDir(dir);
    boolean placed = !Files.exists(target, LinkOption.NOFOLLOW_LINKS) && place(content, target);
    long actual = Files.size(target);
    if (actual != size) throw new IOException("blob " + target + " has " + actual + " bytes, not " + size);
    fsync.dir(dir);
    return placed;
  }

  /** Gives target the staging file's content without ever replacing an existing target; false when it exists. */
  private static boolean place(Path staging, Path target) throws IOException {
    try {
      Files.createLink(target, staging);
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (UnsupportedOperationException | FileSystemException noLinks) {
      if (noLinks instanceof NoSuchFileException) throw (NoSuchFileException) noLinks;
      // A file system without hard links: rename instead. The check and the rename are not one step, so a
      // racer's identical file may be replaced; that is harmless for a local reader (it keeps its inode).
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) return false;
      try {
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(staging, target);
      }
      return true;
    }
  }

  /** The staging file of an upload as a scan would see it; empty when there is none (fsck's reservation check). */
  public Optional<StagingEntry> staging(StagingId id) throws IOException {
    BasicFileAttributes a = attributes(stagingPath(id));
    if (a == null || !a.isRegularFile()) return Optional.empty();
    return Optional.of(new StagingEntry(id, a.lastModifiedTime().toMillis(), a.size()));
  }

  @Override
  public boolean discard(StagingId id) throws IOException {
    return Files.deleteIfExists(stagingPath(id));
  }

  @Override
  public boolean exists(BlobKey blob) {
    return Files.isRegularFile(blobPath(blob), LinkOption.NOFOLLOW_LINKS);
  }

  @Override
  public Optional<Path> locate(BlobKey blob) {
    Path p = blobPath(blob);
    return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? Optional.of(p) : Optional.empty();
  }

  /**
   * The size of a content file as it is on disk, or -1 when it cannot be read (gone since it was located):
   * what a download and fsck compare with the file's size, so a truncated or grown file is never served.
   */
  public static long sizeOnDisk(Path content) {
    try {
      return Files.size(content);
    } catch (IOException e) {
      return -1;
    }
  }

  @Override
  public int sweep(Collection<BlobKey> unreferenced) throws IOException {
    int deleted = 0;
    Set<Path> dirs = new LinkedHashSet<>();
    for (BlobKey b : unreferenced) {
      Path p = blobPath(b);
      if (Files.deleteIfExists(p)) {
        deleted++;
        dirs.add(p.getParent());
      }
    }
    // Fan-out directories stay, even when empty: removing one would race with a publish about to link into it.
    for (Path d : dirs) fsync.dir(d);
    return deleted;
  }

  @Override
  public ScanReport scan(ScanRules rules, boolean repair) throws IOException {
    Tally t = new Tally();
    Set<String> users = new LinkedHashSet<>();
    collectUsers(blobsRoot, users, t);
    collectUsers(stagingRoot, users, t);
    for (String u : users) scanUser(u, rules, repair, t);
    return t.report();
  }

  /**
   * Scans one user. A repairing scan must not run beside that user's uploads unless it holds the user
   * lock: an upload may find an old orphan, keep it as its content and commit a row for it just as the
   * scan deletes it (the same rule as for the sweeper, docs/storage-v2.md).
   */
  public ScanReport scanUser(String user, ScanRules rules, boolean repair) throws IOException {
    Tally t = new Tally();
    scanUser(BlobKey.checkUser(user), rules, repair, t);
    return t.report();
  }

  private void collectUsers(Path top, Set<String> users, Tally t) throws IOException {
    eachEntry(top, p -> {
      String name = p.getFileName().toString();
      if (isUserDir(p, name)) users.add(name);
      else t.foreign(p);
    });
  }

  private static boolean isUserDir(Path p, String name) {
    try {
      return Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && BlobKey.checkUser(name).equals(name);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private void scanUser(String user, ScanRules rules, boolean repair, Tally t) throws IOException {
    Set<Path> touched = new LinkedHashSet<>();
    eachEntry(blobsRoot.resolve(user), fan -> {
      String prefix = fan.getFileName().toString();
      if (!prefix.matches("[0-9a-f]{2}") || !Files.isDirectory(fan, LinkOption.NOFOLLOW_LINKS)) {
        t.foreign(fan);
        return;
      }
      eachEntry(fan, f -> {
        String name = f.getFileName().toString();
        BasicFileAttributes a = attributes(f);
        if (a == null) return; // gone meanwhile (swept by another node)
        if (!a.isRegularFile() || !BlobKey.isSha256(name) || !name.startsWith(prefix)) {
          t.foreign(f);
          return;
        }
        BlobKey key = new BlobKey(user, name);
        t.blobs++;
        if (rules.knownBlob().test(key)) return;
        if (a.lastModifiedTime().toMillis() >= rules.orphanBefore()) {
          t.youngUnknown++;
          return;
        }
        t.orphan(key);
        if (repair && Files.deleteIfExists(f)) {
          t.removed++;
          touched.add(fan);
        }
      });
    });
    Path stagingDir = stagingRoot.resolve(user);
    eachEntry(stagingDir, f -> {
      StagingId id = StagingId.parse(user, f.getFileName().toString());
      BasicFileAttributes a = attributes(f);
      if (a == null) return; // committed or aborted meanwhile
      if (id == null || !a.isRegularFile()) {
        t.foreign(f);
        return;
      }
      StagingEntry e = new StagingEntry(id, a.lastModifiedTime().toMillis(), a.size());
      if (rules.liveStaging().test(e)) {
        t.liveStaging++;
        return;
      }
      t.dead(e);
      if (repair && Files.deleteIfExists(f)) {
        t.removed++;
        touched.add(stagingDir);
      }
    });
    for (Path d : touched) fsync.dir(d);
  }

  private static BasicFileAttributes attributes(Path p) throws IOException {
    try {
      return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /** Streams a directory's entries (never a list of them all); a missing directory has none. */
  private static void eachEntry(Path dir, IoConsumer<Path> action) throws IOException {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) action.accept(p);
    } catch (NoSuchFileException e) {
      // nothing there yet
    }
  }

  @FunctionalInterface
  private interface IoConsumer<T> {
    void accept(T t) throws IOException;
  }

  /**
   * Creates dir (0700, and any missing parents) and makes each new directory entry durable, so that a
   * blob fsynced into a fresh fan-out directory cannot vanish with its directory in a crash.
   */
  private void ensureDir(Path dir) throws IOException {
    if (Files.isDirectory(dir)) return;
    Deque<Path> missing = new ArrayDeque<>();
    for (Path p = dir; p != null && !Files.isDirectory(p); p = p.getParent()) missing.push(p);
    PrivateFiles.createDirectories(dir); // tolerates a racer creating the same directories
    for (Path p : missing) fsync.dir(p.getParent());
  }

  /** Counts and first examples, for one ScanReport. */
  private static final class Tally {
    long blobs;
    long orphans;
    long youngUnknown;
    long dead;
    long liveStaging;
    long foreign;
    long removed;
    final java.util.List<BlobKey> orphanExamples = new java.util.ArrayList<>();
    final java.util.List<StagingEntry> deadExamples = new java.util.ArrayList<>();
    final java.util.List<Path> foreignExamples = new java.util.ArrayList<>();

    void orphan(BlobKey k) { orphans++; add(orphanExamples, k); }

    void dead(StagingEntry e) { dead++; add(deadExamples, e); }

    void foreign(Path p) { foreign++; add(foreignExamples, p); }

    private static <T> void add(java.util.List<T> list, T item) {
      if (list.size() < EXAMPLES) list.add(item);
    }

    ScanReport report() {
      return new ScanReport(blobs, orphans, youngUnknown, dead, liveStaging, foreign, removed,
          java.util.List.copyOf(orphanExamples), java.util.List.copyOf(deadExamples),
          java.util.List.copyOf(foreignExamples));
    }
  }
}
