package dropbox.storage.blob;

import java.util.function.Predicate;

/**
 * A staging file found by a scan. lastModified is the time of its last write: the writer touches it with
 * every chunk, so an upload whose bytes keep arriving keeps its deadline moving without any bookkeeping.
 */
public record StagingEntry(StagingId id, long lastModified, long size) {

  /**
   * The usual rule for "still in use": its owner node is alive and it was written to at or after
   * staleBefore. A file of a dead node, or one nobody wrote to for the stale period, is a leftover.
   */
  public static Predicate<StagingEntry> liveWhen(Predicate<String> liveNodes, long staleBefore) {
    return e -> liveNodes.test(e.id().ownerNode()) && e.lastModified() >= staleBefore;
  }
}
