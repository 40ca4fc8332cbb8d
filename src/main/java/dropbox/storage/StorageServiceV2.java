package dropbox.storage;

import dropbox.bus.QuotaPolicy;
import dropbox.bus.CommitResult;
import dropbox.bus.DownloadHandle;
import dropbox.bus.ErrorCode;
import dropbox.bus.FileEvent;
import dropbox.bus.FileInfo;
import dropbox.bus.FolderEntry;
import dropbox.bus.FolderPage;
import dropbox.bus.FolderSort;
import dropbox.bus.Listing;
import dropbox.bus.Preconditions;
import dropbox.bus.StorageException;
import dropbox.bus.TreePath;
import dropbox.bus.UploadTicket;
import dropbox.bus.Usage;
import dropbox.storage.blob.BlobKey;
import dropbox.storage.blob.BlobStore;
import dropbox.storage.blob.FsBlobStore;
import dropbox.storage.blob.StagingId;
import dropbox.storage.meta.FileStream;
import dropbox.storage.meta.ListOrder;
import dropbox.storage.meta.MetadataStore;
import dropbox.storage.meta.Node;
import dropbox.storage.meta.RemovedTree;
import dropbox.storage.meta.Reservation;
import dropbox.storage.meta.StoredFile;
import dropbox.storage.meta.UploadCommit;
import dropbox.files.Sha256;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * storage.engine=v2: metadata, usage and reservations in the database (MetadataStore), content in
 * content-addressed, per-user deduplicated blobs (BlobStore). One upload (ARCHITECTURE.md "Storage v2"):
 * reserve under the user lock → the front end streams and hashes into the staging file → publish (fsync,
 * then place the blob or find it already there) → ONE metadata transaction under the file and user locks
 * → reply. The transaction is the commit point: anything before it is invisible and swept if the process
 * dies (V2Upkeep). Reads take no lock: a row names an immutable blob that outlives its last reference by
 * the grace period.
 *
 * <p>Quota is logical bytes with v1's rules: a replacement is charged its growth only, and deduplicated
 * content costs its full size (what the user sees, not what the disk holds).
 */
public final class StorageServiceV2 implements StorageEngine {
  /**
   * A reservation normally ends with its upload (commit or abort, which StagingWriter guarantees) or with
   * its process (recovery); the deadline is only the backstop for a front end that vanished without
   * either, so it is long enough for any real upload.
   */
  static final long RESERVATION_LIFETIME_MS = 24L * 3600 * 1000;
  /** The largest folder page one command may ask for (rest-api.md "Folders"). */
  static final int MAX_PAGE = 10_000;
  /** storage.inlineMaxBytes' default (Config). */
  static final long DEFAULT_INLINE_MAX = 65536;

  private final MetadataStore meta;
  private final BlobStore blobs;
  private final StorageLocks locks;
  private final QuotaPolicy quotas;
  private final String nodeId;
  private final Consumer<FileEvent> events;
  private final LongSupplier clock;
  private final UploadCredits credits = new UploadCredits();
  /** Content of at most this many bytes is kept in the database (storage.inlineMaxBytes; 0: never). */
  private final long inlineMax;

  /** With the default storage.inlineMaxBytes. */
  public StorageServiceV2(MetadataStore meta, BlobStore blobs, LockManager locks, QuotaPolicy quotas,
                          long lockTimeoutMs, String nodeId, Consumer<FileEvent> events, LongSupplier clock) {
    this(meta, blobs, locks, quotas, lockTimeoutMs, nodeId, events, clock, DEFAULT_INLINE_MAX);
  }

  public StorageServiceV2(MetadataStore meta, BlobStore blobs, LockManager locks, QuotaPolicy quotas,
                          long lockTimeoutMs, String nodeId, Consumer<FileEvent> events, LongSupplier clock,
                          long inlineMax) {
    this.inlineMax = Math.max(0, inlineMax);
    this.meta = meta;
    this.blobs = blobs;
    this.locks = new StorageLocks(locks, lockTimeoutMs);
    this.quotas = quotas;
    this.nodeId = nodeId;
    this.events = events;
    this.clock = clock;
  }

  // ---------------------------------------------------------------- uploads

