package dropbox.bus;

import io.vertx.core.json.JsonObject;

/** What a listed file is: the metadata both protocols show. Times are epoch milliseconds (UTC). */
public record FileInfo(String name, long size, String sha256, long created, long modified) {

  public JsonObject toJson() {
    return new JsonObject().put("name", name).put("size", size).put("sha256", sha256)
        .put("created", created).put("modified", modified);
  }

  public static FileInfo fromJson(JsonObject j) {
    return new FileInfo(j.getString("name"), j.getLong("size"), j.getString("sha256"),
        j.getLong("created"), j.getLong("modified"));
  }
}
