package dropbox.http;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Epoch milliseconds as an HTTP date in IMF-fixdate form (RFC 9110 5.6.7: "Tue, 01 Dec 2026 16:50:37 GMT",
 * the day always two digits; also a valid RFC 1123 date for WebDAV's getlastmodified), without a
 * DateTimeFormatter's generic machinery: profiled on a 4 KiB GET, the formatter was 4 % of the event loop's
 * CPU for the one Last-Modified header. (The JDK's RFC_1123_DATE_TIME writes a one-digit day, which
 * IMF-fixdate does not allow.) Years outside 1000..9999 (never a file's time in practice) go through the
 * equivalent formatter.
 */
public final class HttpDate {
  static final DateTimeFormatter IMF_FIXDATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
  private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  private static final String[] MONTHS =
      {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

  private HttpDate() {}

  /** The current second's text, made once per second: a Date header goes on every answer. */
  private record Second(long second, String text) {}

  private static volatile Second current = new Second(-1, "");

  /** Now as an HTTP date (what a response's Date header says). */
  public static String now() {
    long millis = System.currentTimeMillis();
    long second = Math.floorDiv(millis, 1000L);
    Second c = current;
    if (c.second() != second) {
      c = new Second(second, format(millis));
      current = c;
    }
    return c.text();
  }

  public static String format(long epochMillis) {
    long secs = Math.floorDiv(epochMillis, 1000L);
    LocalDate d = LocalDate.ofEpochDay(Math.floorDiv(secs, 86_400L));
    int year = d.getYear();
    if (year < 1000 || year > 9999) return IMF_FIXDATE.format(Instant.ofEpochMilli(epochMillis));
    int sod = (int) Math.floorMod(secs, 86_400L);
    StringBuilder s = new StringBuilder(29)
        .append(DAYS[d.getDayOfWeek().ordinal()]).append(", ");
    two(s, d.getDayOfMonth()).append(' ')
        .append(MONTHS[d.getMonthValue() - 1]).append(' ')
        .append(year).append(' ');
    two(s, sod / 3600).append(':');
    two(s, sod / 60 % 60).append(':');
    return two(s, sod % 60).append(" GMT").toString();
  }

  /** RFC 850's obsolete form, "Sunday, 06-Nov-94 08:49:37 GMT" (two-digit years from 1970). */
  private static final DateTimeFormatter RFC_850 = new java.time.format.DateTimeFormatterBuilder()
      .appendPattern("EEEE, dd-MMM-").appendValueReduced(java.time.temporal.ChronoField.YEAR, 2, 2, 1970)
      .appendPattern(" HH:mm:ss 'GMT'").toFormatter(Locale.US).withZone(ZoneOffset.UTC);
  /** ANSI C's asctime() form, "Sun Nov  6 08:49:37 1994" (the day padded with a space). */
  private static final DateTimeFormatter ASCTIME =
      DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US).withZone(ZoneOffset.UTC);

  /**
   * An HTTP date in any of the three forms a recipient must accept (RFC 9110 5.6.7), as epoch
   * milliseconds; -1 when the text is none of them (a recipient then ignores the field).
   */
  public static long parse(String text) {
    if (text == null || text.length() > 64) return -1;
    String t = text.trim();
    for (DateTimeFormatter f : new DateTimeFormatter[] {IMF_FIXDATE, RFC_850, ASCTIME}) {
      try {
        return java.time.ZonedDateTime.parse(t, f).toInstant().toEpochMilli();
      } catch (java.time.format.DateTimeParseException e) {
        // the next form
      }
    }
    return -1;
  }

  private static StringBuilder two(StringBuilder s, int v) {
    return s.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
  }
}
