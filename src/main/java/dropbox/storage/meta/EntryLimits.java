package dropbox.storage.meta;

import dropbox.Config;
import io.vertx.core.json.JsonObject;

/**
 * Bounds on how many rows one user's commands can make, besides the byte quota: empty files and folders
 * cost no bytes (a user making folders in a loop filled the disk with rows), and a folder copy doubles a tree in one command, so without them a user with a
 * 1000-byte quota made a million rows (486 MB of database) in nine COPYs, each holding the one writer of
 * SQLite for seconds while every other user waited. 0 turns a bound off.
 *
 * @param maxFiles       files one user may have (quota.maxFiles)
 * @param maxFolders     folders one user may have, the root not counted (quota.maxFolders)
 * @param maxCopyEntries files and folders one copy may make (storage.maxCopyEntries): bounds the time a
 *                       copy holds the database's writer
 */
public record EntryLimits(long maxFiles, long maxFolders, long maxCopyEntries) {
  public static final EntryLimits DEFAULT = new EntryLimits(2_000_000, 1_000_000, 100_000);

  public static EntryLimits from(JsonObject config) {
    return new EntryLimits(Config.longValue(config, "quota.maxFiles", DEFAULT.maxFiles),
        Config.longValue(config, "quota.maxFolders", DEFAULT.maxFolders),
        Config.longValue(config, "storage.maxCopyEntries", DEFAULT.maxCopyEntries));
  }
}
