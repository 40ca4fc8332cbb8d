package dropbox.dav;

import dropbox.bus.ErrorCode;
import dropbox.bus.FolderEntry;
import dropbox.bus.PathLock;
import dropbox.bus.Priority;
import dropbox.bus.StorageClient;
import dropbox.bus.StorageException;
import dropbox.http.HttpErrors;
import dropbox.http.HttpFailure;
import dropbox.http.HttpVerticle;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One authenticated WebDAV request: who, which path, and the storage client that submits the lock tokens
 * of its If: header once that header has been evaluated.
 */
final class DavRequest {
  final RoutingContext ctx;
  final String user;
  final String path;
  final Priority prio;
  private StorageClient storage;

  DavRequest(RoutingContext ctx, String user, String path, StorageClient storage) {
    this.ctx = ctx;
    this.user = user;
    this.path = path;
    this.storage = storage;
    this.prio = Priority.parse(ctx.request().getHeader("X-Priority"));
  }

  StorageClient storage() { return storage; }

  String header(String name) { return ctx.request().getHeader(name); }

  /** What is at path, or null when nothing is. */
  Future<FolderEntry> stat(String p) {
    return storage.stat(user, p, prio).recover(err -> {
      StorageException se = StorageClient.toStorageException(err);
      if (se.code() == ErrorCode.NOT_FOUND || se.code() == ErrorCode.FOLDER_NOT_FOUND
          || se.code() == ErrorCode.PATH_CONFLICT) {
        return Future.succeededFuture(null);
      }
      return Future.failedFuture(se);
    });
  }

  /**
   * Evaluates the If: header (RFC 4918 10.4): 412 when no list holds; otherwise the request's changes
   * submit its lock tokens. Without the header nothing is submitted, so a locked path answers 423.
   */
  Future<Void> checkIf() {
    IfHeader h;
    try {
      h = IfHeader.parse(header("If"));
    } catch (IfHeader.Malformed e) {
      return Future.failedFuture(HttpFailure.badRequest("Malformed If header"));
    }
    if (h == null) return Future.succeededFuture();
    Map<String, String> etags = new HashMap<>();
    List<Future<?>> stats = new ArrayList<>();
    for (String r : h.resources()) {
      String p = r == null ? path : r;
      if (p.startsWith("\u0000")) continue;
      stats.add(stat(p).onSuccess(e -> etags.put(p, e == null ? null : etag(e))));
    }
    return Future.all(stats).compose(v -> storage.locks().locks(user)).compose(locks -> {
      for (IfHeader.Clause c : h.lists()) {
        String p = c.resource() == null ? path : c.resource();
        if (holds(c, p, etags.get(p), locks)) {
          storage = storage.submitting(h.tokens());
          return Future.<Void>succeededFuture();
        }
      }
      return Future.failedFuture(new HttpFailure(412, "precondition_failed", "The If header does not match"));
    });
  }

  private static boolean holds(IfHeader.Clause c, String p, String etag, List<PathLock> locks) {
    if (p.startsWith("\u0000")) return false;
    for (IfHeader.Condition d : c.conditions()) {
      boolean match;
      if (d.token() != null) {
        match = false;
        for (PathLock l : locks) if (l.token().equals(d.token()) && (l.path().equals(p) || l.covers(p))) match = true;
      } else {
        String want = d.etag().startsWith("W/") ? d.etag().substring(2) : d.etag();
        match = etag != null && etag.equals(want);
      }
      if (match == d.not()) return false;
    }
    return true;
  }

  /** A file's strong ETag (REST's: its quoted sha256); a folder's changes with its modified time. */
  static String etag(FolderEntry e) {
    return e.folder() ? "\"d" + Long.toHexString(e.info().modified()) + "\"" : "\"" + e.info().sha256() + "\"";
  }

  /** Answers a failure: a mapped storage or HTTP error; nothing when the answer was already sent. */
  void fail(Throwable err) {
    if (err instanceof XmlBody.Answered) return;
    HttpVerticle.refuse(ctx, HttpErrors.toFailure(err));
  }

  void fail(int status, String code, String message) {
    if (status == 405 && ctx.response().headers().get("Allow") == null) {
      // A method this resource refuses (MKCOL where something is, PUT on a folder): every other one is
      // allowed. RFC 9110 15.5.6: a 405 always says which.
      ctx.response().putHeader("Allow", Dav.allowExcept(ctx.request().method().name()));
    }
    HttpVerticle.refuse(ctx, new HttpFailure(status, code, message));
  }

  /** A WebDAV error with its condition element (RFC 4918 16). */
  void failXml(int status, String condition) {
    if (ctx.response().ended()) return;
    ctx.response().setStatusCode(status).putHeader("Content-Type", Dav.XML);
    if (!ctx.request().isEnded()) ctx.response().putHeader("Connection", "close");
    ctx.response().end(DavXml.error(condition));
  }
}
