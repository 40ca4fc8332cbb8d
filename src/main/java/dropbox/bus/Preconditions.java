package dropbox.bus;

import io.vertx.core.json.JsonObject;

/**
 * Conditions decided at commit under the file lock: ifNoneMatchAny ("If-None-Match: *", the name must
 * not exist) and ifMatchSha256 (the current content must have this hash). NONE for the TCP protocol.
 */
public record Preconditions(boolean ifNoneMatchAny, String ifMatchSha256) {
  public static final Preconditions NONE = new Preconditions(false, null);

  public JsonObject toJson() {
    JsonObject j = new JsonObject().put("ifNoneMatchAny", ifNoneMatchAny);
    if (ifMatchSha256 != null) j.put("ifMatchSha256", ifMatchSha256);
    return j;
  }

  public static Preconditions fromJson(JsonObject j) {
    if (j == null) return NONE;
    return new Preconditions(j.getBoolean("ifNoneMatchAny", false), j.getString("ifMatchSha256"));
  }
}
