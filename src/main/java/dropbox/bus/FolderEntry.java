package dropbox.bus;

import io.vertx.core.json.JsonObject;

/** One child of a listed folder: a file (with its FileInfo) or a sub-folder (size 0, no sha256). */
public record FolderEntry(boolean folder, FileInfo info) {

  public JsonObject toJson() {
    return info.toJson().put("type", folder ? "folder" : "file");
  }

  public static FolderEntry fromJson(JsonObject j) {
    return new FolderEntry("folder".equals(j.getString("type")), FileInfo.fromJson(j));
  }
}
