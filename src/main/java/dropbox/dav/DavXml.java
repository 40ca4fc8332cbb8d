package dropbox.dav;

import dropbox.http.HttpDate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Writing WebDAV XML: escaping, dates, the error body (RFC 4918 16). */
final class DavXml {
  static final String HEAD = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
  private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  private DavXml() {}

  /**
   * Text for XML content or an attribute. A character XML 1.0 cannot carry at all, not even as a
   * reference (U+FFFE, U+FFFF, C0 controls but tab and line feed), becomes U+FFFD, so a body is always
   * well-formed; where such a character matters (a name), the caller checks {@link #representable} first.
   */
  static void escape(StringBuilder sb, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '"' -> sb.append("&quot;");
        case '\r' -> sb.append("&#13;");
        default -> sb.append(representable(c) ? c : '\uFFFD');
      }
    }
  }

  /** Whether XML 1.0 can carry this UTF-16 unit (its Char production; surrogates come in valid pairs here). */
  static boolean representable(char c) {
    return c >= 0x20 ? c != 0xFFFE && c != 0xFFFF : c == '\t' || c == '\n' || c == '\r';
  }

  static boolean representable(String s) {
    for (int i = 0; i < s.length(); i++) if (!representable(s.charAt(i))) return false;
    return true;
  }

  static String escape(String s) {
    StringBuilder sb = new StringBuilder();
    escape(sb, s);
    return sb.toString();
  }

  /** The same text as the GET's Last-Modified (http/HttpDate). */
  static String httpDate(long millis) { return HttpDate.format(millis); }

  static String isoDate(long millis) { return ISO.format(Instant.ofEpochMilli(millis)); }

  /** A precondition/postcondition error body: {@code <D:error><D:name/></D:error>}. */
  static String error(String condition) {
    return HEAD + "<D:error xmlns:D=\"DAV:\"><D:" + condition + "/></D:error>\n";
  }
}
