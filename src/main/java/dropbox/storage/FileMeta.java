package dropbox.storage;

import dropbox.bus.FileInfo;
import io.vertx.core.json.JsonObject;

/** One file's metadata as stored in meta/&lt;key&gt;.json: the listed facts plus the content file it points to. */
record FileMeta(String name, long size, String sha256, long created, long modified, String blob) {

  FileInfo info() { return new FileInfo(name, size, sha256, created, modified); }

  JsonObject toJson() {
    return new JsonObject().put("name", name).put("size", size).put("sha256", sha256)
        .put("created", created).put("modified", modified).put("blob", blob);
  }

  static FileMeta fromJson(JsonObject j) {
    return new FileMeta(j.getString("name"), j.getLong("size"), j.getString("sha256"),
        j.getLong("created"), j.getLong("modified"), j.getString("blob"));
  }
}
