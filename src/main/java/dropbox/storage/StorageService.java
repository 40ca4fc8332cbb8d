package dropbox.storage;

import dropbox.bus.QuotaPolicy;
import dropbox.bus.CommitResult;
import dropbox.bus.DownloadHandle;
import dropbox.bus.ErrorCode;
import dropbox.bus.FileEvent;
import dropbox.bus.FileInfo;
import dropbox.bus.FileNames;
import dropbox.bus.Listing;
import dropbox.bus.Preconditions;
import dropbox.bus.StorageException;
import dropbox.bus.StorageFull;
import dropbox.bus.UploadTicket;
import dropbox.bus.Usage;
import dropbox.files.PrivateFiles;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Every storage operation, blocking, called on the dispatcher's threads. All shared state lives on disk
 * under locks from the LockManager (cluster-wide when clustered), so any node may serve any command:
 * there is no node-local cache to go stale. Lock order is always file lock before user lock.
 */
public final class StorageService {
  private final StorageLayout layout;
  private final DurableFiles files;
  private final StorageLocks locks;
  private final QuotaPolicy quotas;
  private final String nodeId;
  private final Consumer<FileEvent> events;
  private final LongSupplier clock;

  public StorageService(StorageLayout layout, DurableFiles files, LockManager locks, QuotaPolicy quotas,
                        long lockTimeoutMs, String nodeId, Consumer<FileEvent> events, LongSupplier clock) {
    this.layout = layout;
    this.files = files;
    this.locks = new StorageLocks(locks, lockTimeoutMs);
    this.quotas = quotas;
    this.nodeId = nodeId;
    this.events = events;
    this.clock = clock;
  }

  // ---------------------------------------------------------------- uploads

  /** size = announced length, or -1 when unknown (the front end reserves as bytes arrive via extendUpload). */
  public UploadTicket openUpload(String user, String name, long size) { return openUpload(user, name, size, null); }

  /**
   * owner = the cluster node whose front end holds the upload (null: unknown, not clustered). The
   * reservation is tagged with it: when that node leaves the cluster the upload is dead, and its quota is
   * released at once (Fsck.releaseReservationsOfDepartedNodes) instead of after the staleness period.
   */
  public UploadTicket openUpload(String user, String name, long size, String owner) {
    checkName(name);
    long limit = quotas.limitFor(user);
    if (size > limit) throw tooLarge(limit);
    String uploadId = UUID.randomUUID().toString();
    Path staging = layout.staging(user, uploadId);
    Ledger.Reservation r = withLocks(() -> {
      ensureUserDirs(user);
      FileMeta existing = readMeta(user, name);
      long credit = existing == null ? 0 : existing.size();
      Ledger ledger = readLedger(user);
      Ledger.Reservation res = ledger.reserve(uploadId, Math.max(0, size), credit, quotas.quotaFor(user), nodeId, owner,
          clock.getAsLong());
      writeLedger(user, ledger, false); // a reservation need not survive a crash: its upload dies with the process
      try {
        PrivateFiles.createFile(staging); // 0600: the front end writes into it without changing the mode
      } catch (IOException e) {
        ledger.release(uploadId);
        writeLedger(user, ledger, false);
        throw e;
      }
      return res;
    }, userLock(user));
    return new UploadTicket(uploadId, staging.toString(), r.covered(), limit);
  }

  /** Grows the reservation of an upload of unknown size by `more` bytes; returns the bytes now covered. */
  public long extendUpload(String user, String uploadId, long more) {
    if (more < 0) throw StorageException.of(ErrorCode.BAD_REQUEST, "Negative reservation");
    long limit = quotas.limitFor(user);
    return withLocks(() -> {
      Ledger ledger = readLedger(user);
      if (ledger.reservation(uploadId).covered() + more > limit) throw tooLarge(limit);
      Ledger.Reservation r = ledger.extend(uploadId, more, quotas.quotaFor(user));
      writeLedger(user, ledger, false);
      return r.covered();
    }, userLock(user));
  }

