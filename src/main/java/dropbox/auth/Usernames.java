package dropbox.auth;

import java.util.Locale;

/**
 * The user-name rule shared by both front ends and both account sources. Names are compared and
 * stored by {@link #key}: case-insensitive uniqueness keeps one password per name and keeps two users
 * out of one directory on a case-insensitive file system.
 */
public final class Usernames {
  public static final int MAX_LENGTH = 64;

  private Usernames() {}

  /** 1-64 characters of A-Z a-z 0-9 _ . -, starting with a letter or digit. */
  public static boolean isValid(String name) {
    if (name == null || name.isEmpty() || name.length() > MAX_LENGTH) return false;
    if (!isAlnum(name.charAt(0))) return false;
    for (int i = 1; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!isAlnum(c) && c != '_' && c != '.' && c != '-') return false;
    }
    return true;
  }

  /** The case-folded form used for lookups, file names and throttle keys (ASCII only, so Locale.ROOT is exact). */
  public static String key(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  private static boolean isAlnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }
}
