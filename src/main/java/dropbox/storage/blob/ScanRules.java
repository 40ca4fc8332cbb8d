package dropbox.storage.blob;

import java.util.function.Predicate;

/**
 * What an fsck-style scan of the blob store needs to know from outside it, as predicates, so the blob
 * store stays independent of the database and of the cluster.
 *
 * @param knownBlob    true for a content file the metadata store has a row for (fsck: blob rows)
 * @param liveStaging  true for a staging file whose upload may still be running (see StagingEntry.liveWhen)
 * @param orphanBefore a content file with no row is only an orphan when older than this (epoch millis):
 *                     a publish is followed by its database commit a moment later, so a young unknown
 *                     file is an upload between the two steps, not garbage
 */
public record ScanRules(Predicate<BlobKey> knownBlob, Predicate<StagingEntry> liveStaging, long orphanBefore) {}
