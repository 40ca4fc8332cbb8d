package dropbox.bus;

/**
 * The one error vocabulary of the storage side. Numbers travel on the event bus as the failure code,
 * so they are explicit and stable (never ordinal()). Each front end maps this enum exactly once
 * (tcp.TcpReplies, http.HttpErrors).
 */
public enum ErrorCode {
  INVALID_NAME(1),
  NOT_FOUND(2),
  QUOTA_EXCEEDED(3),
  TOO_LARGE(4),
  BUSY(5),
  TIMEOUT(6),
  PRECONDITION_FAILED(7),
  BAD_REQUEST(8),
  SHUTTING_DOWN(9),
  INTERNAL(10),
  /** A file and a folder would share a path, or a parent on the way is a file. */
  PATH_CONFLICT(11),
  /** MOVE/COPY onto something that exists (and may not be overwritten). */
  TARGET_EXISTS(12),
  /** A file operation named a folder. */
  IS_FOLDER(13),
  /** A folder into itself or its own subtree, a path onto itself, or the root moved or removed. */
  INVALID_MOVE(14),
  /** A folder operation named a file or nothing. */
  FOLDER_NOT_FOUND(15),
  /** A WebDAV lock held by someone else covers the path (the request did not submit its token). */
  LOCKED(16),
  /** The disk (or the file system's quota) under the storage root or the database is full (StorageFull). */
  STORAGE_FULL(17);

  private final int number;

  ErrorCode(int number) { this.number = number; }

  public int number() { return number; }

  public static ErrorCode fromNumber(int n) {
    for (ErrorCode c : values()) if (c.number == n) return c;
    return INTERNAL;
  }
}
