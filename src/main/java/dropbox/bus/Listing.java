package dropbox.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** A user's files sorted by UTF-8 bytes, with the usage taken in the same snapshot. */
public record Listing(List<FileInfo> files, Usage usage) {

  public JsonObject toJson() {
    JsonArray arr = new JsonArray();
    files.forEach(f -> arr.add(f.toJson()));
    return new JsonObject().put("files", arr).put("usage", usage.toJson());
  }

  public static Listing fromJson(JsonObject j) {
    List<FileInfo> files = new ArrayList<>();
    for (Object o : j.getJsonArray("files")) files.add(FileInfo.fromJson((JsonObject) o));
    return new Listing(files, Usage.fromJson(j.getJsonObject("usage")));
  }
}
