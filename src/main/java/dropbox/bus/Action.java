package dropbox.bus;

/** The storage commands. The wire name is the header value; keep it stable across versions of a cluster. */
public enum Action {
  UPLOAD_OPEN("upload.open"),
  UPLOAD_EXTEND("upload.extend"),
  UPLOAD_COMMIT("upload.commit"),
  /** Never refused as busy ({@link #givesBack()}). */
  UPLOAD_ABORT("upload.abort"),
  /** A whole small upload in one command, its bytes in the request (SmallUploads). */
  UPLOAD_SMALL("upload.small"),
  DOWNLOAD_OPEN("download.open"),
  DELETE("delete"),
  LIST("list"),
  USAGE("usage"),
  // Folders (storage.engine=v2; v1 refuses them with BAD_REQUEST)
  LIST_FOLDER("folder.list"),
  MKDIR("folder.create"),
  MOVE("move"),
  COPY("copy"),
  RMDIR("folder.delete"),
  // WebDAV's needs (v2): what is at a path, a file's modified time, dead properties
  STAT("stat"),
  SET_MODIFIED("modified.set"),
  PROPS_GET("props.get"),
  PROPS_PATCH("props.patch");

  private final String wire;

  Action(String wire) { this.wire = wire; }

  public String wire() { return wire; }

  /**
   * Whether the command gives resources back (an abort: a reservation and a staging file), so storage
   * queues it even when its queue is full. Refused as busy, an abort left its reservation and staging file
   * until a restart: under the overload that refused the commit, the abort after it was refused too.
   */
  public boolean givesBack() { return this == UPLOAD_ABORT; }

  public static Action fromWire(String s) {
    for (Action a : values()) if (a.wire.equals(s)) return a;
    return null;
  }
}
