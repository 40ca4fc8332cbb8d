package dropbox.files;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The lower-case hex SHA-256 of bytes in memory (a small upload's content address) or of a file. */
public final class Sha256 {
  private Sha256() {}

  /** The whole file, read in 1 MiB blocks (fsck --verify: content files of any size). */
  public static String hex(java.nio.file.Path file) throws java.io.IOException {
    MessageDigest md = digest();
    byte[] block = new byte[1 << 20];
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
      for (int n; (n = in.read(block)) > 0; ) md.update(block, 0, n);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  public static String hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
