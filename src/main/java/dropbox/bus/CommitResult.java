package dropbox.bus;

import io.vertx.core.json.JsonObject;

/**
 * A published upload (created false: it replaced an existing file), or a folder made by MKDIR (created false:
 * it was already there); file is the entry under its full path.
 */
public record CommitResult(FileInfo file, boolean created) {

  public JsonObject toJson() {
    return new JsonObject().put("file", file.toJson()).put("created", created);
  }

  public static CommitResult fromJson(JsonObject j) {
    return new CommitResult(FileInfo.fromJson(j.getJsonObject("file")), j.getBoolean("created"));
  }
}
