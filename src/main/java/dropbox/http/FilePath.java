package dropbox.http;

import dropbox.bus.FileNames;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads a file name out of the RAW request path. The router matches normalised paths, where
 * "/api/files/%2e%2e" has become "/api/"; the spec wants such requests to be about a name (and
 * refused as invalid), so the name is taken from the path as the client sent it.
 */
public final class FilePath {
  static final String PREFIX = "/api/files/";
  static final String LINK_SUFFIX = "/link";

  enum Kind { ITEM, LINK }

  /** name is null when the segment is not a valid file name (bad escapes, bad UTF-8, or the name rules). */
  record Parsed(Kind kind, String name) {}

  private FilePath() {}

  /** Null when the raw path is not below /api/files/. */
  static Parsed parse(String rawPath) {
    if (rawPath == null || !rawPath.startsWith(PREFIX)) return null;
    String rest = rawPath.substring(PREFIX.length());
    Kind kind = Kind.ITEM;
    if (rest.endsWith(LINK_SUFFIX)) {
      kind = Kind.LINK;
      rest = rest.substring(0, rest.length() - LINK_SUFFIX.length());
    }
    return new Parsed(kind, decodeName(rest));
  }

  /** Strict percent-decoding of one segment to a valid name, or null. A raw '/' is never part of a name. */
  public static String decodeName(String segment) {
    if (segment.indexOf('/') >= 0) return null;
    byte[] out = new byte[segment.length()];
    int n = 0;
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c == '%') {
        if (i + 2 >= segment.length()) return null;
        int hi = Character.digit(segment.charAt(i + 1), 16);
        int lo = Character.digit(segment.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) return null;
        out[n++] = (byte) (hi * 16 + lo);
        i += 2;
      } else if (c > 0x7E || c < 0x20) {
        return null; // a conforming request line carries only printable ASCII
      } else {
        out[n++] = (byte) c;
      }
    }
    CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    String name;
    try {
      CharBuffer cb = dec.decode(ByteBuffer.wrap(out, 0, n));
      name = cb.toString();
    } catch (CharacterCodingException e) {
      return null;
    }
    return FileNames.isValid(name) ? name : null;
  }

  /** Encodes a name as one path segment: every byte but the RFC 3986 unreserved ones is escaped. */
  public static String encodeSegment(String name) {
    StringBuilder sb = new StringBuilder();
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      int v = b & 0xFF;
      if ((v >= 'a' && v <= 'z') || (v >= 'A' && v <= 'Z') || (v >= '0' && v <= '9')
          || v == '-' || v == '_' || v == '~' || v == '.') {
        sb.append((char) v);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(v >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(v & 15, 16)));
      }
    }
    return sb.toString();
  }
}
