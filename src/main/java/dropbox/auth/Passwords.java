package dropbox.auth;

import java.nio.charset.StandardCharsets;

/**
 * Password rules. A password travels as one whitespace-separated token on the TCP auth line, so a
 * sign-up may not contain whitespace or control characters; the byte cap also bounds hashing work.
 */
public final class Passwords {
  public static final int MAX_BYTES = 128;

  private Passwords() {}

  /** Null when acceptable for a new account, else the reason to show the user. */
  public static String signupProblem(String pw, int minLength) {
    int min = Math.max(1, minLength);
    // The minimum counts characters (code points: "ééé" is 3, not 6), the maximum bytes (the line's bound).
    String rule = "Invalid password (at least " + min + " characters, at most " + MAX_BYTES + " bytes, no spaces)";
    if (pw == null || pw.isEmpty()) return rule;
    int codePoints = 0;
    for (int i = 0; i < pw.length(); ) {
      int cp = pw.codePointAt(i);
      // A lone surrogate would be encoded as '?' and silently change the password.
      if (Character.isWhitespace(cp) || Character.isSpaceChar(cp) || Character.isISOControl(cp)
          || Character.getType(cp) == Character.SURROGATE) {
        return rule;
      }
      codePoints++;
      i += Character.charCount(cp);
    }
    if (codePoints < min || !fitsLogin(pw)) return rule;
    return null;
  }

  /**
   * Whether a login attempt's password is worth checking at all. Provisioned passwords are the
   * operator's choice, so only the size bound applies here, not the sign-up rules; and no NUL: HMAC pads
   * its key with zero bytes, so PBKDF2 takes "secret\0" for "secret" (no password may hold one anyway).
   */
  public static boolean fitsLogin(String pw) {
    if (pw == null || pw.isEmpty() || pw.length() > MAX_BYTES || pw.indexOf('\0') >= 0) return false;
    return pw.getBytes(StandardCharsets.UTF_8).length <= MAX_BYTES;
  }
}
