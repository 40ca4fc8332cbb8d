package dropbox;

import dropbox.bus.QuotaPolicy;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The server's settings as one nested JsonObject (the keys of ARCHITECTURE.md "Running it"), merged
 * command line > environment (DROPBOX_*) > config file > defaults. Verticles receive it as their config().
 */
public final class Config {

  /** Every known setting with its default; null means "unset". Order is the README's. */
  static final Map<String, Object> DEFAULTS = new LinkedHashMap<>();
  /** Settings whose default is unset but whose value is a whole number (so env values are coerced). */
  private static final Set<String> NUMBER_KEYS = Set.of("storage.maxFileBytes", "storage.stagingStaleSeconds");
  /** Options that are flags: present alone means true (--cluster, --tls-self-signed). */
  private static final Set<String> FLAGS = Set.of("--cluster", "--tls-self-signed");
  /** Ports where -1 means "off" (tcp.port=-1: no plain TCP port, only the TLS one). */
  private static final Set<String> SWITCHABLE_PORTS = Set.of("tcp.port");
  /** Command-line option -> setting key. */
  static final Map<String, String> OPTIONS = new LinkedHashMap<>();

  static {
    DEFAULTS.put("host", "0.0.0.0");
    DEFAULTS.put("tcp.port", 8080);
    DEFAULTS.put("http.port", 8081);
    DEFAULTS.put("storage.root", "./data");
    DEFAULTS.put("storage.maxFileBytes", null);
    DEFAULTS.put("storage.fsync", true);
    // v2 (default): the database (db.*) and content-addressed blobs; a v1 root is imported at the first v2
    // start. v1: metadata and ledgers as JSON files, still selectable (flat store, no folders, not clustered
    // on a database).
    DEFAULTS.put("storage.engine", "v2");
    // How long superseded content stays readable for downloads in flight (ARCHITECTURE.md "Moving bytes").
    DEFAULTS.put("storage.graceSeconds", 3600L);
    // Below this many usable bytes (v2), deleted content goes 30 s after its delete, not graceSeconds after: a
    // full disk must be freed by deleting files. 0: never.
    DEFAULTS.put("storage.lowSpaceBytes", 256L << 20);
    // Files up to this size are kept in the database, and uploaded by the front ends in one storage command
    // (bus/SmallUploads): one group-committed WAL fsync instead of a content file's create, fsync, rename
    // and directory fsync. 0 keeps every file as a content file. At most INLINE_MAX_LIMIT.
    DEFAULTS.put("storage.inlineMaxBytes", 65536L);
    // Unset: max(600, 2 x tcp.idleTimeoutSeconds), so an upload is reaped only once its connection must be gone.
    DEFAULTS.put("storage.stagingStaleSeconds", null);
    DEFAULTS.put("quota.defaultBytes", 104857600L);
    // Files per user besides the bytes (empty files cost none), and the files and folders one copy may make
    // (a copy holds the database's writer while it runs). 0: no bound. See storage/meta/EntryLimits.
    DEFAULTS.put("quota.maxFiles", 2_000_000L);
    DEFAULTS.put("quota.maxFolders", 1_000_000L);
    DEFAULTS.put("storage.maxCopyEntries", 100_000L);
    DEFAULTS.put("auth.usersFile", "conf/users.properties");
    DEFAULTS.put("auth.signupEnabled", true);
    DEFAULTS.put("auth.minPasswordLength", 4);
    DEFAULTS.put("auth.tokenIdleSeconds", 1800);
    DEFAULTS.put("auth.allowPlaintextLogin", true);
    DEFAULTS.put("auth.signupsPerHour", 20);
    DEFAULTS.put("tcp.maxConnections", 10000);
    DEFAULTS.put("tcp.idleTimeoutSeconds", 300);
    DEFAULTS.put("tcp.noDelay", true);
    DEFAULTS.put("tcp.tlsPort", 8443);
    DEFAULTS.put("tcp.loginTimeoutSeconds", 30);
    DEFAULTS.put("tcp.listPageEntries", 10_000);
    DEFAULTS.put("http.maxConnections", 10000);
    DEFAULTS.put("http.headerTimeoutSeconds", 10);
    DEFAULTS.put("http.idleTimeoutSeconds", 300);
    DEFAULTS.put("http.maxStreamsPerUser", 16);
    DEFAULTS.put("http.sseHeartbeatMillis", 15000L);
    // Comma-separated CIDRs (or a JSON array in the config file); none by default.
    DEFAULTS.put("http.trustedProxies", null);
    // Comma-separated origins (scheme://host[:port]) allowed to write besides the server's own.
    DEFAULTS.put("http.allowedOrigins", null);
    // A directory to serve the UI from instead of the copy inside the jar (for UI work).
    DEFAULTS.put("http.webroot", null);
    // WebDAV: refuse macOS Finder's "._*" and ".DS_Store" files with 403 (docs/webdav.md)
    DEFAULTS.put("dav.refuseMacMetadata", false);
    DEFAULTS.put("tls.certFile", null);
    DEFAULTS.put("tls.keyFile", null);
    DEFAULTS.put("tls.selfSigned", false);
    DEFAULTS.put("tcp.instances", Math.max(1, Runtime.getRuntime().availableProcessors()));
    DEFAULTS.put("http.instances", Math.max(1, Runtime.getRuntime().availableProcessors()));
    DEFAULTS.put("workers.threads", 2 * Runtime.getRuntime().availableProcessors());
    DEFAULTS.put("workers.queueCapacity", 1000);
    DEFAULTS.put("locks.timeoutMillis", 10000);
    DEFAULTS.put("locks.ttlMillis", 15000);
    // Storage v2 metadata: unset = SQLite at <storage.root>/dropbox.db; a jdbc:postgresql: URL when clustered.
    DEFAULTS.put("db.url", null);
    DEFAULTS.put("db.user", null);
    DEFAULTS.put("db.password", null);
    DEFAULTS.put("cluster.enabled", false);
    DEFAULTS.put("cluster.host", "127.0.0.1");
    DEFAULTS.put("cluster.port", 5701);
    DEFAULTS.put("cluster.members", "127.0.0.1:5701");
    DEFAULTS.put("cluster.name", "dropbox");
    DEFAULTS.put("cluster.busPort", 0);
    DEFAULTS.put("cluster.quorum", 0);
    DEFAULTS.put("metrics.enabled", true);

    OPTIONS.put("--host", "host");
    OPTIONS.put("--tcp-port", "tcp.port");
    OPTIONS.put("--http-port", "http.port");
    OPTIONS.put("--storage", "storage.root");
    OPTIONS.put("--storage-engine", "storage.engine");
    OPTIONS.put("--users", "auth.usersFile");
    OPTIONS.put("--default-quota", "quota.defaultBytes");
    OPTIONS.put("--cluster", "cluster.enabled");
    OPTIONS.put("--cluster-host", "cluster.host");
    OPTIONS.put("--cluster-port", "cluster.port");
    OPTIONS.put("--cluster-members", "cluster.members");
    OPTIONS.put("--tls-cert", "tls.certFile");
    OPTIONS.put("--tls-key", "tls.keyFile");
    OPTIONS.put("--tls-self-signed", "tls.selfSigned");
    OPTIONS.put("--webroot", "http.webroot");
  }

