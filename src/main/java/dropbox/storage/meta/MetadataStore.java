package dropbox.storage.meta;

import dropbox.bus.FileInfo;
import dropbox.bus.TreePath;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Storage v2 metadata: accounts, each user's tree, usage and reservations, and blob reference counts.
 * Blocking: call from the storage workers. Every method is ONE database transaction, so it either happened
 * completely or not at all, and its constraints hold whatever the callers' locks do. Failures are
 * StorageExceptions (MetaException for tree rules, QUOTA_EXCEEDED, BUSY when the database stays locked,
 * INTERNAL for a database fault). A user's row and root folder are created on first use, with the quota
 * of the policy the store was opened with.
 */
public interface MetadataStore extends AutoCloseable {
  /** The bounds on rows besides the byte quota (quota.maxFiles, storage.maxCopyEntries); DEFAULT until set. */
  void setEntryLimits(EntryLimits limits);


  // ------------------------------------------------------------ accounts (self-service sign-ups)

  /** Stores a new account; false when the name (ignoring case) is taken. */
  boolean createAccount(String name, String pbkdf2Hash, long created);

  Optional<Account> findAccount(String name);

  // ------------------------------------------------------------ usage and reservations

  UserUsage usage(String user);

  /**
   * Holds bytes for an upload. The holding is one conditional UPDATE (used + reserved + bytes &lt;= quota),
   * so concurrent reservations can never overrun the quota. QUOTA_EXCEEDED when there is no room.
   */
  Reservation reserve(String user, long bytes, String ownerNode, long deadline);

  /** Grows a reservation by more bytes, with the same conditional check; returns the new total. */
  long extend(String user, String reservationId, long more);

  /** Drops a reservation; false when it was not there (already committed, released or swept). */
  boolean release(String user, String reservationId);

  /** Drops every reservation held by a node that died; returns how many. */
  int releaseNode(String ownerNode);

  /** Drops every reservation whose deadline is before now; returns how many. */
  int releaseExpired(long now);

  /** The nodes that hold reservations (to release those of nodes that left the cluster). */
  List<String> reservationOwners();

  /** Records that this clustered node is alive now (one row per node, its last time). */
  void heartbeat(String nodeId, long now);

  /** The nodes whose last heartbeat is at or after since; rows older than forgetBefore are dropped. */
  java.util.Set<String> nodesSeenSince(long since, long forgetBefore);

  // ------------------------------------------------------------ the tree

  /** The file or folder at path (the root folder for TreePath.ROOT). */
  Optional<Node> resolve(String user, TreePath path);

  /** Creates the folder and its missing parents (already there is fine); PATH_CONFLICT if a file is in the way. */
  Node mkdirs(String user, TreePath path);

  /**
   * Publishes an upload at path: creates missing parents, inserts or replaces the file row, adds a
   * reference to the content's blob (creating its row: see UploadCommit.blobCreated), drops one from the
   * replaced content, turns the reservation (null: none) into used bytes, re-checking the real growth
   * against the quota, and deletes it. check sees the current file (null when none) inside the
   * transaction, for preconditions, and may throw to refuse. PATH_CONFLICT when path or a parent is a
   * folder/file of the wrong kind; the root is not a file.
   */
  UploadCommit commitUpload(String user, TreePath path, String reservationId, long size, String sha256,
                            Consumer<Node> check);

  /**
   * As commitUpload, for content of at most storage.inlineMaxBytes kept in the database: when this content
   * is new to the user, its blob row is created holding these bytes (no content file exists or is made);
   * when the user already has the content (inline or as a file), it only gains a reference. The bytes are
   * durable exactly when the row that names them is: one commit. reservationId may be null (a one-shot
   * small upload, whose growth is checked against the quota here and only here).
   */
  UploadCommit commitInline(String user, TreePath path, String reservationId, String sha256, byte[] content,
                            Consumer<Node> check);

  /** The file at path with its bytes when they are inline (StoredFile.inline null: a content file). */
  Optional<StoredFile> openFile(String user, TreePath path);

  /**
   * openFile's answer when it is held in memory now (the embedded database's lookup cache), else empty;
   * never blocks, so an event loop may ask. Empty says nothing about the file: ask openFile.
   */
  default Optional<StoredFile> cachedFile(String user, TreePath path) { return Optional.empty(); }

  /** The bytes of the user's inline blob of this content; empty when it is a content file or unknown. */
  Optional<byte[]> inlineContent(String user, String sha256);