  @Override
  public UploadTicket openUpload(String user, String name, long size, String owner) {
    TreePath path = path(name);
    long limit = quotas.limitFor(user);
    if (size > limit) throw StorageService.tooLarge(limit);
    String stagingOwner = owner != null ? owner : nodeId;
    return locks.with(() -> {
      Optional<Node> at = meta.resolve(user, path);
      // A conflict the commit would refuse anyway is refused now, before the body is sent: with
      // Expect: 100-continue the client sends nothing, and no bytes are held or written for it.
      if (at.isPresent() && !at.get().isFile() || underAFile(user, path)) {
        throw StorageException.of(ErrorCode.PATH_CONFLICT, "Path conflict");
      }
      Node existing = at.orElse(null);
      long credit = existing == null ? 0 : existing.size();
      long covered = Math.max(0, size);
      Reservation r = meta.reserve(user, Math.max(0, covered - credit), stagingOwner,
          clock.getAsLong() + RESERVATION_LIFETIME_MS);
      Path file;
      try {
        file = blobs.createStaging(stagingId(user, owner, r.id()));
      } catch (IOException | RuntimeException e) {
        meta.release(user, r.id());
        throw e;
      }
      credits.opened(r.id(), covered, credit, clock.getAsLong());
      return new UploadTicket(r.id(), file.toString(), covered, limit);
    }, StorageLocks.userLock(user));
  }

  /** Whether the nearest existing ancestor of path is a file (then no file can be made at path). */
  private boolean underAFile(String user, TreePath path) {
    for (TreePath p = path.parent(); !p.isRoot(); p = p.parent()) {
      Optional<Node> n = meta.resolve(user, p);
      if (n.isPresent()) return n.get().isFile();
    }
    return false;
  }

  /**
   * As v1: the reservation holds the growth over the replaced file's size, so a replacement of unknown
   * size starts holding bytes only once it outgrows the old file. The upload's covered bytes and credit
   * are kept by the node that opened it; served elsewhere in a cluster, the credit is taken as 0 (more is
   * held while it streams, never less; the commit settles the real growth either way).
   */
  @Override
  public long extendUpload(String user, String uploadId, long more) {
    if (more < 0) throw StorageException.of(ErrorCode.BAD_REQUEST, "Negative reservation");
    long limit = quotas.limitFor(user);
    return locks.with(() -> {
      UploadCredits.Entry e = credits.get(uploadId);
      if (e == null) {
        long held = meta.extend(user, uploadId, 0); // also: "Upload expired or unknown" when it is gone
        e = credits.opened(uploadId, held, 0, clock.getAsLong());
      }
      long covered = e.covered() + more;
      if (covered > limit) throw StorageService.tooLarge(limit);
      long delta = Math.max(0, covered - e.credit()) - Math.max(0, e.covered() - e.credit());
      meta.extend(user, uploadId, delta);
      credits.covered(uploadId, covered);
      return covered;
    }, StorageLocks.userLock(user));
  }

  @Override
  public CommitResult commitUpload(String user, String name, String uploadId, long size, String sha256,
                                   Preconditions pre, String owner) {
    TreePath path = path(name);
    StagingId staging = stagingId(user, owner, uploadId);
    BlobKey key = blobKey(user, sha256, uploadId, owner);
    UploadCredits.Entry announced = credits.get(uploadId);
    if (announced != null && size > announced.covered()) { // as v1 (known on the node that opened it)
      throw endUpload(user, uploadId, owner, StorageException.of(ErrorCode.BAD_REQUEST, "Upload larger than announced"));
    }
    if (inline(size)) return commitStagedInline(user, name, path, uploadId, size, key, pre, owner);
    // The slow part (fsync of the content, placing the blob) happens before any lock is taken.
    try {
      blobs.publish(staging, sha256, size);
    } catch (IOException e) {
      throw endUpload(user, uploadId, owner, publishRefusal(e));
    }
    UploadCommit c;
    try {
      c = locks.with(() -> {
        // Under the user lock the sweeper cannot run for this user (it holds the lock from forgetting a
        // blob row to deleting its file): if a publish that found the blob lost it to a sweep before the
        // lock, say so now rather than commit a row without content. Rare: the blob had to be
        // unreferenced for the whole grace period and be swept in this very moment.
        if (!blobs.exists(key)) {
          throw StorageException.of(ErrorCode.BUSY, "Server busy, please try again later");
        }
        return meta.commitUpload(user, path, uploadId, size, sha256, old -> checkPreconditions(old, pre));
      }, StorageLocks.fileLock(user, name), StorageLocks.userLock(user));
    } catch (StorageException e) {
      // A refusal ends the upload. BUSY/TIMEOUT too: the content is already published, the staging file
      // gone, so the front end can only start over (StagingWriter aborts on any failure anyway).
      // BUSY and TIMEOUT: the locks were not had (waiting again would hold this worker as long once more)
      // or the content was already gone; the periodic scan removes what is left.
      if (e.code() != ErrorCode.BUSY && e.code() != ErrorCode.TIMEOUT) dropUnreferenced(user, key, e);
      throw endUpload(user, uploadId, owner, e);
    }
    credits.ended(uploadId);
    return uploaded(user, name, c);
  }