  private Config() {}

  /** Thrown for a bad option or value; the message is for the operator. */
  public static class UsageException extends RuntimeException {
    public UsageException(String m) { super(m); }
  }

  /**
   * Builds the effective config. args are the server options (without a subcommand); env is the
   * process environment. The config file is --config FILE, else DROPBOX_CONFIG, else conf/config.json if present.
   */
  public static JsonObject load(List<String> args, Map<String, String> env) {
    Map<String, String> cli = parseArgs(args);
    String file = cli.remove("--config");
    if (file == null) file = env.get("DROPBOX_CONFIG");
    boolean explicitFile = file != null;
    if (file == null) file = "conf/config.json";

    JsonObject out = new JsonObject();
    DEFAULTS.forEach((k, v) -> { if (v != null) put(out, k, v); });

    Path p = Path.of(file);
    if (Files.isRegularFile(p)) {
      try {
        deepMerge(out, new JsonObject(Files.readString(p)));
      } catch (IOException | RuntimeException e) {
        throw new UsageException("cannot read config file " + file + ": " + e.getMessage());
      }
    } else if (explicitFile) {
      throw new UsageException("config file not found: " + file);
    }

    for (String key : DEFAULTS.keySet()) {
      String v = env.get(envName(key));
      if (v != null) put(out, key, coerce(key, v));
    }
    // Per-user quota overrides from the environment: DROPBOX_QUOTA_USERS_<NAME>=bytes.
    env.forEach((k, v) -> {
      if (k.startsWith("DROPBOX_QUOTA_USERS_") && k.length() > "DROPBOX_QUOTA_USERS_".length()) {
        String user = k.substring("DROPBOX_QUOTA_USERS_".length()).toLowerCase(Locale.ROOT);
        put(out, "quota.users." + user, parseLong("quota.users." + user, v));
      }
    });
    cli.forEach((opt, v) -> put(out, OPTIONS.get(opt), coerce(OPTIONS.get(opt), v)));
    return out;
  }

