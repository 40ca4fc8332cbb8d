package dropbox.tls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * SHA-256 certificate fingerprints in the form `openssl x509 -fingerprint -sha256` prints
 * (upper-case hex pairs joined by colons): what the server logs and what the CLI's --pin accepts.
 */
public final class Fingerprints {
  private Fingerprints() {}

  /** The fingerprint of a DER-encoded certificate, e.g. "AB:CD:...". */
  public static String sha256(byte[] der) {
    byte[] d = digest(der);
    StringBuilder sb = new StringBuilder(d.length * 3);
    for (byte b : d) {
      if (sb.length() > 0) sb.append(':');
      sb.append(String.format(Locale.ROOT, "%02X", b & 0xff));
    }
    return sb.toString();
  }

  /**
   * A pin as a user typed it (colons optional, any case, surrounding spaces, an optional "sha256:" or
   * "SHA256 Fingerprint=" prefix) in canonical form, or null when it is not 32 bytes of hex.
   */
  public static String normalise(String pin) {
    if (pin == null) return null;
    String p = pin.trim();
    int eq = p.lastIndexOf('=');
    if (eq >= 0) p = p.substring(eq + 1);
    if (p.toLowerCase(Locale.ROOT).startsWith("sha256:")) p = p.substring(7);
    String hex = p.replace(":", "").trim().toUpperCase(Locale.ROOT);
    if (!hex.matches("[0-9A-F]{64}")) return null;
    StringBuilder sb = new StringBuilder(95);
    for (int i = 0; i < 64; i += 2) {
      if (i > 0) sb.append(':');
      sb.append(hex, i, i + 2);
    }
    return sb.toString();
  }

  static byte[] digest(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
