package dropbox.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * A resolved download: either contentPath, an immutable content file that stays readable for the grace
 * period even if the name is replaced or deleted meanwhile, so it can be streamed without a lock; or, for
 * a small file kept in the database (storage.inlineMaxBytes), its bytes themselves in inline (contentPath
 * null), which the front end writes out with no file to open.
 */
public record DownloadHandle(FileInfo file, String contentPath, Buffer inline) {

  public DownloadHandle(FileInfo file, String contentPath) { this(file, contentPath, null); }

  public static DownloadHandle inline(FileInfo file, Buffer bytes) { return new DownloadHandle(file, null, bytes); }

  public boolean isInline() { return inline != null; }

  public JsonObject toJson() {
    JsonObject j = new JsonObject().put("file", file.toJson());
    return inline != null ? j.put("inline", inline) : j.put("contentPath", contentPath);
  }

  public static DownloadHandle fromJson(JsonObject j) {
    FileInfo f = FileInfo.fromJson(j.getJsonObject("file"));
    return j.containsKey("inline") ? inline(f, j.getBuffer("inline")) : new DownloadHandle(f, j.getString("contentPath"));
  }
}
