package dropbox.bus;

import io.vertx.core.json.JsonObject;

/** A committed change, published on {@link Addresses#FILE_EVENTS}. type is "uploaded" or "deleted". */
public record FileEvent(String user, String type, String name, long size, String sha256, long modified) {
  public static final String UPLOADED = "uploaded";
  public static final String DELETED = "deleted";

  public JsonObject toJson() {
    JsonObject j = new JsonObject().put("user", user).put("type", type).put("name", name)
        .put("size", size).put("modified", modified);
    if (sha256 != null) j.put("sha256", sha256);
    return j;
  }

  public static FileEvent fromJson(JsonObject j) {
    return new FileEvent(j.getString("user"), j.getString("type"), j.getString("name"),
        j.getLong("size", 0L), j.getString("sha256"), j.getLong("modified", 0L));
  }
}
