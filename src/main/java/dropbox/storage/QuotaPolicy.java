package dropbox.storage;

import dropbox.Config;
import io.vertx.core.json.JsonObject;
import java.util.Locale;

/** Per-user quota (quota.defaultBytes, overridden by quota.users.&lt;name&gt;) and the optional file-size cap. */
public final class QuotaPolicy {
  private final long defaultBytes;
  private final JsonObject overrides;
  private final long maxFileBytes;

  public QuotaPolicy(long defaultBytes, JsonObject overrides, long maxFileBytes) {
    this.defaultBytes = defaultBytes;
    this.overrides = overrides == null ? new JsonObject() : overrides;
    this.maxFileBytes = maxFileBytes;
  }

  public static QuotaPolicy from(JsonObject config) {
    Object users = Config.get(config, "quota.users");
    return new QuotaPolicy(Config.longValue(config, "quota.defaultBytes", 104857600L),
        users instanceof JsonObject j ? j : new JsonObject(),
        Config.longValue(config, "storage.maxFileBytes", Long.MAX_VALUE));
  }

  public long quotaFor(String user) {
    Object v = overrides.getValue(user);
    if (v == null) v = overrides.getValue(user.toLowerCase(Locale.ROOT));
    return v instanceof Number n ? n.longValue() : defaultBytes;
  }

  /** The largest file this user could ever store: min(maxFileBytes, quota). */
  public long limitFor(String user) { return Math.min(maxFileBytes, quotaFor(user)); }
}
