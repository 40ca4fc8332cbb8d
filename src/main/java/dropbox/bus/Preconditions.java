package dropbox.bus;

import io.vertx.core.json.JsonObject;

/**
 * Conditions decided at commit under the file lock (RFC 9110 13.1): ifNoneMatchAny ("If-None-Match: *",
 * the name must not exist), ifMatchAny ("If-Match: *", it must exist) and ifMatchSha256 (its current
 * content must have this hash). NONE for the TCP protocol.
 */
public record Preconditions(boolean ifNoneMatchAny, boolean ifMatchAny, String ifMatchSha256) {
  public static final Preconditions NONE = new Preconditions(false, false, null);

  public Preconditions(boolean ifNoneMatchAny, String ifMatchSha256) {
    this(ifNoneMatchAny, false, ifMatchSha256);
  }

  /** Why the conditions fail on a file whose content has this hash (null: there is no such file), or null. */
  public String refusal(String currentSha256) {
    if (ifNoneMatchAny && currentSha256 != null) return "The file already exists";
    if (ifMatchAny && currentSha256 == null) return "There is no such file";
    if (ifMatchSha256 != null && !ifMatchSha256.equals(currentSha256)) return "The file has changed";
    return null;
  }

  public JsonObject toJson() {
    JsonObject j = new JsonObject().put("ifNoneMatchAny", ifNoneMatchAny);
    if (ifMatchAny) j.put("ifMatchAny", true);
    if (ifMatchSha256 != null) j.put("ifMatchSha256", ifMatchSha256);
    return j;
  }

  public static Preconditions fromJson(JsonObject j) {
    if (j == null) return NONE;
    return new Preconditions(j.getBoolean("ifNoneMatchAny", false), j.getBoolean("ifMatchAny", false),
        j.getString("ifMatchSha256"));
  }
}
