package dropbox.bus;

import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * Per-user quota (quota.defaultBytes, overridden by quota.users.&lt;name&gt;) and the optional file-size cap. Read from the settings by
 * Config.quotaPolicy; in bus/ because the front ends refuse a file larger than limitFor before they read it
 * (a small upload goes to storage in one command, after its bytes).
 */
public final class QuotaPolicy {
  private final long defaultBytes;
  private final JsonObject overrides;
  private final long maxFileBytes;

  public QuotaPolicy(long defaultBytes, JsonObject overrides, long maxFileBytes) {
    this.defaultBytes = defaultBytes;
    this.overrides = overrides == null ? new JsonObject() : overrides;
    this.maxFileBytes = maxFileBytes;
  }


  public long quotaFor(String user) {
    Object v = overrides.getValue(user);
    if (v == null) v = overrides.getValue(user.toLowerCase(Locale.ROOT));
    return v instanceof Number n ? n.longValue() : defaultBytes;
  }

  /** The largest file this user could ever store: min(maxFileBytes, quota). */
  public long limitFor(String user) { return Math.min(maxFileBytes, quotaFor(user)); }
}
