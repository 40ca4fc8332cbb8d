package dropbox.bus;

import io.vertx.core.json.JsonObject;

/**
 * One WebDAV write lock on a path of a user's tree (RFC 4918 6): its token, scope (exclusive or shared),
 * depth (0 or infinity), the owner XML the client gave, and when it expires (epoch millis).
 */
public record PathLock(String token, String path, boolean exclusive, boolean infinite, String owner,
                       long timeoutSeconds, long expires) {

  /** True when a write to target needs this lock's token: the locked path itself, or below it. */
  public boolean covers(String target) {
    if (target.equals(path)) return true;
    if (!within(target, path)) return false;
    // A depth-0 lock on a folder still guards its membership: adding or removing a direct child.
    return infinite || parentOf(target).equals(path);
  }

  /** True when the path lies inside folder ("" is the root, which holds everything). */
  public static boolean within(String target, String folder) {
    if (folder.isEmpty()) return !target.isEmpty();
    return target.startsWith(folder + "/");
  }

  static String parentOf(String p) {
    int i = p.lastIndexOf('/');
    return i < 0 ? "" : p.substring(0, i);
  }

  public JsonObject toJson() {
    return new JsonObject().put("token", token).put("path", path).put("exclusive", exclusive)
        .put("infinite", infinite).put("owner", owner).put("timeout", timeoutSeconds).put("expires", expires);
  }

  public static PathLock fromJson(JsonObject j) {
    return new PathLock(j.getString("token"), j.getString("path"), j.getBoolean("exclusive", true),
        j.getBoolean("infinite", false), j.getString("owner"), j.getLong("timeout", 0L), j.getLong("expires", 0L));
  }
}
