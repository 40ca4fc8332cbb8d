package dropbox.storage.meta;

/**
 * How a folder listing is sorted (rest-api.md "Folders"): by name, size or modified time, ascending or
 * descending, with folders before files unless foldersFirst is off. Names always break ties, so the order
 * is total and a keyset cursor is exact. Names compare by their UTF-8 bytes, unsigned.
 */
public record ListOrder(Sort sort, boolean descending, boolean foldersFirst) {
  public enum Sort { NAME, SIZE, MODIFIED }

  public static final ListOrder DEFAULT = new ListOrder(Sort.NAME, false, true);
}