  /**
   * A refused commit (a path conflict, a precondition, the quota) leaves the content it published: removed
   * here unless a file references it, or it would sit on the disk outside any quota until the periodic
   * scan found it (a loop of refused 5 MiB PUTs filled 200 MiB under a 100 MiB quota). Under the user lock,
   * as the sweeper: an upload of the same bytes that found this content and has not committed yet then
   * finds it gone under its own lock and answers busy, never a row without content. Best effort: if the
   * lock cannot be had, the scan still removes it after the stale period.
   */
  private void dropUnreferenced(String user, BlobKey key, StorageException refusal) {
    try {
      locks.with(() -> {
        if (!meta.hasBlob(user, key.sha256())) blobs.sweep(List.of(key));
        return null;
      }, StorageLocks.userLock(user));
    } catch (RuntimeException e) {
      refusal.addSuppressed(e);
    }
  }

  /** Whether content of this size is kept in the database (storage.inlineMaxBytes; 0: never, even empty). */
  private boolean inline(long size) { return inlineMax > 0 && size <= inlineMax; }

  private CommitResult uploaded(String user, String name, UploadCommit c) {
    FileInfo f = c.file().info(name);
    events.accept(new FileEvent(user, FileEvent.UPLOADED, f.name(), f.size(), f.sha256(), f.modified()));
    return new CommitResult(f, c.created());
  }

  /**
   * A small upload whose bytes came with the command: no reservation, no staging file. The quota is checked
   * by the commit's conditional UPDATE (the only check there is for it, which is all a reservation adds up
   * to when the upload is one command). Up to inlineMax the bytes go into the database with the row, in
   * one commit; a larger body (inlineMax lowered, or a front end of another setting) goes through a
   * staging file as any upload does.
   */
  @Override
  public CommitResult putSmall(String user, String name, byte[] content, Preconditions pre, String owner) {
    TreePath path = path(name);
    long limit = quotas.limitFor(user);
    if (content.length > limit) throw StorageService.tooLarge(limit);
    if (!inline(content.length)) return StorageEngine.super.putSmall(user, name, content, pre, owner);
    String sha256 = Sha256.hex(content);
    UploadCommit c = locks.with(() -> meta.commitInline(user, path, null, sha256, content,
        old -> checkPreconditions(old, pre)), StorageLocks.fileLock(user, name), StorageLocks.userLock(user));
    return uploaded(user, name, c);
  }

  /**
   * A streamed upload that turned out small (chunked HTTP, a front end's budget spent): its staging file is
   * read into the database row instead of being published as a blob file, so every file of at most
   * inlineMax bytes is stored the same way whichever path it came by. The hash is re-computed from the bytes
   * read: the content address of a row that holds the bytes itself must be right.
   */
  private CommitResult commitStagedInline(String user, String name, TreePath path, String uploadId, long size,
                                          BlobKey claimed, Preconditions pre, String owner) {
    StagingId staging = stagingId(user, owner, uploadId);
    byte[] content;
    try {
      content = blobs.readStaging(staging, size);
    } catch (IOException e) {
      throw endUpload(user, uploadId, owner, publishRefusal(e));
    }
    String sha256 = Sha256.hex(content);
    if (!sha256.equals(claimed.sha256())) {
      throw endUpload(user, uploadId, owner, StorageException.of(ErrorCode.BAD_REQUEST, "Upload incomplete"));
    }
    UploadCommit c;
    try {
      c = locks.with(() -> meta.commitInline(user, path, uploadId, sha256, content,
          old -> checkPreconditions(old, pre)), StorageLocks.fileLock(user, name), StorageLocks.userLock(user));
    } catch (StorageException e) {
      throw endUpload(user, uploadId, owner, e);
    }
    credits.ended(uploadId);
    try {
      blobs.discard(staging); // committed: the staging file is only a copy now (recovery would sweep it)
    } catch (IOException e) {
      org.slf4j.LoggerFactory.getLogger(StorageServiceV2.class)
          .warn("staging file of committed upload {} not removed: {}", uploadId, e.toString());
    }
    return uploaded(user, name, c);
  }