  public CommitResult commitUpload(String user, String name, String uploadId, long size, String sha256,
                                   Preconditions pre) {
    checkName(name);
    Path staging = layout.staging(user, uploadId);
    try {
      // The slow part (fsync of the content) happens before any lock is taken.
      long actual;
      try {
        actual = Files.size(staging);
      } catch (NoSuchFileException e) {
        throw StorageException.of(ErrorCode.BUSY, "Upload expired or unknown"); // the server lost it: retry
      }
      if (actual != size) throw StorageException.of(ErrorCode.BAD_REQUEST, "Upload incomplete");
      files.syncFile(staging);
    } catch (IOException e) {
      throw io(e);
    }
    String blobId = UUID.randomUUID().toString();
    CommitResult result;
    try {
      result = withLocks(() -> {
        FileMeta existing = readMeta(user, name);
        checkPreconditions(existing, pre);
        Ledger ledger = readLedger(user);
        ledger.commit(uploadId, size, existing == null ? -1 : existing.size(), quotas.quotaFor(user));
        Path blob = layout.blob(user, blobId);
        files.move(staging, blob);
        files.syncDir(layout.blobDir(user));
        long now = clock.getAsLong();
        FileMeta meta = new FileMeta(name, size, sha256, existing == null ? now : existing.created(), now, blobId);
        files.writeAtomically(layout.metaFile(user, name), meta.toJson().toBuffer().getBytes(), true);
        if (existing != null) markGarbage(user, existing.blob());
        writeLedger(user, ledger, true);
        return new CommitResult(meta.info(), existing == null);
      }, fileLock(user, name), userLock(user));
    } catch (StorageException e) {
      if (e.code() != ErrorCode.BUSY && e.code() != ErrorCode.TIMEOUT) abortUpload(user, uploadId);
      throw e;
    }
    FileInfo f = result.file();
    events.accept(new FileEvent(user, FileEvent.UPLOADED, f.name(), f.size(), f.sha256(), f.modified()));
    return result;
  }

  /** Releases the reservation and removes the staging file. Idempotent. */
  public void abortUpload(String user, String uploadId) {
    Path staging = layout.staging(user, uploadId);
    withLocks(() -> {
      if (Files.isDirectory(layout.userDir(user))) {
        Ledger ledger = readLedger(user);
        if (ledger.reservations.containsKey(uploadId)) {
          ledger.release(uploadId);
          writeLedger(user, ledger, false);
        }
      }
      Files.deleteIfExists(staging);
      return null;
    }, userLock(user));
  }

  // ---------------------------------------------------------------- reads and deletes

  /**
   * Metadata is replaced by atomic rename and content files are immutable, so reading without a lock
   * always yields one consistent version; the content file outlives a replace or delete by the grace period.
   */
  public DownloadHandle openDownload(String user, String name) {
    checkName(name);
    FileMeta meta = ioCall(() -> readMeta(user, name));
    if (meta == null) throw notFound();
    return new DownloadHandle(meta.info(), layout.blob(user, meta.blob()).toString());
  }

  public FileInfo delete(String user, String name) {
    checkName(name);
    FileMeta meta = withLocks(() -> {
      FileMeta m = readMeta(user, name);
      if (m == null) throw notFound();
      Files.delete(layout.metaFile(user, name));
      files.syncDir(layout.metaDir(user));
      markGarbage(user, m.blob());
      Ledger ledger = readLedger(user);
      ledger.removeFile(m.size());
      writeLedger(user, ledger, true);
      return m;
    }, fileLock(user, name), userLock(user));
    events.accept(new FileEvent(user, FileEvent.DELETED, name, meta.size(), meta.sha256(), clock.getAsLong()));
    return meta.info();
  }

  /** Files and usage read under the user lock, so the usage always matches the listed sizes. */
  public Listing list(String user) {
    return withLocks(() -> {
      List<FileInfo> out = new ArrayList<>();
      for (FileMeta m : readAllMeta(user)) out.add(m.info());
      out.sort((a, b) -> FileNames.compareUtf8(a.name(), b.name()));
      Ledger ledger = readLedger(user);
      return new Listing(out, new Usage(ledger.committed, quotas.quotaFor(user), ledger.files));
    }, userLock(user));
  }

