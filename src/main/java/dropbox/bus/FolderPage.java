package dropbox.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * One page of a folder's children (folders first, then files, each by UTF-8 bytes of the name), with the
 * user's usage read in the same snapshot. cursor continues after the last entry; null on the last page.
 */
public record FolderPage(String path, List<FolderEntry> entries, String cursor, Usage usage) {

  public JsonObject toJson() {
    JsonArray arr = new JsonArray();
    entries.forEach(e -> arr.add(e.toJson()));
    return new JsonObject().put("path", path).put("entries", arr).put("cursor", cursor).put("usage", usage.toJson());
  }

  public static FolderPage fromJson(JsonObject j) {
    List<FolderEntry> entries = new ArrayList<>();
    for (Object o : j.getJsonArray("entries")) entries.add(FolderEntry.fromJson((JsonObject) o));
    return new FolderPage(j.getString("path"), entries, j.getString("cursor"), Usage.fromJson(j.getJsonObject("usage")));
  }
}
