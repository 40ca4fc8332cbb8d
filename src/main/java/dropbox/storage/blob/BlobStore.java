package dropbox.storage.blob;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Optional;

/**
 * Storage v2 content: each user's files stored once per distinct content, named by SHA-256, immutable
 * once published. The metadata store counts references; this store only keeps bytes. Blocking: call it
 * on the storage workers (the front ends write staging files through dropbox.files.HashingFileWriter).
 *
 * <p>Life of an upload: {@link #createStaging} → the front end streams and hashes into the path →
 * {@link #publish} (content durable before the database commit) → the metadata commit; or
 * {@link #discard} on any failure. A published blob is never changed and is removed only by
 * {@link #sweep}, with the list the metadata store gives once the read grace period has passed, so a
 * download in flight on any node always reads one complete file.
 *
 * <p>An interface so that an S3-compatible store can follow: staging then stays a local file, publish
 * becomes an upload keyed by the hash, and {@link #locate} gives way to a streamed read.
 */
public interface BlobStore {

  /** Creates the empty, private (0600) staging file of an upload and returns where to write it. */
  Path createStaging(StagingId id) throws IOException;

  /**
   * Makes a fully written staging file the user's blob sha256: fsync the content; if the user already has
   * that blob, drop the staging file; else place it (atomically, never replacing an existing file) and
   * fsync the directory. Safe when several publishes of the same content race: one places, the others
   * find it. The caller's hash is trusted (the front end computed it while writing); the size is checked,
   * and a staging file that is missing or of another size fails with an IOException and is left for
   * {@link #discard}.
   */
  Published publish(StagingId id, String sha256, long size) throws IOException;

  /**
   * The bytes of a small, fully written staging file (at most storage.inlineMaxBytes), for an upload whose
   * content goes into the database instead of a blob file: read, not published; the caller discards the
   * staging file once the commit is done. A missing file or one of another size fails as for publish.
   */
  byte[] readStaging(StagingId id, long size) throws IOException;

  /** Removes a staging file (an aborted upload); false when it was not there. Idempotent. */
  boolean discard(StagingId id) throws IOException;

  /** Whether the content file of this blob exists. */
  boolean exists(BlobKey blob);

  /** The immutable file of a published blob, for zero-copy sending; empty when there is none. */
  Optional<Path> locate(BlobKey blob);

  /**
   * Deletes the content files of exactly these blobs (the metadata store's list of blobs unreferenced for
   * longer than the grace period; nothing else is ever deleted here). Missing ones are skipped. Returns
   * how many files were deleted.
   */
  int sweep(Collection<BlobKey> unreferenced) throws IOException;

  /**
   * Walks every user's blobs and staging files, classifying them by rules; with repair, deletes the
   * orphan blobs and dead staging files it reports (never foreign entries or live work).
   */
  ScanReport scan(ScanRules rules, boolean repair) throws IOException;
}