  public Usage usage(String user) {
    Ledger ledger = ioCall(() -> readLedger(user));
    return new Usage(ledger.committed, quotas.quotaFor(user), ledger.files);
  }

  // ---------------------------------------------------------------- helpers shared with Fsck

  List<FileMeta> readAllMeta(String user) throws IOException {
    List<FileMeta> out = new ArrayList<>();
    Path dir = layout.metaDir(user);
    if (!Files.isDirectory(dir)) return out;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.json")) {
      for (Path p : ds) {
        if (p.getFileName().toString().startsWith(".")) continue; // temp files of atomic writes
        try {
          out.add(FileMeta.fromJson(new JsonObject(io.vertx.core.buffer.Buffer.buffer(Files.readAllBytes(p)))));
        } catch (NoSuchFileException gone) {
          // deleted meanwhile
        }
      }
    }
    return out;
  }

  FileMeta readMeta(String user, String name) throws IOException {
    try {
      byte[] bytes = Files.readAllBytes(layout.metaFile(user, name));
      FileMeta m = FileMeta.fromJson(new JsonObject(io.vertx.core.buffer.Buffer.buffer(bytes)));
      return name.equals(m.name()) ? m : null;
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  Ledger readLedger(String user) throws IOException {
    try {
      return Ledger.fromJson(new JsonObject(io.vertx.core.buffer.Buffer.buffer(Files.readAllBytes(layout.ledger(user)))));
    } catch (NoSuchFileException e) {
      return new Ledger();
    }
  }

  void writeLedger(String user, Ledger ledger, boolean durable) throws IOException {
    files.writeAtomically(layout.ledger(user), ledger.toJson().toBuffer().getBytes(), durable);
  }

  void markGarbage(String user, String blobId) throws IOException {
    PrivateFiles.createDirectories(layout.garbageDir(user));
    try {
      PrivateFiles.createFile(layout.garbageMarker(user, blobId));
    } catch (FileAlreadyExistsException ignored) {
      // already scheduled
    }
  }

  private void ensureUserDirs(String user) throws IOException {
    // 0700 each, the storage root and users/ too when they are created here.
    PrivateFiles.createDirectories(layout.metaDir(user));
    PrivateFiles.createDirectories(layout.blobDir(user));
    PrivateFiles.createDirectories(layout.stagingDir(user));
    PrivateFiles.createDirectories(layout.garbageDir(user));
  }

  private static void checkPreconditions(FileMeta existing, Preconditions pre) {
    String refusal = pre.refusal(existing == null ? null : existing.sha256());
    if (refusal != null) throw StorageException.of(ErrorCode.PRECONDITION_FAILED, refusal);
  }

  static String userLock(String user) { return StorageLocks.userLock(user); }

  static String fileLock(String user, String name) { return StorageLocks.fileLock(user, name); }

  /** Runs body holding the named locks (taken in the order given, released in reverse on every path). */
  <T> T withLocks(IoSupplier<T> body, String... names) { return locks.with(body, names); }

  private static <T> T ioCall(IoSupplier<T> body) {
    try {
      return body.get();
    } catch (IOException e) {
      throw io(e);
    }
  }

  @FunctionalInterface
  interface IoSupplier<T> {
    T get() throws IOException;
  }

  static StorageException io(IOException e) {
    if (StorageFull.causedBy(e)) return StorageFull.report(e);
    org.slf4j.LoggerFactory.getLogger(StorageService.class).error("storage I/O failed", e);
    return StorageException.of(ErrorCode.INTERNAL, "Storage error");
  }

  private static void checkName(String name) {
    if (!FileNames.isValid(name)) throw StorageException.of(ErrorCode.INVALID_NAME, "Invalid filename");
  }

  private static StorageException notFound() { return StorageException.of(ErrorCode.NOT_FOUND, "File not found"); }

  static StorageException tooLarge(long limit) {
    return StorageException.of(ErrorCode.TOO_LARGE, "File too large (limit " + limit + " bytes)");
  }

  StorageLayout layout() { return layout; }

  DurableFiles files() { return files; }

  Supplier<String> nodeId() { return () -> nodeId; }
}
