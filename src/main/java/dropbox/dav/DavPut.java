package dropbox.dav;

import dropbox.bus.CommitResult;
import dropbox.bus.Preconditions;
import dropbox.bus.SmallUploads;
import dropbox.http.HttpFailure;
import dropbox.http.HttpVerticle;
import dropbox.http.Upload;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;

/**
 * PUT: REST's streamed upload (http.Upload: quota reserved before the body, 507 up front when the
 * announced size cannot fit, chunked bodies reserved step by step), plus what WebDAV adds: the parent
 * must exist (409), X-Expected-Entity-Length stands in for the length of a chunked body (macOS Finder),
 * and X-OC-Mtime sets the file's modified time (rclone, ownCloud clients). A small body goes to storage
 * in one command as REST's does (Upload, bus/SmallUploads).
 */
final class DavPut {
  private final DavRequest r;
  private final boolean refuseMac;
  private final SmallUploads small;

  DavPut(DavRequest r, boolean refuseMac, SmallUploads small) {
    this.r = r;
    this.refuseMac = refuseMac;
    this.small = small;
  }

  void run() {
    HttpServerRequest req = r.ctx.request();
    if (r.path.isEmpty()) {
      r.fail(405, "method_not_allowed", "The root folder cannot be replaced by a file");
      return;
    }
    if (refuseMac && DavPath.isMacMetadata(r.path)) {
      r.fail(403, "forbidden", "macOS metadata files are not stored here");
      return;
    }
    long size;
    Preconditions pre;
    Long mtime;
    try {
      size = Upload.bodySize(req);
      if (size < 0) size = expectedLength(req.getHeader("X-Expected-Entity-Length"));
      pre = Upload.preconditions(req);
      mtime = mtime(req.getHeader("X-OC-Mtime"));
    } catch (HttpFailure f) {
      HttpVerticle.refuse(r.ctx, f);
      return;
    }
    long announced = size;
    r.checkIf().compose(v -> r.stat(DavPath.parent(r.path))).compose(parent -> {
      if (parent == null || !parent.folder()) {
        r.fail(409, "conflict", "The parent folder does not exist");
        return Future.succeededFuture();
      }
      return r.stat(r.path).compose(existing -> {
        if (existing != null && existing.folder()) {
          r.fail(405, "method_not_allowed", "A folder is at this path");
          return Future.succeededFuture();
        }
        return upload(announced, pre, mtime);
      });
    }).onFailure(r::fail);
  }

  private Future<Void> upload(long size, Preconditions pre, Long mtime) {
    HttpServerRequest req = r.ctx.request();
    boolean expectContinue = "100-continue".equalsIgnoreCase(req.getHeader("Expect"));
    // Waiting for 100, the client is owed the quota's answer first: only the streamed path's reservation gives it.
    Upload up = new Upload(r.ctx.vertx(), r.storage(), r.user, r.path, size, pre, r.prio, expectContinue ? null : small);
    r.ctx.response().closeHandler(v -> up.cancel());
    return up.open()
        .compose(v -> expectContinue ? r.ctx.response().writeContinue() : Future.<Void>succeededFuture())
        .compose(v -> up.transfer(req))
        .compose(c -> mtime == null ? Future.succeededFuture(c)
            : r.storage().setModified(r.user, r.path, mtime, r.prio).map(f -> new CommitResult(f, c.created())))
        .onSuccess(c -> {
          if (mtime != null) r.ctx.response().putHeader("X-OC-Mtime", "accepted");
          r.ctx.response().putHeader("ETag", "\"" + c.file().sha256() + "\"")
              .setStatusCode(c.created() ? 201 : 204).end();
        })
        .mapEmpty();
  }

  private static long expectedLength(String h) {
    if (h == null) return -1;
    try {
      long n = Long.parseLong(h.trim());
      if (n < 0) throw new NumberFormatException();
      return n;
    } catch (NumberFormatException e) {
      throw HttpFailure.badRequest("Invalid X-Expected-Entity-Length");
    }
  }

  /** X-OC-Mtime: seconds since the epoch (a fraction allowed); null when absent. */
  private static Long mtime(String h) {
    if (h == null) return null;
    try {
      double s = Double.parseDouble(h.trim());
      if (!(s >= 0 && s < 1e11)) throw new NumberFormatException();
      return (long) (s * 1000);
    } catch (NumberFormatException e) {
      throw HttpFailure.badRequest("Invalid X-OC-Mtime");
    }
  }
}
