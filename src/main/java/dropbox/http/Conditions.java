package dropbox.http;

import io.vertx.core.http.HttpServerRequest;

/**
 * The conditional requests of a download (RFC 9110 13.2.2), evaluated in the RFC's order against the
 * file's strong ETag (its quoted sha256) and Last-Modified (compared in whole seconds, the resolution of
 * an HTTP date): If-Match, else If-Unmodified-Since (412 when they fail); then If-None-Match, else
 * If-Modified-Since (304); If-Range decides whether a Range applies. A field whose value is not valid is
 * ignored, as the RFC says for dates; an If-Modified-Since later than now is ignored too (RFC 7232's
 * "invalid"), so a client's clock ahead of ours never hides a change.
 */
final class Conditions {
  enum Outcome { PROCEED, NOT_MODIFIED, PRECONDITION_FAILED }

  private Conditions() {}

  static Outcome evaluate(HttpServerRequest req, String etag, long modifiedMillis, long nowMillis) {
    long modified = Math.floorDiv(modifiedMillis, 1000L);
    String ifMatch = req.getHeader("If-Match");
    if (ifMatch != null) {
      if (!matches(ifMatch, etag, false)) return Outcome.PRECONDITION_FAILED;
    } else {
      long since = HttpDate.parse(req.getHeader("If-Unmodified-Since"));
      if (since >= 0 && modified > Math.floorDiv(since, 1000L)) return Outcome.PRECONDITION_FAILED;
    }
    String ifNoneMatch = req.getHeader("If-None-Match");
    if (ifNoneMatch != null) {
      if (matches(ifNoneMatch, etag, true)) return Outcome.NOT_MODIFIED;
    } else {
      long since = HttpDate.parse(req.getHeader("If-Modified-Since"));
      if (since >= 0 && since <= nowMillis && modified <= Math.floorDiv(since, 1000L)) return Outcome.NOT_MODIFIED;
    }
    return Outcome.PROCEED;
  }

  /** Whether a Range applies: no If-Range, or one naming this ETag (strongly) or exactly this Last-Modified. */
  static boolean rangeApplies(String ifRange, String etag, long modifiedMillis) {
    if (ifRange == null) return true;
    String v = ifRange.trim();
    if (v.startsWith("\"") || v.startsWith("W/")) return v.equals(etag); // a weak tag never matches here
    long date = HttpDate.parse(v);
    return date >= 0 && Math.floorDiv(date, 1000L) == Math.floorDiv(modifiedMillis, 1000L);
  }

  /**
   * "*" or a list of entity tags against ours: If-None-Match compares weakly (W/"x" matches "x"), If-Match
   * strongly (a weak tag never matches).
   */
  static boolean matches(String header, String etag, boolean weak) {
    for (String t : header.split(",")) {
      String v = t.trim();
      if (v.equals("*")) return true;
      if (v.startsWith("W/")) {
        if (!weak) continue;
        v = v.substring(2);
      }
      if (v.equals(etag)) return true;
    }
    return false;
  }
}
