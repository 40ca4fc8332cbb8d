package dropbox.dav;

/** WebDAV's names: the namespace, the mount prefix, the methods we answer. */
final class Dav {
  static final String NS = "DAV:";
  static final String PREFIX = "/dav";
  static final String ALLOW = "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, MKCOL, COPY, MOVE, LOCK, UNLOCK";
  static final String XML = "application/xml; charset=utf-8";

  private Dav() {}
}
