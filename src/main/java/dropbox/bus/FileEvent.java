package dropbox.bus;

import io.vertx.core.json.JsonObject;

/**
 * A committed change, published on {@link Addresses#FILE_EVENTS}. type is one of the constants; name is the
 * full path (v1 clients read it), also sent as "path"; from is the old path of a "moved" entry, else null.
 */
public record FileEvent(String user, String type, String name, long size, String sha256, long modified, String from) {
  public static final String UPLOADED = "uploaded";
  public static final String DELETED = "deleted";
  public static final String MOVED = "moved";
  public static final String FOLDER_CREATED = "folder_created";
  public static final String FOLDER_DELETED = "folder_deleted";

  public FileEvent(String user, String type, String name, long size, String sha256, long modified) {
    this(user, type, name, size, sha256, modified, null);
  }

  public JsonObject toJson() {
    JsonObject j = new JsonObject().put("user", user).put("type", type).put("name", name)
        .put("size", size).put("modified", modified);
    if (sha256 != null) j.put("sha256", sha256);
    if (from != null) j.put("from", from);
    return j.put("path", name);
  }

  public static FileEvent fromJson(JsonObject j) {
    return new FileEvent(j.getString("user"), j.getString("type"), j.getString("name"),
        j.getLong("size", 0L), j.getString("sha256"), j.getLong("modified", 0L), j.getString("from"));
  }
}
