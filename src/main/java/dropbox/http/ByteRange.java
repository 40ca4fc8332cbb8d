package dropbox.http;

/**
 * One byte range of a Range header, resolved against a file size (RFC 9110 14.1). Only a single range is
 * served as 206; several ranges get the whole body, as the spec allows.
 */
record ByteRange(long start, long endInclusive) {

  long length() { return endInclusive - start + 1; }

  enum Outcome { IGNORE, WHOLE, PARTIAL, UNSATISFIABLE }

  record Result(Outcome outcome, ByteRange range) {}

  /**
   * IGNORE for an absent or malformed header or another unit (answer 200), WHOLE for several ranges,
   * PARTIAL with the range, UNSATISFIABLE when it cannot be served (416).
   */
  static Result parse(String header, long size) {
    if (header == null) return new Result(Outcome.IGNORE, null);
    String h = header.trim();
    if (!h.regionMatches(true, 0, "bytes=", 0, 6)) return new Result(Outcome.IGNORE, null);
    String spec = h.substring(6).trim();
    if (spec.isEmpty()) return new Result(Outcome.IGNORE, null);
    if (spec.indexOf(',') >= 0) {
      // Still reject garbage so a malformed list is ignored rather than half-read.
      for (String part : spec.split(",", -1)) if (parseOne(part.trim(), Long.MAX_VALUE) == null) {
        return new Result(Outcome.IGNORE, null);
      }
      return new Result(Outcome.WHOLE, null);
    }
    long[] r = parseOne(spec, size);
    if (r == null) return new Result(Outcome.IGNORE, null);
    if (r.length == 0) return new Result(Outcome.UNSATISFIABLE, null);
    return new Result(Outcome.PARTIAL, new ByteRange(r[0], r[1]));
  }

  /** null = malformed; empty = well-formed but unsatisfiable; else {start, end}. */
  private static long[] parseOne(String s, long size) {
    int dash = s.indexOf('-');
    if (dash < 0) return null;
    String a = s.substring(0, dash).trim();
    String b = s.substring(dash + 1).trim();
    if (a.isEmpty()) {
      if (b.isEmpty() || !digits(b)) return null;
      long n = number(b);
      if (n == 0 || size == 0) return new long[0];
      long len = Math.min(n, size);
      return new long[] {size - len, size - 1};
    }
    if (!digits(a) || (!b.isEmpty() && !digits(b))) return null;
    long first = number(a);
    long last = b.isEmpty() ? Long.MAX_VALUE : number(b);
    if (last < first) return null;
    if (first >= size) return new long[0];
    return new long[] {first, Math.min(last, size - 1)};
  }

  /**
   * A run of digits; one too long for a long is beyond any file all the same (RFC 9110 14.1.1: a last
   * position past the end means the end, a first position past it is unsatisfiable), so it counts as
   * Long.MAX_VALUE rather than making the whole header malformed.
   */
  private static long number(String digits) {
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  private static boolean digits(String s) {
    for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
    return true;
  }
}
