package dropbox.bus;

import io.vertx.core.json.JsonObject;

/**
 * A resolved download: contentPath is an immutable content file that stays readable for the grace
 * period even if the name is replaced or deleted meanwhile, so it can be streamed without a lock.
 */
public record DownloadHandle(FileInfo file, String contentPath) {

  public JsonObject toJson() {
    return new JsonObject().put("file", file.toJson()).put("contentPath", contentPath);
  }

  public static DownloadHandle fromJson(JsonObject j) {
    return new DownloadHandle(FileInfo.fromJson(j.getJsonObject("file")), j.getString("contentPath"));
  }
}
