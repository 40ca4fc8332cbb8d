package dropbox.bus;

import io.vertx.core.json.JsonObject;

/** A user's quota position. usedBytes is the committed sum of the user's files (reservations excluded). */
public record Usage(long usedBytes, long quotaBytes, int fileCount) {

  public JsonObject toJson() {
    return new JsonObject().put("usedBytes", usedBytes).put("quotaBytes", quotaBytes).put("fileCount", fileCount);
  }

  public static Usage fromJson(JsonObject j) {
    return new Usage(j.getLong("usedBytes"), j.getLong("quotaBytes"), j.getInteger("fileCount"));
  }
}
