package dropbox.storage.meta;

import dropbox.bus.ErrorCode;
import dropbox.bus.StorageException;

/**
 * A tree-rule refusal: its precise Reason, and the bus/ErrorCode the front ends map to their texts
 * (see docs/storage-v2.md "Error codes").
 * The messages are the spec's texts (tcp-protocol.md "Paths and folders").
 */
public final class MetaException extends StorageException {

  public enum Reason {
    /** A file and a folder would share a path, or a parent on the way is a file. HTTP 409. */
    PATH_CONFLICT(ErrorCode.PATH_CONFLICT, "Path conflict"),
    /** MOVE/COPY onto something that exists (and may not be overwritten). HTTP 409. */
    TARGET_EXISTS(ErrorCode.TARGET_EXISTS, "Target exists"),
    /** A file operation named a folder. */
    IS_FOLDER(ErrorCode.IS_FOLDER, "Is a folder (use RMDIR)"),
    /** A folder operation named a file or nothing. */
    FOLDER_NOT_FOUND(ErrorCode.FOLDER_NOT_FOUND, "Folder not found"),
    /** A file operation named nothing, or a folder where a file was needed for the source. */
    FILE_NOT_FOUND(ErrorCode.NOT_FOUND, "File not found"),
    /** A folder into itself or its own subtree, a path onto itself, or the root moved or removed. HTTP 400. */
    INVALID_MOVE(ErrorCode.INVALID_MOVE, "Invalid move");

    public final ErrorCode code;
    public final String message;

    Reason(ErrorCode code, String message) {
      this.code = code;
      this.message = message;
    }
  }

  private final Reason reason;

  public MetaException(Reason reason) {
    super(reason.code, reason.message);
    this.reason = reason;
  }

  public Reason reason() { return reason; }

  static MetaException of(Reason r) { return new MetaException(r); }
}
