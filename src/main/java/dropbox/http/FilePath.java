package dropbox.http;

import dropbox.bus.FileNames;
import dropbox.bus.TreePath;
import io.vertx.core.http.HttpMethod;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads a file or folder path out of the RAW request path. The router matches normalised paths, where
 * "/api/files/%2e%2e" has become "/api/"; the spec wants such requests to be about a name (and refused as
 * invalid), so the path is taken as the client sent it: percent-encoded segments joined by '/', each one
 * a valid name once decoded (so an encoded "%2F" inside a segment stays invalid), within TreePath's limits.
 */
final class FilePath {
  static final String PREFIX = "/api/files/";
  static final String FOLDERS = "/api/folders";
  static final String LINK_SUFFIX = "/link";

  enum Kind { ITEM, LINK }

  /** name is null when the path is not a valid file path (bad escapes, bad UTF-8, or the path rules). */
  record Parsed(Kind kind, String name) {}

  private FilePath() {}

  /**
   * Null when the raw path is not below /api/files/. A POST to ".../link" asks for a download link of the
   * path before it; with any other method "link" is just the last segment (a file may be called that).
   */
  static Parsed parse(String rawPath, HttpMethod method) {
    if (rawPath == null || !rawPath.startsWith(PREFIX)) return null;
    String rest = rawPath.substring(PREFIX.length());
    Kind kind = Kind.ITEM;
    if (method == HttpMethod.POST && rest.endsWith(LINK_SUFFIX)) {
      kind = Kind.LINK;
      rest = rest.substring(0, rest.length() - LINK_SUFFIX.length());
    }
    String path = decodePath(rest);
    return new Parsed(kind, path == null || path.isEmpty() ? null : path);
  }

  /**
   * A raw /api/folders request: name "" for the root ("/api/folders/" or "/api/folders"), null when the path
   * is invalid; null altogether when the request is not under /api/folders.
   */
  static Parsed folder(String rawPath) {
    if (rawPath == null || !rawPath.startsWith(FOLDERS)) return null;
    String rest = rawPath.substring(FOLDERS.length());
    if (rest.isEmpty()) return new Parsed(Kind.ITEM, "");
    if (!rest.startsWith("/")) return null; // "/api/foldersX" is some other (unknown) path
    return new Parsed(Kind.ITEM, decodePath(rest.substring(1)));
  }

  /** Decodes "seg/seg/..." to the path it names ("" stays the root), or null when any part is invalid. */
  static String decodePath(String raw) {
    if (raw.isEmpty()) return "";
    StringBuilder out = new StringBuilder();
    for (String seg : raw.split("/", -1)) { // -1 keeps empty segments: "a//b" and "a/" are invalid
      String name = decodeName(seg);
      if (name == null) return null;
      if (out.length() > 0) out.append('/');
      out.append(name);
    }
    String path = out.toString();
    return TreePath.isValid(path) ? path : null;
  }

  /** Encodes a path segment by segment: the '/' between segments stays, everything else as encodeSegment. */
  static String encodePath(String path) {
    StringBuilder sb = new StringBuilder();
    for (String seg : path.split("/", -1)) {
      if (sb.length() > 0) sb.append('/');
      sb.append(encodeSegment(seg));
    }
    return sb.toString();
  }

  /** The last segment of a path: what a browser should save a download as. */
  static String lastSegment(String path) { return path.substring(path.lastIndexOf('/') + 1); }

  /** Strict percent-decoding of one segment to a valid name, or null. A raw '/' is never part of a name. */
  static String decodeName(String segment) {
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
  static String encodeSegment(String name) {
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
