package dropbox.client;

import java.util.ArrayList;
import java.util.List;

/**
 * The argument grammar of tcp-protocol.md "Command-line grammar": a token is bare (no '"' in it) or quoted
 * ("..." where only \" and \\ escape). The client uses it both to write commands and to read shell lines.
 */
public final class Quoting {
  private Quoting() {}

  /** One parsed token; quoted matters because only an unquoted last token starting with "--" is a flag. */
  public record Token(String text, boolean quoted) {}

  /**
   * The token as it must appear on the wire. Bare when the server would read it back unchanged; quoted when
   * it is empty, holds a space, tab, quote or backslash, or starts with "--" (it would be taken for a flag).
   * CR, LF and NUL cannot be carried by the line protocol at all, so they are refused rather than sent.
   */
  public static String quote(String token) {
    boolean needsQuotes = token.isEmpty() || token.startsWith("--");
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c == '\n' || c == '\r' || c == '\0') {
        throw new IllegalArgumentException("a name or password cannot contain a line break or NUL");
      }
      if (c == ' ' || c == '\t' || c == '"' || c == '\\') needsQuotes = true;
    }
    if (!needsQuotes) return token;
    StringBuilder sb = new StringBuilder(token.length() + 8).append('"');
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c == '"' || c == '\\') sb.append('\\');
      sb.append(c);
    }
    return sb.append('"').toString();
  }

  /** Splits a line into tokens with the server's rules; a malformed line throws with a message for the user. */
  public static List<Token> tokenize(String line) {
    List<Token> out = new ArrayList<>();
    int i = 0;
    int n = line.length();
    while (true) {
      while (i < n && isBlank(line.charAt(i))) i++;
      if (i >= n) return out;
      if (line.charAt(i) == '"') {
        StringBuilder sb = new StringBuilder();
        i++;
        boolean closed = false;
        while (i < n) {
          char c = line.charAt(i++);
          if (c == '"') {
            closed = true;
            break;
          }
          if (c == '\\') {
            if (i >= n) break;
            char e = line.charAt(i++);
            if (e != '"' && e != '\\') throw new IllegalArgumentException("bad escape \\" + e + " (only \\\" and \\\\)");
            sb.append(e);
          } else {
            sb.append(c);
          }
        }
        if (!closed) throw new IllegalArgumentException("unterminated quote");
        if (i < n && !isBlank(line.charAt(i))) throw new IllegalArgumentException("text right after a closing quote");
        out.add(new Token(sb.toString(), true));
      } else {
        int start = i;
        while (i < n && !isBlank(line.charAt(i))) {
          if (line.charAt(i) == '"') throw new IllegalArgumentException("a quote inside a bare word (quote the whole word)");
          i++;
        }
        out.add(new Token(line.substring(start, i), false));
      }
    }
  }

  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t';
  }
}
