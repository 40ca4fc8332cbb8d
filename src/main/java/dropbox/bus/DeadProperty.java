package dropbox.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A WebDAV dead property of a file or folder: namespace URI ("" for none), local name, and its value as
 * a self-contained XML fragment (every element declares its own namespace), stored as the client set it.
 */
public record DeadProperty(String ns, String name, String value) {
  /**
   * What one file or folder may carry: they are stored beside the tree and copied with it, outside the
   * quota, so they are bounded per node (clients set a few short ones: Windows its four Win32 times and
   * attributes). Counted as characters of namespace, name and value together.
   */
  public static final int MAX_PER_NODE = 64;
  public static final int MAX_CHARS_PER_NODE = 16 * 1024;

  public JsonObject toJson() { return new JsonObject().put("ns", ns).put("name", name).put("value", value); }

  public static DeadProperty fromJson(JsonObject j) {
    return new DeadProperty(j.getString("ns", ""), j.getString("name"), j.getString("value", ""));
  }

  public static JsonArray toJson(List<DeadProperty> props) {
    JsonArray a = new JsonArray();
    props.forEach(p -> a.add(p.toJson()));
    return a;
  }

  public static List<DeadProperty> fromJson(JsonArray a) {
    List<DeadProperty> out = new ArrayList<>();
    if (a != null) for (Object o : a) out.add(fromJson((JsonObject) o));
    return out;
  }
}
