package dropbox.dav;

/** WebDAV's names: the namespace, the mount prefix, the methods we answer. */
final class Dav {
  static final String NS = "DAV:";
  static final String PREFIX = "/dav";
  static final String ALLOW = "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, MKCOL, COPY, MOVE, LOCK, UNLOCK";

  /** The Allow header of a 405 for this method: every method of {@link #ALLOW} but it. */
  static String allowExcept(String method) {
    return java.util.Arrays.stream(ALLOW.split(", ")).filter(m -> !m.equals(method))
        .collect(java.util.stream.Collectors.joining(", "));
  }
  static final String XML = "application/xml; charset=utf-8";

  private Dav() {}
}