  @Override
  public void abortUpload(String user, String uploadId, String owner) {
    StagingId staging = stagingId(user, owner, uploadId);
    credits.ended(uploadId);
    locks.with(() -> {
      // The file first: on a full disk (the usual reason an upload fails) the release, a database write,
      // only succeeds once the staging file's space is back. A crash between the two leaves a reservation
      // without a file, which recovery releases.
      blobs.discard(staging);
      meta.release(user, uploadId);
      return null;
    }, StorageLocks.userLock(user));
  }

  // ---------------------------------------------------------------- reads and deletes

  @Override
  public DownloadHandle openDownload(String user, String name) {
    TreePath path = path(name);
    StoredFile stored = meta.openFile(user, path).orElseThrow(StorageServiceV2::notFound);
    Node file = stored.node();
    if (stored.inline() != null) return DownloadHandle.inline(file.info(name), Buffer.buffer(stored.inline()));
    Optional<Path> content = blobs.locate(new BlobKey(user, file.sha256()));
    if (content.isEmpty()) {
      org.slf4j.LoggerFactory.getLogger(StorageServiceV2.class)
          .error("content of {} of {} (blob {}) is missing: run fsck", name, user, file.sha256());
      throw StorageException.of(ErrorCode.INTERNAL, "Storage error");
    }
    // A content file of the wrong size (truncated or grown on disk) would be served as this file's bytes
    // under its ETag: refused instead. One stat; a changed byte in a file of the right size is fsck's to find.
    long onDisk = FsBlobStore.sizeOnDisk(content.get());
    if (onDisk != file.size()) {
      org.slf4j.LoggerFactory.getLogger(StorageServiceV2.class).error(
          "content of {} of {} (blob {}) has {} bytes on disk, not {}: run fsck", name, user, file.sha256(), onDisk, file.size());
      throw StorageException.of(ErrorCode.INTERNAL, "Storage error");
    }
    return new DownloadHandle(file.info(name), content.get().toString());
  }

  /** The same handle as openDownload's for an inline file, when the lookup cache holds it. */
  @Override
  public Optional<DownloadHandle> cachedDownload(String user, String name) {
    if (!TreePath.isValid(name)) return Optional.empty(); // openDownload names the error
    return meta.cachedFile(user, TreePath.parse(name))
        .filter(stored -> stored.inline() != null)
        .map(stored -> DownloadHandle.inline(stored.node().info(name), Buffer.buffer(stored.inline())));
  }

  @Override
  public FileInfo delete(String user, String name) {
    TreePath path = path(name);
    Node gone = locks.with(() -> meta.deleteFile(user, path, null),
        StorageLocks.fileLock(user, name), StorageLocks.userLock(user));
    events.accept(new FileEvent(user, FileEvent.DELETED, name, gone.size(), gone.sha256(), clock.getAsLong()));
    return gone.info(name);
  }

  /** One read snapshot: the usage always matches the listed sizes, and no lock holds up the user's writes. */
  @Override
  public Listing list(String user) {
    List<FileInfo> out = new ArrayList<>();
    try (FileStream s = meta.streamFiles(user)) {
      while (s.hasNext()) out.add(s.next());
      return new Listing(out, s.usage().toUsage());
    }
  }

