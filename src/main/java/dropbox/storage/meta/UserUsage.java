package dropbox.storage.meta;

import dropbox.bus.Usage;

/**
 * A user's quota row: committed bytes and files, bytes held by uploads in progress, the quota, and the
 * folders (the root not counted).
 */
public record UserUsage(long usedBytes, long reservedBytes, long fileCount, long quotaBytes, long folderCount) {

  /** What may still be reserved or committed. */
  public long freeBytes() { return Math.max(0, quotaBytes - usedBytes - reservedBytes); }

  public Usage toUsage() { return new Usage(usedBytes, quotaBytes, (int) Math.min(Integer.MAX_VALUE, fileCount)); }
}
