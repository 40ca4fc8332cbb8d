package dropbox.bus;

import io.vertx.core.json.JsonObject;

/** A published upload; created is false when it replaced an existing file. */
public record CommitResult(FileInfo file, boolean created) {

  public JsonObject toJson() {
    return new JsonObject().put("file", file.toJson()).put("created", created);
  }

  public static CommitResult fromJson(JsonObject j) {
    return new CommitResult(FileInfo.fromJson(j.getJsonObject("file")), j.getBoolean("created"));
  }
}