  /**
   * A page streamed from one snapshot, the walk resumed down the cursor's path: memory is one page and the
   * cost that of one page, however far into the tree it starts.
   */
  @Override
  public Listing listPage(String user, int limit, String cursor) {
    TreePath after = FilePages.after(cursor); // a bad cursor is refused before a connection is taken
    try (FileStream s = meta.streamFilesAfter(user, after)) {
      return FilePages.page(s, s.usage().toUsage(), limit, cursor);
    }
  }

  @Override
  public Usage usage(String user) { return meta.usage(user).toUsage(); }

  // ---------------------------------------------------------------- folders
  // Every change is one MetadataStore transaction (a moved folder of any size is one row update) under
  // the user lock, which also orders it with this user's upload commits and the blob sweeper.

  /** Read snapshot, no lock, as list(): folders first, then files, each by the UTF-8 bytes of the name. */
  @Override
  public FolderPage listFolder(String user, String folder, int limit, String cursor, FolderSort sort) {
    if (limit < 1 || limit > MAX_PAGE) throw StorageException.of(ErrorCode.BAD_REQUEST, "limit must be 1-" + MAX_PAGE);
    TreePath path = folder.isEmpty() ? TreePath.ROOT : path(folder);
    dropbox.storage.meta.FolderPage page = meta.list(user, path, order(sort), limit, cursor);
    List<FolderEntry> entries = new ArrayList<>(page.entries().size());
    for (Node n : page.entries()) entries.add(new FolderEntry(n.isFolder(), n.info(n.name())));
    return new FolderPage(folder, entries, page.cursor(), page.usage().toUsage());
  }

  /** Already there is a success (created false), without an event: nothing changed. */
  @Override
  public CommitResult mkdir(String user, String folder) {
    TreePath path = path(folder);
    CommitResult r = locks.with(() -> {
      Optional<Node> there = meta.resolve(user, path).filter(Node::isFolder);
      if (there.isPresent()) return new CommitResult(there.get().info(folder), false);
      return new CommitResult(meta.mkdirs(user, path).info(folder), true);
    }, StorageLocks.userLock(user));
    if (r.created()) {
      events.accept(new FileEvent(user, FileEvent.FOLDER_CREATED, folder, 0, null, r.file().modified()));
    }
    return r;
  }

  /** The bus's sort as the store's order: folders first only when sorted by name. */
  private static ListOrder order(FolderSort sort) {
    ListOrder.Sort key = switch (sort.key()) {
      case NAME -> ListOrder.Sort.NAME;
      case SIZE -> ListOrder.Sort.SIZE;
      case MODIFIED -> ListOrder.Sort.MODIFIED;
    };
    return new ListOrder(key, sort.descending(), sort.foldersFirst());
  }

  @Override
  public FileInfo move(String user, String from, String to, boolean overwrite) {
    TreePath source = path(from);
    TreePath target = path(to);
    Node moved = locks.with(() -> meta.move(user, source, target, overwrite), StorageLocks.userLock(user));
    // modified: the entry's own (its last upload), which a move keeps; a client applying the event then
    // shows what a listing would, not the time of the move.
    events.accept(new FileEvent(user, FileEvent.MOVED, to, moved.size(), moved.sha256(), moved.modified(), from));
    return moved.info(to);
  }

  /** The copy is announced as what it creates: an uploaded file, or a created folder. */
  @Override
  public FileInfo copy(String user, String from, String to, boolean overwrite) {
    TreePath source = path(from);
    TreePath target = path(to);
    Node made = locks.with(() -> meta.copy(user, source, target, overwrite), StorageLocks.userLock(user));
    String type = made.isFolder() ? FileEvent.FOLDER_CREATED : FileEvent.UPLOADED;
    events.accept(new FileEvent(user, type, to, made.size(), made.sha256(), made.modified()));
    return made.info(to);
  }

  @Override
  public void rmdir(String user, String folder) {
    TreePath path = path(folder);
    RemovedTree gone = locks.with(() -> meta.deleteFolder(user, path), StorageLocks.userLock(user));
    events.accept(new FileEvent(user, FileEvent.FOLDER_DELETED, folder, gone.bytes(), null, clock.getAsLong()));
  }

  // ---------------------------------------------------------------- WebDAV
  // Reads without a lock, as listFolder; the writes take the file and user locks like a commit does.