  /** "tcp.maxConnections" -> "DROPBOX_TCP_MAX_CONNECTIONS". */
  public static String envName(String key) {
    StringBuilder sb = new StringBuilder("DROPBOX_");
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c == '.') sb.append('_');
      else if (Character.isUpperCase(c)) sb.append('_').append(c);
      else sb.append(Character.toUpperCase(c));
    }
    return sb.toString();
  }

  private static Map<String, String> parseArgs(List<String> args) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      String value = null;
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 0) {
        value = a.substring(eq + 1);
        a = a.substring(0, eq);
      }
      if (FLAGS.contains(a)) {
        m.put(a, value == null ? "true" : value);
        continue;
      }
      if (!a.equals("--config") && !OPTIONS.containsKey(a)) throw new UsageException("unknown option: " + a);
      if (value == null) {
        if (i + 1 >= args.size()) throw new UsageException("option " + a + " needs a value");
        value = args.get(++i);
      }
      m.put(a, value);
    }
    return m;
  }

  private static Object coerce(String key, String v) {
    Object def = DEFAULTS.get(key);
    if (def instanceof Boolean) {
      if (v.equalsIgnoreCase("true") || v.equals("1") || v.equalsIgnoreCase("yes")) return true;
      if (v.equalsIgnoreCase("false") || v.equals("0") || v.equalsIgnoreCase("no")) return false;
      throw new UsageException(key + " must be true or false, not '" + v + "'");
    }
    if (def instanceof Integer) {
      if (SWITCHABLE_PORTS.contains(key) && v.trim().equals("-1")) return -1;
      long n = parseLong(key, v);
      if (n > Integer.MAX_VALUE) throw new UsageException(key + " is too large: " + v);
      return (int) n;
    }
    if (def instanceof Long || NUMBER_KEYS.contains(key)) return parseLong(key, v);
    return v;
  }

  private static long parseLong(String key, String v) {
    try {
      long n = Long.parseLong(v.trim());
      if (n < 0) throw new NumberFormatException();
      return n;
    } catch (NumberFormatException e) {
      throw new UsageException(key + " must be a non-negative whole number, not '" + v + "'");
    }
  }

  /** Sets a dotted key in a nested object. */
  public static void put(JsonObject root, String dotted, Object value) {
    String[] parts = dotted.split("\\.");
    JsonObject o = root;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonObject next = o.getJsonObject(parts[i]);
      if (next == null) {
        next = new JsonObject();
        o.put(parts[i], next);
      }
      o = next;
    }
    o.put(parts[parts.length - 1], value);
  }

  /** Reads a dotted key from a nested object, or null. */
  public static Object get(JsonObject root, String dotted) {
    String[] parts = dotted.split("\\.");
    JsonObject o = root;
    for (int i = 0; i < parts.length - 1; i++) {
      o = o.getJsonObject(parts[i]);
      if (o == null) return null;
    }
    return o.getValue(parts[parts.length - 1]);
  }

  public static String string(JsonObject c, String key) {
    Object v = get(c, key);
    return v == null ? (String) DEFAULTS.get(key) : v.toString();
  }

  public static int integer(JsonObject c, String key) {
    Object v = get(c, key);
    if (v == null) v = DEFAULTS.get(key);
    return ((Number) v).intValue();
  }

  public static long longValue(JsonObject c, String key, long dflt) {
    Object v = get(c, key);
    return v == null ? dflt : ((Number) v).longValue();
  }

  public static boolean bool(JsonObject c, String key) {
    Object v = get(c, key);
    if (v == null) v = DEFAULTS.get(key);
    return (Boolean) v;
  }

  private static void deepMerge(JsonObject into, JsonObject from) {
    for (String k : from.fieldNames()) {
      Object v = from.getValue(k);
      if (v instanceof JsonObject jo && into.getValue(k) instanceof JsonObject existing) {
        deepMerge(existing, jo);
      } else {
        into.put(k, v instanceof JsonArray ? ((JsonArray) v).copy() : v);
      }
    }
  }

  /** The options table for --help and the README. */
  public static List<String> optionLines() {
    List<String> lines = new ArrayList<>();
    OPTIONS.forEach((opt, key) -> lines.add(String.format("  %-20s %s (default %s)", opt, key, DEFAULTS.get(key))));
    return lines;
  }

  /** The largest storage.inlineMaxBytes accepted: the front ends hold up to 1024 such bodies in memory. */
  public static final long INLINE_MAX_LIMIT = 1 << 20;

  /** storage.inlineMaxBytes, clamped to 0..INLINE_MAX_LIMIT. */
  public static long inlineMaxBytes(JsonObject config) {
    return Math.max(0, Math.min(INLINE_MAX_LIMIT, longValue(config, "storage.inlineMaxBytes", 65536L)));
  }

  /** quota.defaultBytes, quota.users.<name> and storage.maxFileBytes as one policy. */
  public static QuotaPolicy quotaPolicy(JsonObject config) {
    Object users = get(config, "quota.users");
    return new QuotaPolicy(longValue(config, "quota.defaultBytes", 104857600L),
        users instanceof JsonObject j ? j : new JsonObject(), longValue(config, "storage.maxFileBytes", Long.MAX_VALUE));
  }
}
