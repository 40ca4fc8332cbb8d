package dropbox.storage.blob;

import java.nio.file.Path;
import java.util.List;

/**
 * What a scan found. Counts are exact; the lists are the first few examples (a store of a million blobs
 * must not make a report of a million lines). removed counts what a repairing scan deleted.
 *
 * @param blobs         content files seen
 * @param orphanBlobs   old content files the metadata store does not know
 * @param youngUnknown  unknown content files too new to judge (an upload between publish and commit)
 * @param deadStaging   staging files of a dead owner or past their deadline
 * @param liveStaging   staging files of uploads that may still be running (left alone)
 * @param foreign       entries that are not ours by name (never deleted: an operator's, or another version's)
 */
public record ScanReport(long blobs, long orphanBlobs, long youngUnknown, long deadStaging, long liveStaging,
                         long foreign, long removed, List<BlobKey> orphanExamples,
                         List<StagingEntry> deadStagingExamples, List<Path> foreignExamples) {

  /** Nothing to repair. */
  public boolean clean() { return orphanBlobs == 0 && deadStaging == 0 && foreign == 0; }
}
