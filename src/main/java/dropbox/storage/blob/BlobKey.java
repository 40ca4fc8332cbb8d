package dropbox.storage.blob;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One user's content, by its SHA-256: the only handle on a blob. Both parts are checked here, once,
 * because they become path components: a user name is ASCII [a-z0-9_.-] (what auth allows, compared
 * ignoring case), a hash exactly 64 lowercase hex digits. Anything else can never name a file.
 */
public record BlobKey(String user, String sha256) {
  private static final Pattern USER = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  public BlobKey {
    user = checkUser(user);
    if (sha256 == null || !SHA256.matcher(sha256).matches()) throw new IllegalArgumentException("not a SHA-256");
  }

  /** The user's directory name: lower-cased, as user names are unique ignoring case. */
  static String checkUser(String user) {
    String u = user == null ? "" : user.toLowerCase(Locale.ROOT);
    if (!USER.matcher(u).matches()) throw new IllegalArgumentException("not a user name");
    return u;
  }

  static boolean isSha256(String s) { return SHA256.matcher(s).matches(); }
}
