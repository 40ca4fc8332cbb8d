package dropbox.storage.meta;

import dropbox.bus.FileInfo;

/**
 * One row of a user's tree: a file or a folder. A folder has size 0 and no sha256; a file's content is
 * the user's blob named by its sha256 (content-addressed, so the blob reference is (user, sha256)).
 * Times are epoch milliseconds. parentId is null only for the user's root folder.
 */
public record Node(long id, Long parentId, String name, Kind kind, long size, String sha256, long created, long modified) {

  public enum Kind {
    FOLDER(0), FILE(1);

    /** Stored as this number; folders sort first because 0 &lt; 1. */
    public final int code;

    Kind(int code) { this.code = code; }

    static Kind of(int code) { return code == 0 ? FOLDER : FILE; }
  }

  public boolean isFolder() { return kind == Kind.FOLDER; }

  public boolean isFile() { return kind == Kind.FILE; }

  /** The front ends' view of this entry under the given name (the child's name, or its full path). */
  public FileInfo info(String shownName) { return new FileInfo(shownName, size, sha256, created, modified); }
}