  /** Removes a file (its blob loses a reference); FILE_NOT_FOUND, IS_FOLDER. check as for commitUpload. */
  Node deleteFile(String user, TreePath path, Consumer<Node> check);

  /** Removes a folder and everything in it; FOLDER_NOT_FOUND; INVALID_MOVE for the root. */
  RemovedTree deleteFolder(String user, TreePath path);

  /**
   * Moves or renames a file or a folder: one row update, whatever the subtree's size. Parents of to are
   * created. FILE_NOT_FOUND for a missing source; TARGET_EXISTS unless overwrite and both are files (the
   * replaced file is then deleted in the same transaction); INVALID_MOVE for a folder into itself or from
   * == to. Returns the moved node.
   */
  Node move(String user, TreePath from, TreePath to, boolean overwrite);

  /**
   * Copies a file or a folder with everything in it: new rows, the blobs gain references, no content is
   * copied; the copy's logical bytes count against the quota (QUOTA_EXCEEDED). Rules as for move.
   */
  Node copy(String user, TreePath from, TreePath to, boolean overwrite);

  /**
   * One page of a folder's children in the given order, continuing after cursor (null: from the start).
   * FOLDER_NOT_FOUND; BAD_REQUEST for a cursor that is not from this listing.
   */
  FolderPage list(String user, TreePath folder, ListOrder order, int limit, String cursor);

  // ------------------------------------------------------------ WebDAV

  /** Sets a file's modified time; FILE_NOT_FOUND, IS_FOLDER. Returns the file as it is now. */
  Node setModified(String user, TreePath path, long modified);

  /** The dead properties of the file or folder at path, by namespace and name; FILE_NOT_FOUND. */
  List<dropbox.bus.DeadProperty> properties(String user, TreePath path);

  /** Sets (insert or replace) and removes dead properties, all in one transaction; FILE_NOT_FOUND. */
  void patchProperties(String user, TreePath path, List<dropbox.bus.DeadProperty> set,
                       List<dropbox.bus.DeadProperty> remove);

  /** Every file of the tree by full path in UTF-8 byte order, streamed: see FileStream. */
  FileStream streamFiles(String user);

  /**
   * As streamFiles, starting after the path "after" (a page's last file): the walk resumes down that
   * path's folders instead of reading everything before it, so a late page costs what an early one does.
   */
  FileStream streamFilesAfter(String user, TreePath after);

  /**
   * The v1 import (storage.V1Import): adds these files at the root of the user's tree with their own
   * sizes, hashes and times, each a new reference to the user's blob of that content, and adds them to
   * the usage without a quota check (the bytes were already stored and counted by v1). A name that is
   * already in the tree is left alone, so re-running an import that committed adds nothing. ONE
   * transaction: all of them or none. Returns the files it added.
   */
  List<FileInfo> importFiles(String user, List<FileInfo> files);

  /** Refreshes the planner's statistics (after a bulk import: PostgreSQL would misplan big folders). */
  void analyze();

  // ------------------------------------------------------------ blobs and fsck

  /**
   * True when the user has a blob row for this content (possibly unreferenced, within its grace period).
   * The upload path may then drop its staging file instead of placing the content again, provided it holds
   * the user lock until its commit: the sweeper holds it between forgetBlob and deleting the file.
   */
  boolean hasBlob(String user, String sha256);

  /** Blobs whose reference count is 0 since before zeroBefore: the sweeper's candidates, at most limit. */
  List<BlobRef> unreferencedBlobs(long zeroBefore, int limit);

  /**
   * Deletes a blob row if it is still unreferenced since before zeroBefore; true when deleted, and only
   * then may the sweeper delete the content (holding the user lock, see docs/storage-v2.md).
   */
  boolean forgetBlob(String user, String sha256, long zeroBefore);

  /** Every user that has a usage row. */
  List<String> users();

  /** The usage row beside what the tree and the reservations add up to. */
  UsageCheck checkUsage(String user);

  /** Blob rows of the user whose reference count disagrees with the tree (fsck; repairUsage rewrites them). */
  List<BlobCount> wrongBlobCounts(String user);

  /** The user's reservations (fsck judges which of them no upload will ever end). */
  List<Reservation> reservations(String user);

  /** Rewrites the usage row (and blob reference counts) from the tree; returns the check as it was before. */
  UsageCheck repairUsage(String user);

  @Override void close();
}
