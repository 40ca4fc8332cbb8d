package dropbox.storage;

import java.util.concurrent.ConcurrentHashMap;

/**
 * What the v2 engine remembers of an upload between open and commit beyond its reservation row: the
 * content bytes covered so far and the size of the file it replaces (its credit), for v1's rule that an
 * upload of unknown size holds only its growth. Node-local and small (one entry per upload in progress).
 */
final class UploadCredits {
  record Entry(long covered, long credit, long opened) {}

  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

  Entry opened(String uploadId, long covered, long credit, long now) {
    Entry e = new Entry(covered, credit, now);
    entries.put(uploadId, e);
    return e;
  }

  Entry get(String uploadId) { return entries.get(uploadId); }

  void covered(String uploadId, long covered) {
    entries.computeIfPresent(uploadId, (k, e) -> new Entry(covered, e.credit(), e.opened()));
  }

  void ended(String uploadId) { entries.remove(uploadId); }

  /** Entries of uploads that ended on another node are never ended here: drop them once surely dead. */
  void forgetBefore(long cutoff) { entries.values().removeIf(e -> e.opened() < cutoff); }
}
