package dropbox.storage;

import dropbox.bus.FileInfo;
import dropbox.bus.FileNames;
import dropbox.files.PrivateFiles;
import dropbox.storage.blob.BlobKey;
import dropbox.storage.blob.FsBlobStore;
import dropbox.storage.meta.MetadataStore;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Imports a v1 storage root (users/&lt;u&gt;/{meta,blobs,ledger.json,...}, see StorageLayout) into the v2
 * engine at its start, before anything is served or scanned. Per user, under the user lock:
 *
 * <ol>
 *   <li>each metadata file names its content file and its size and hash; the content is linked (moved,
 *       never copied) to the blob store's place for (user, sha256), or the blob already there is kept
 *       (same content twice, or an earlier run placed it). A missing or damaged content file, or a
 *       metadata file that does not parse, is reported and skipped, never fatal;</li>
 *   <li>a database transaction (one per 10 000 files) adds the user's files with their own times, blob
 *       references and usage;</li>
 *   <li>only after all of them committed, the v1 user directory is removed (skipped entries are first moved to
 *       v1-unimported/&lt;u&gt;/ for the operator).</li>
 * </ol>
 *
 * A crash anywhere converges on the next start: before the commit, the placed blobs have no row yet and
 * the re-run finds them by their hash (the orphan scan runs only after the import); after it, the
 * database already holds the names, so the re-run adds nothing and just finishes the cleanup. Uploads
 * open in v1 (reservations, staging) end with the switch: the ledger and staging go with the directory.
 * Sign-ups (accounts/) are not touched: the accounts store still reads them there.
 */
final class V1Import {
  private static final Logger LOG = LoggerFactory.getLogger(StorageVerticle.class);
  static final String UNIMPORTED = "v1-unimported";
  /**
   * Files per transaction: bounds memory and transaction size for a user with millions of files. Several
   * transactions per user are as safe as one: a re-run skips the names already committed.
   */
  static final int BATCH = 10_000;

  /** Where a test may stop the import to play a crash: after each placed file, or after a user's commit. */
  interface Hook {
    void at(Point point, String user) throws IOException;
  }

  enum Point { PLACED, COMMITTED }

  record Report(int users, int files, long bytes, int skipped) {}

  private final StorageLayout layout;
  private final MetadataStore meta;
  private final FsBlobStore blobs;
  private final StorageLocks locks;
  private final Hook hook;
  private final int batchSize;
  private volatile Report last;

  V1Import(StorageLayout layout, MetadataStore meta, FsBlobStore blobs, StorageLocks locks, Hook hook) {
    this(layout, meta, blobs, locks, hook, BATCH);
  }

  /** batchSize: files per transaction (small in tests, to crash between a user's transactions). */
  V1Import(StorageLayout layout, MetadataStore meta, FsBlobStore blobs, StorageLocks locks, Hook hook, int batchSize) {
    this.batchSize = batchSize;
    this.layout = layout;
    this.meta = meta;
    this.blobs = blobs;
    this.locks = locks;
    this.hook = hook == null ? (p, u) -> { } : hook;
  }

