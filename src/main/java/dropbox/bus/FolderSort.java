package dropbox.bus;

import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * How a folder listing is ordered (rest-api.md "Folders"): by name, size or modified time, ascending or
 * descending. Sorted by name, folders come before files; another sort mixes them (the user asked for that
 * order). Lives in bus/ because front ends choose it and must not import storage types.
 */
public record FolderSort(Key key, boolean descending) {
  public enum Key { NAME, SIZE, MODIFIED }

  /** What TCP's LIST and a listing without parameters use: folders first, then files, by name. */
  public static final FolderSort DEFAULT = new FolderSort(Key.NAME, false);

  public boolean foldersFirst() { return key == Key.NAME; }

  /**
   * The query words of the REST API: sort = name|size|modified, order = asc|desc, each optional (null).
   * Anything else is BAD_REQUEST with a message naming the accepted values.
   */
  public static FolderSort parse(String sort, String order) {
    Key k = Key.NAME;
    if (sort != null) {
      switch (sort) {
        case "name" -> k = Key.NAME;
        case "size" -> k = Key.SIZE;
        case "modified" -> k = Key.MODIFIED;
        default -> throw StorageException.of(ErrorCode.BAD_REQUEST, "sort must be name, size or modified");
      }
    }
    boolean desc = false;
    if (order != null) {
      switch (order) {
        case "asc" -> desc = false;
        case "desc" -> desc = true;
        default -> throw StorageException.of(ErrorCode.BAD_REQUEST, "order must be asc or desc");
      }
    }
    return new FolderSort(k, desc);
  }

  /** Written into a LIST_FOLDER command as "sort" and "order". */
  public JsonObject writeTo(JsonObject command) {
    return command.put("sort", key.name().toLowerCase(Locale.ROOT)).put("order", descending ? "desc" : "asc");
  }

  /** Read back from a command: absent fields are the default; malformed ones BAD_REQUEST. */
  public static FolderSort readFrom(JsonObject command) {
    Object s = command.getValue("sort");
    Object o = command.getValue("order");
    if ((s != null && !(s instanceof String)) || (o != null && !(o instanceof String))) {
      throw StorageException.of(ErrorCode.BAD_REQUEST, "Malformed sort");
    }
    return parse((String) s, (String) o);
  }
}
