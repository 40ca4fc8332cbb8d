package dropbox.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers successful Basic checks for a short while so Basic clients do not pay a slow password hash
 * per request. Keyed by a hash of the credentials (never the password itself). One per verticle
 * instance, used only from its event loop, so no locking; bounded LRU.
 */
final class BasicCache {
  static final long TTL_MILLIS = 60_000;
  private static final int MAX_ENTRIES = 10_000;

  private record Hit(String user, long until) {}

  private final Map<String, Hit> entries = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Hit> eldest) { return size() > MAX_ENTRIES; }
  };

  String get(String username, String password) {
    String key = key(username, password);
    Hit h = entries.get(key);
    if (h == null) return null;
    if (h.until < System.currentTimeMillis()) {
      entries.remove(key);
      return null;
    }
    return h.user;
  }

  void put(String username, String password, String canonicalUser) {
    entries.put(key(username, password), new Hit(canonicalUser, System.currentTimeMillis() + TTL_MILLIS));
  }

  private static String key(String username, String password) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(username.getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
      md.update(password.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