  /** Imports whatever v1 data the root holds; a root without any costs one directory check. */
  Report run() throws IOException {
    Path users = layout.usersDir();
    if (!Files.isDirectory(users)) return last = new Report(0, 0, 0, 0);
    TreeSet<String> names = new TreeSet<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(users)) {
      for (Path p : ds) if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) names.add(p.getFileName().toString());
    }
    int userCount = 0;
    int files = 0;
    int skipped = 0;
    long bytes = 0;
    for (String user : names) {
      if (!StorageLayout.isUserName(user) || !user.equals(user.toLowerCase(Locale.ROOT))) {
        LOG.warn("v1 import: {} is not a user directory, left alone", users.resolve(user));
        continue;
      }
      Report r = locks.with(() -> importUser(user), StorageLocks.userLock(user));
      userCount++;
      files += r.files();
      bytes += r.bytes();
      skipped += r.skipped();
    }
    deleteIfEmpty(users);
    if (files > 0) meta.analyze(); // a bulk insert leaves PostgreSQL's statistics behind (docs/storage-v2.md)
    Report total = new Report(userCount, files, bytes, skipped);
    last = total;
    if (userCount > 0) {
      LOG.info("v1 import: {} users, {} files, {} bytes imported, {} skipped", userCount, files, bytes, skipped);
    }
    return total;
  }

  /** What the last run did (null before the first): for tests and the operator's tools. */
  Report lastRun() { return last; }

  private Report importUser(String user) throws IOException {
    List<FileInfo> batch = new ArrayList<>();
    List<Path> unusable = new ArrayList<>();
    int added = 0;
    long bytes = 0;
    Path metaDir = layout.metaDir(user);
    if (Files.isDirectory(metaDir)) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(metaDir, "*.json")) {
        for (Path p : ds) {
          if (p.getFileName().toString().startsWith(".")) continue; // an atomic write's temp file: never committed
          FileInfo f = entry(user, p);
          if (f == null) {
            unusable.add(p);
            continue;
          }
          batch.add(f);
          hook.at(Point.PLACED, user);
          if (batch.size() == batchSize) {
            for (FileInfo a : meta.importFiles(user, batch)) { added++; bytes += a.size(); }
            batch.clear();
          }
        }
      }
    }
    for (FileInfo a : meta.importFiles(user, batch)) { added++; bytes += a.size(); }
    hook.at(Point.COMMITTED, user);
    for (Path p : unusable) setAside(user, p);
    deleteTree(layout.userDir(user));
    if (!unusable.isEmpty()) {
      LOG.warn("v1 import of {}: {} files could not be imported, their metadata is in {}", user, unusable.size(),
          layout.root().resolve(UNIMPORTED).resolve(user));
    }
    return new Report(1, added, bytes, unusable.size());
  }

  /** Reads one metadata file and puts its content in place; null (logged) when it cannot be imported. */
  private FileInfo entry(String user, Path metaFile) throws IOException {
    FileMeta m;
    try {
      m = FileMeta.fromJson(new JsonObject(Buffer.buffer(Files.readAllBytes(metaFile))));
      BlobKey key = new BlobKey(user, m.sha256());
      if (!FileNames.isValid(m.name()) || m.size() < 0 || !StorageLayout.isId(m.blob())
          || !metaFile.getFileName().toString().equals(StorageLayout.nameKey(m.name()) + ".json")) {
        throw new IllegalArgumentException("fields out of range");
      }
      Path content = layout.blob(user, m.blob());
      if (sizeOf(content) == m.size()) {
        blobs.adopt(content, key, m.size());
      } else if (!(blobs.exists(key) && blobs.locate(key).map(V1Import::sizeOf).orElse(-1L) == m.size())) {
        // Not there, and not placed by an earlier run either: the content is lost or damaged.
        LOG.warn("v1 import of {}: {} skipped, its content file {} is missing or not {} bytes",
            user, m.name(), content, m.size());
        return null;
      }
      return new FileInfo(m.name(), m.size(), m.sha256(), m.created(), m.modified());
    } catch (RuntimeException bad) { // not JSON, a field missing or of the wrong type, a bad hash or id
      LOG.warn("v1 import of {}: {} skipped, unreadable metadata ({})", user, metaFile, bad.getMessage());
      return null;
    }
  }

  private static long sizeOf(Path p) {
    try {
      BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return a.isRegularFile() ? a.size() : -1;
    } catch (IOException e) {
      return -1;
    }
  }

  /** Keeps the metadata of what could not be imported for the operator (its content was missing or damaged). */
  private void setAside(String user, Path metaFile) throws IOException {
    Path dir = layout.root().resolve(UNIMPORTED).resolve(user);
    PrivateFiles.createDirectories(dir);
    try {
      Files.move(metaFile, dir.resolve(metaFile.getFileName()), StandardCopyOption.REPLACE_EXISTING);
    } catch (NoSuchFileException gone) {
      // set aside by an earlier run that stopped before its cleanup ended
    }
  }

  private static void deleteIfEmpty(Path dir) throws IOException {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      if (ds.iterator().hasNext()) return;
    }
    Files.deleteIfExists(dir);
  }

  /** Removes a v1 user directory, its metadata first: what is left of a crash here is only more cleanup. */
  private void deleteTree(Path dir) throws IOException {
    Path metaDir = dir.resolve("meta");
    if (Files.isDirectory(metaDir)) deleteRecursively(metaDir);
    if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) deleteRecursively(dir);
  }

  private static void deleteRecursively(Path dir) throws IOException {
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        if (e != null) throw e;
        Files.deleteIfExists(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
