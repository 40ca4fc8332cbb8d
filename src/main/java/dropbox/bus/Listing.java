package dropbox.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A user's files sorted by UTF-8 bytes, with the usage taken in the same snapshot. cursor continues a
 * paged listing after its last file; null when the listing is complete (or was not paged).
 */
public record Listing(List<FileInfo> files, Usage usage, String cursor) {

  public Listing(List<FileInfo> files, Usage usage) { this(files, usage, null); }

  public JsonObject toJson() {
    JsonArray arr = new JsonArray();
    files.forEach(f -> arr.add(f.toJson()));
    JsonObject j = new JsonObject().put("files", arr).put("usage", usage.toJson());
    return cursor == null ? j : j.put("cursor", cursor);
  }

  public static Listing fromJson(JsonObject j) {
    List<FileInfo> files = new ArrayList<>();
    for (Object o : j.getJsonArray("files")) files.add(FileInfo.fromJson((JsonObject) o));
    return new Listing(files, Usage.fromJson(j.getJsonObject("usage")), j.getString("cursor"));
  }
}
