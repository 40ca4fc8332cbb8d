package dropbox.tcp;

import dropbox.bus.Priority;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Splits one protocol line into a {@link CommandLine} (tcp-protocol.md "Command-line grammar").
 *
 * Tokenising works on bytes: the separators, quotes and escapes are ASCII, and no byte of a multi-byte
 * UTF-8 sequence is ASCII, so a malformed sequence cannot hide a separator. Each token is then decoded
 * strictly on its own, so a malformed name is reported as such instead of being silently repaired.
 */
public final class LineParser {

  private LineParser() {}

  private record Token(byte[] bytes, boolean quoted) {}

  /**
   * @param line the line's bytes without its '\n' (a trailing '\r' is dropped here)
   * @return the parsed line, or empty for a syntax error: an unterminated quote, an escape other
   *         than \" or \\, a quote inside a bare token or text glued to a closing quote
   */
  public static Optional<CommandLine> parse(byte[] line) {
    int end = line.length;
    if (end > 0 && line[end - 1] == '\r') end--;
    List<Token> tokens = tokenize(line, end);
    if (tokens == null) return Optional.empty();
    if (tokens.isEmpty()) return Optional.of(new CommandLine("", List.of(), Priority.MEDIUM));

    Priority priority = Priority.MEDIUM;
    int last = tokens.size();
    Token tail = tokens.get(last - 1);
    if (last > 1 && !tail.quoted() && startsWithDashDash(tail.bytes())) {
      priority = flagPriority(tail.bytes());
      last--;
    }
    String word = decode(tokens.get(0).bytes());
    List<String> args = new ArrayList<>(last - 1);
    for (int i = 1; i < last; i++) args.add(decode(tokens.get(i).bytes()));
    return Optional.of(new CommandLine(word == null ? null : asciiUpper(word), args, priority));
  }

  private static List<Token> tokenize(byte[] b, int end) {
    List<Token> out = new ArrayList<>();
    int i = 0;
    while (true) {
      while (i < end && isBlank(b[i])) i++;
      if (i >= end) return out;
      if (b[i] == '"') {
        ByteArrayOutputStream tok = new ByteArrayOutputStream();
        i++;
        boolean closed = false;
        while (i < end) {
          byte c = b[i++];
          if (c == '"') {
            closed = true;
            break;
          }
          if (c == '\\') {
            if (i >= end || (b[i] != '"' && b[i] != '\\')) return null;
            c = b[i++];
          }
          tok.write(c);
        }
        if (!closed || (i < end && !isBlank(b[i]))) return null;
        out.add(new Token(tok.toByteArray(), true));
      } else {
        int start = i;
        while (i < end && !isBlank(b[i])) {
          if (b[i] == '"') return null;
          i++;
        }
        byte[] tok = new byte[i - start];
        System.arraycopy(b, start, tok, 0, tok.length);
        out.add(new Token(tok, false));
      }
    }
  }

  private static boolean isBlank(byte c) {
    return c == ' ' || c == '\t';
  }

  private static boolean startsWithDashDash(byte[] t) {
    return t.length >= 2 && t[0] == '-' && t[1] == '-';
  }

  /** --high, --medium, --low, --priority=high|medium|low; anything else counts as medium. */
  private static Priority flagPriority(byte[] flag) {
    String f = decode(flag);
    if (f == null) return Priority.MEDIUM;
    f = asciiUpper(f.substring(2));
    if (f.startsWith("PRIORITY=")) f = f.substring("PRIORITY=".length());
    switch (f) {
      case "HIGH": return Priority.HIGH;
      case "LOW": return Priority.LOW;
      default: return Priority.MEDIUM;
    }
  }

  /** Strict UTF-8: null for malformed input (never replaced). */
  static String decode(byte[] bytes) {
    if (ascii(bytes)) return new String(bytes, StandardCharsets.ISO_8859_1); // the usual case, no decoder made
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static boolean ascii(byte[] bytes) {
    for (byte c : bytes) {
      if (c < 0) return false;
    }
    return true;
  }

  /** Only ASCII letters: Unicode case mapping would let "lıst" (dotless i) become LIST. */
  static String asciiUpper(String s) {
    char[] cs = s.toCharArray();
    for (int i = 0; i < cs.length; i++) {
      if (cs[i] >= 'a' && cs[i] <= 'z') cs[i] = (char) (cs[i] - 'a' + 'A');
    }
    return new String(cs);
  }
}
