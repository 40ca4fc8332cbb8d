package dropbox.storage;

import dropbox.bus.CommitResult;
import dropbox.bus.DownloadHandle;
import dropbox.bus.ErrorCode;
import dropbox.bus.FileInfo;
import dropbox.bus.FolderPage;
import dropbox.bus.FolderSort;
import dropbox.bus.StorageException;
import dropbox.bus.Listing;
import dropbox.bus.Preconditions;
import dropbox.bus.UploadTicket;
import dropbox.bus.Usage;
import dropbox.files.Sha256;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * What StorageVerticle serves, whichever storage sits behind it (storage.engine: v1 = JSON files,
 * StorageService; v2 = database + content-addressed blobs, StorageServiceV2). Blocking: called on the
 * dispatcher's threads. Failures are StorageExceptions with the same codes and texts on both engines.
 * owner = the cluster node whose front end holds the upload (null: not clustered).
 */
public interface StorageEngine extends AutoCloseable {

  /** size = announced length, or -1 when unknown (the front end then reserves with extendUpload). */
  UploadTicket openUpload(String user, String name, long size, String owner);

  /** Grows the reservation of an upload of unknown size by more bytes; returns the bytes now covered. */
  long extendUpload(String user, String uploadId, long more);

  /** Publishes the staged bytes under name if the preconditions hold; any refusal ends the upload. */
  CommitResult commitUpload(String user, String name, String uploadId, long size, String sha256,
                            Preconditions pre, String owner);

  /**
   * A whole upload whose bytes came with the command (bus/SmallUploads), with the same checks, outcome and
   * event as openUpload + commitUpload. This default is exactly that: the bytes go through a staging file
   * (v1); v2 keeps small content in the database instead.
   */
  default CommitResult putSmall(String user, String name, byte[] content, Preconditions pre, String owner) {
    UploadTicket t = openUpload(user, name, content.length, owner);
    try {
      Path staging = Path.of(t.stagingPath());
      Files.write(staging, content, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
      try (FileChannel ch = FileChannel.open(staging, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      return commitUpload(user, name, t.uploadId(), content.length, Sha256.hex(content), pre, owner);
    } catch (IOException | RuntimeException e) {
      try {
        abortUpload(user, t.uploadId(), owner); // idempotent: a refused commit has already ended it
      } catch (RuntimeException again) {
        e.addSuppressed(again);
      }
      if (e instanceof IOException io) throw StorageService.io(io);
      throw (RuntimeException) e;
    }
  }

  /** Releases the reservation and removes the staging file. Idempotent. */
  void abortUpload(String user, String uploadId, String owner);

  /** Resolves a name to immutable content that stays readable for the grace period; takes no lock. */
  DownloadHandle openDownload(String user, String name);

  /**
   * openDownload's answer for a small file whose metadata and bytes are in memory now, else empty; never
   * blocks, so the storage verticle asks it on its event loop before queueing the command. Empty is no
   * answer (not "not found"): the command then goes to a worker as always.
   */
  default Optional<DownloadHandle> cachedDownload(String user, String name) { return Optional.empty(); }

  FileInfo delete(String user, String name);

  /** Files sorted by UTF-8 bytes with the usage of the same snapshot. */
  Listing list(String user);

  /**
   * One page of list(): at most limit (1..10000) files after cursor (null: the first page), with a cursor
   * for the next page (null after the last). This default pages the full listing; v2 streams instead.
   */
  default Listing listPage(String user, int limit, String cursor) {
    Listing all = list(user);
    return FilePages.page(all.files().iterator(), all.usage(), limit, cursor);
  }

  Usage usage(String user);

  // ---- folders: storage.engine=v2 only. The defaults are v1's answer: its store is flat, so every folder
  // action is a BAD_REQUEST that names the setting (TCP shows it as "ERROR: Invalid request").

  /** One page of a folder's children (folders first, then files, by name); limit 1..10000. */
  default FolderPage listFolder(String user, String folder, int limit, String cursor) {
    return listFolder(user, folder, limit, cursor, FolderSort.DEFAULT);
  }

  /** One page of a folder's children in the given order; a cursor only continues the order it came from. */
  default FolderPage listFolder(String user, String folder, int limit, String cursor, FolderSort sort) {
    throw foldersNeedV2();
  }

  /** Creates the folder and its missing parents; already there is a success (created false). */
  default CommitResult mkdir(String user, String folder) { throw foldersNeedV2(); }

  /** Moves a file or a folder with everything in it, atomically; returns the moved entry under its new path. */
  default FileInfo move(String user, String from, String to, boolean overwrite) { throw foldersNeedV2(); }

  /** Copies a file or a folder (blobs shared, bytes charged); returns the new entry. */
  default FileInfo copy(String user, String from, String to, boolean overwrite) { throw foldersNeedV2(); }

  /** Removes a folder and everything in it, atomically. */
  default void rmdir(String user, String folder) { throw foldersNeedV2(); }

  // ---- WebDAV's needs: v2 only, like the folders

  /** The file or folder at path ("" is the root folder); NOT_FOUND when nothing is there. */
  default dropbox.bus.FolderEntry stat(String user, String path) { throw foldersNeedV2(); }

  /** Sets a file's modified time; returns the file. */
  default FileInfo setModified(String user, String path, long modified) { throw foldersNeedV2(); }

  default java.util.List<dropbox.bus.DeadProperty> properties(String user, String path) { throw foldersNeedV2(); }

  default void patchProperties(String user, String path, java.util.List<dropbox.bus.DeadProperty> set,
                               java.util.List<dropbox.bus.DeadProperty> remove) { throw foldersNeedV2(); }

  static StorageException foldersNeedV2() {
    return StorageException.of(ErrorCode.BAD_REQUEST, "Folders need storage.engine=v2");
  }

  @Override
  default void close() { }
}