  @Override
  public FolderEntry stat(String user, String path) {
    TreePath p = path.isEmpty() ? TreePath.ROOT : path(path);
    Node n = meta.resolve(user, p).orElseThrow(StorageServiceV2::notFound);
    return new FolderEntry(n.isFolder(), n.info(path));
  }

  @Override
  public FileInfo setModified(String user, String name, long modified) {
    TreePath p = path(name);
    Node n = locks.with(() -> meta.setModified(user, p, modified),
        StorageLocks.fileLock(user, name), StorageLocks.userLock(user));
    return n.info(name);
  }

  @Override
  public List<dropbox.bus.DeadProperty> properties(String user, String path) {
    return meta.properties(user, path.isEmpty() ? TreePath.ROOT : path(path));
  }

  @Override
  public void patchProperties(String user, String path, List<dropbox.bus.DeadProperty> set,
                              List<dropbox.bus.DeadProperty> remove) {
    TreePath p = path.isEmpty() ? TreePath.ROOT : path(path);
    locks.with(() -> {
      meta.patchProperties(user, p, set, remove);
      return null;
    }, StorageLocks.userLock(user));
  }

  // ---------------------------------------------------------------- for V2Upkeep

  /** Forgets the covered/credit bookkeeping of uploads opened before cutoff (their commit went elsewhere). */
  void forgetCreditsBefore(long cutoff) { credits.forgetBefore(cutoff); }

  @Override
  public void close() { meta.close(); }

  // ---------------------------------------------------------------- helpers

  /** The staging file's owner is the front end's node when clustered, else this process. */
  private StagingId stagingId(String user, String owner, String uploadId) {
    try {
      return new StagingId(user, owner != null ? owner : nodeId, uploadId);
    } catch (IllegalArgumentException e) {
      throw StorageException.of(ErrorCode.BAD_REQUEST, "Malformed node");
    }
  }

  /** A hash that is not one can only come from a bad command; the upload it names ends. */
  private BlobKey blobKey(String user, String sha256, String uploadId, String owner) {
    try {
      return new BlobKey(user, sha256);
    } catch (IllegalArgumentException e) {
      throw endUpload(user, uploadId, owner, StorageException.of(ErrorCode.BAD_REQUEST, "Upload incomplete"));
    }
  }

  /**
   * Aborts a refused upload and returns the refusal to throw. If the abort itself fails (the user lock
   * busy), the refusal still goes to the caller, whose StagingWriter aborts again; the reservation is
   * otherwise reaped with its staging file.
   */
  private StorageException endUpload(String user, String uploadId, String owner, StorageException refusal) {
    try {
      abortUpload(user, uploadId, owner);
    } catch (StorageException e) {
      refusal.addSuppressed(e);
    }
    return refusal;
  }

  /**
   * The staging file was swept or never made (expired), or holds another number of bytes than announced
   * (the front end checks this first, so only a bad command gets here). Anything else is our fault.
   */
  private static StorageException publishRefusal(IOException e) {
    if (e instanceof NoSuchFileException) return StorageException.of(ErrorCode.BUSY, "Upload expired or unknown"); // see Reservations.unknown
    if (e.getClass() == IOException.class && String.valueOf(e.getMessage()).contains(" bytes, not ")
        && String.valueOf(e.getMessage()).startsWith("staging file")) {
      return StorageException.of(ErrorCode.BAD_REQUEST, "Upload incomplete");
    }
    return StorageService.io(e);
  }

  private static void checkPreconditions(Node existing, Preconditions pre) {
    String refusal = pre.refusal(existing == null ? null : existing.sha256());
    if (refusal != null) throw StorageException.of(ErrorCode.PRECONDITION_FAILED, refusal);
  }

  /** A path of the tree (tcp-protocol.md "Paths and folders"); the root is never a file's or folder's name. */
  private static TreePath path(String name) {
    if (!TreePath.isValid(name)) throw StorageException.of(ErrorCode.INVALID_NAME, "Invalid filename");
    return TreePath.parse(name);
  }

  private static StorageException notFound() { return StorageException.of(ErrorCode.NOT_FOUND, "File not found"); }

  MetadataStore meta() { return meta; }

  BlobStore blobs() { return blobs; }

  StorageLocks locks() { return locks; }

  String nodeId() { return nodeId; }

  LongSupplier clock() { return clock; }
}
