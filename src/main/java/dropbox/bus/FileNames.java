package dropbox.bus;

import java.nio.charset.StandardCharsets;

/**
 * The file-name rules of both protocols (tcp-protocol.md "File names"): 1-255 bytes of well-formed UTF-8,
 * not "." or "..", no '/', '\', NUL or other control character (C0, DEL, C1), no line or paragraph
 * separator and no bidirectional control: those make a listing lie about a name (`evil\u202etxt.exe`
 * shows as `evilexe.txt`) or break it across lines. Names are validated, never rewritten.
 */
public final class FileNames {
  public static final int MAX_BYTES = 255;

  private FileNames() {}

  public static boolean isValid(String name) {
    if (name == null || name.isEmpty() || name.equals(".") || name.equals("..")) return false;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c == '/' || c == '\\' || forbiddenCharacter(c)) return false;
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= name.length() || !Character.isLowSurrogate(name.charAt(i + 1))) return false;
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false; // a lone surrogate is not well-formed UTF-8 once encoded
      }
    }
    return name.getBytes(StandardCharsets.UTF_8).length <= MAX_BYTES;
  }

  /** DEL and C1 controls, U+2028/U+2029, bidi embeddings/overrides (U+202A-E) and isolates (U+2066-9). */
  private static boolean forbiddenCharacter(char c) {
    return (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029 || (c >= 0x202A && c <= 0x202E)
        || (c >= 0x2066 && c <= 0x2069);
  }

  /** Unsigned byte order of the UTF-8 encodings: the order of LIST and GET /api/files. */
  public static int compareUtf8(String a, String b) {
    byte[] x = a.getBytes(StandardCharsets.UTF_8);
    byte[] y = b.getBytes(StandardCharsets.UTF_8);
    return java.util.Arrays.compareUnsigned(x, y);
  }
}
