package dropbox.dav;

import dropbox.bus.PathLock;
import dropbox.bus.Preconditions;
import dropbox.http.HttpFailure;
import dropbox.http.Upload;
import io.vertx.core.Future;
import java.util.List;
import java.util.Locale;

/**
 * LOCK and UNLOCK (RFC 4918 9.10, 9.11) on the cluster-wide lock table (bus.PathLocks): exclusive and
 * shared write locks, Depth 0 or infinity, Timeout (capped), refresh by an empty LOCK naming the token in
 * If:, and a LOCK of an unmapped URL, which creates an empty file under the new lock (201), as
 * RFC 4918 7.3 replaced lock-null resources with.
 */
final class Locking {
  static final long DEFAULT_TIMEOUT = 3600;
  static final long MAX_TIMEOUT = 7 * 24 * 3600;

  private final DavRequest r;

  Locking(DavRequest r) { this.r = r; }

  void lock() {
    String depth = r.header("Depth");
    String d = depth == null ? "infinity" : depth.trim().toLowerCase(Locale.ROOT);
    if (!d.equals("0") && !d.equals("infinity")) {
      r.fail(400, "bad_request", "LOCK takes Depth 0 or infinity");
      return;
    }
    long timeout = timeout(r.header("Timeout"));
    XmlBody.read(r.ctx).compose(body -> {
      if (body.length == 0) return refresh(timeout);
      XmlElement root;
      try {
        root = SafeXml.parse(body);
      } catch (SafeXml.Malformed e) {
        throw HttpFailure.badRequest(e.getMessage());
      }
      if (!root.isDav("lockinfo")) throw HttpFailure.badRequest("The body must be a DAV:lockinfo");
      XmlElement scope = root.child("lockscope");
      boolean exclusive = scope == null || scope.child("shared") == null;
      XmlElement owner = root.child("owner");
      String ownerXml = owner == null ? "" : owner.innerXml();
      return r.checkIf().compose(v -> r.stat(r.path)).compose(existing -> {
        if (existing == null && !r.path.isEmpty()) {
          return r.stat(DavPath.parent(r.path)).compose(parent -> {
            if (parent == null || !parent.folder()) {
              r.fail(409, "conflict", "The parent folder does not exist");
              return Future.succeededFuture();
            }
            return take(exclusive, d.equals("infinity"), ownerXml, timeout, true);
          });
        }
        return take(exclusive, d.equals("infinity") && existing.folder(), ownerXml, timeout, false);
      });
    }).onFailure(r::fail);
  }

  private Future<Void> take(boolean exclusive, boolean infinite, String owner, long timeout, boolean create) {
    return r.storage().locks().lock(r.user, r.path, exclusive, infinite, owner, timeout).compose(l -> {
      if (!create) {
        answer(200, l);
        return Future.succeededFuture();
      }
      Upload up = new Upload(r.ctx.vertx(), r.storage().submitting(List.of(l.token())), r.user, r.path, 0,
          Preconditions.NONE, r.prio);
      return up.open().compose(v -> up.transfer(new EmptyBody()))
          .onSuccess(c -> answer(201, l))
          .recover(err -> r.storage().locks().unlock(r.user, l.token(), r.path).transform(x -> Future.failedFuture(err)))
          .mapEmpty();
    });
  }

  /** An empty LOCK: renews the lock whose token the If header names. */
  private Future<Void> refresh(long timeout) {
    IfHeader h;
    try {
      h = IfHeader.parse(r.header("If"));
    } catch (IfHeader.Malformed e) {
      throw HttpFailure.badRequest("Malformed If header");
    }
    if (h == null || h.tokens().isEmpty()) throw HttpFailure.badRequest("A lock refresh names its token in If");
    return refreshEach(h.tokens(), 0, timeout);
  }

  private Future<Void> refreshEach(List<String> tokens, int i, long timeout) {
    if (i >= tokens.size()) {
      r.fail(412, "precondition_failed", "No such lock on this resource");
      return Future.succeededFuture();
    }
    return r.storage().locks().refresh(r.user, tokens.get(i), r.path, timeout).compose(l -> {
      if (l == null) return refreshEach(tokens, i + 1, timeout);
      answer(200, l);
      return Future.succeededFuture();
    });
  }

  private void answer(int status, PathLock l) {
    StringBuilder sb = new StringBuilder(DavXml.HEAD).append("<D:prop xmlns:D=\"DAV:\"><D:lockdiscovery>");
    LiveProps.activeLock(sb, l);
    sb.append("</D:lockdiscovery></D:prop>\n");
    r.ctx.response().setStatusCode(status).putHeader("Content-Type", Dav.XML)
        .putHeader("Lock-Token", "<" + l.token() + ">").end(sb.toString());
  }

  void unlock() {
    String h = r.header("Lock-Token");
    String token = h == null ? "" : h.trim();
    if (token.startsWith("<") && token.endsWith(">")) token = token.substring(1, token.length() - 1);
    if (token.isEmpty()) {
      r.fail(400, "bad_request", "UNLOCK needs a Lock-Token header");
      return;
    }
    r.storage().locks().unlock(r.user, token, r.path).onSuccess(ok -> {
      if (ok) r.ctx.response().setStatusCode(204).end();
      else r.failXml(409, "lock-token-matches-request-uri");
    }).onFailure(r::fail);
  }

  /** "Second-N" (the first usable entry), "Infinite" = the cap; absent = an hour. */
  static long timeout(String h) {
    if (h == null) return DEFAULT_TIMEOUT;
    for (String part : h.split(",")) {
      String t = part.trim();
      if (t.equalsIgnoreCase("Infinite")) return MAX_TIMEOUT;
      if (t.regionMatches(true, 0, "Second-", 0, 7)) {
        try {
          long n = Long.parseLong(t.substring(7));
          if (n > 0) return Math.min(n, MAX_TIMEOUT);
        } catch (NumberFormatException ignored) {
          // try the next one
        }
      }
    }
    return DEFAULT_TIMEOUT;
  }
}
