package dropbox.bus;

/** Event-bus addresses and header names: the whole wire contract between front ends and storage. */
public final class Addresses {
  /** Every storage command goes here; the header {@link #ACTION} says which one. Served by any node's workers. */
  public static final String STORAGE = "dropbox.storage";
  /** Published (to every node) after each committed upload or delete. Body: {@link FileEvent#toJson()}. */
  public static final String FILE_EVENTS = "dropbox.events.files";

  public static final String ACTION = "action";
  public static final String PRIORITY = "priority";

  private Addresses() {}
}
