package dropbox.dav;

import dropbox.Config;
import dropbox.bus.SmallUploads;
import dropbox.bus.StorageClient;
import dropbox.http.Authenticator;
import dropbox.http.Download;
import dropbox.http.HttpErrors;
import dropbox.http.HttpFailure;
import dropbox.http.HttpVerticle;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;

/**
 * Every request under /dav/: authenticated as REST's are (http.Authenticator: Bearer, Basic with the
 * login throttle), its path decoded strictly, then one method's handler. The tree is the user's v2 tree,
 * reached only through the bus (StorageClient), so every change publishes the same events as REST and TCP.
 */
final class DavHandler implements Handler<RoutingContext> {
  private final StorageClient storage;
  private final Authenticator authn;
  private final boolean refuseMac;
  /** How long an XML body read whole may take to arrive (http.headerTimeoutSeconds). */
  private final long bodyMillis;
  private final SmallUploads small;

  DavHandler(StorageClient storage, Authenticator authn, JsonObject config) {
    this.storage = storage;
    this.authn = authn;
    this.refuseMac = Config.bool(config, "dav.refuseMacMetadata");
    this.small = new SmallUploads(Config.inlineMaxBytes(config), Config.quotaPolicy(config));
    this.bodyMillis = TimeUnit.SECONDS.toMillis(Config.integer(config, "http.headerTimeoutSeconds"));
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    ctx.response().putHeader("DAV", "1, 2, 3").putHeader("MS-Author-Via", "DAV");
    if (req.method() == HttpMethod.OPTIONS) {
      // Before authentication: Windows and macOS probe the capabilities first; nothing here is private.
      ctx.response().putHeader("Allow", Dav.ALLOW).putHeader("Content-Length", "0").end();
      return;
    }
    String path = DavPath.fromRaw(req.path());
    if (path == null) {
      HttpVerticle.refuse(ctx, HttpFailure.badRequest("Invalid path"));
      return;
    }
    authn.authenticate(ctx).onSuccess(user -> dispatch(new DavRequest(ctx, user, path, storage)))
        .onFailure(err -> HttpVerticle.refuse(ctx, HttpErrors.toFailure(err)));
  }

  private void dispatch(DavRequest r) {
    HttpMethod m = r.ctx.request().method();
    switch (m.name()) {
      case "GET", "HEAD" -> get(r);
      case "PUT" -> new DavPut(r, refuseMac, small).run();
      case "PROPFIND" -> {
        HttpVerticle.smallBodyDeadline(r.ctx, bodyMillis); // an XML body, read whole (XmlBody)
        new Propfind(r).run();
      }
      case "PROPPATCH" -> {
        HttpVerticle.smallBodyDeadline(r.ctx, bodyMillis);
        new Proppatch(r).run();
      }
      case "MKCOL" -> mkcol(r);
      case "DELETE" -> delete(r);
      case "COPY" -> new CopyMove(r, false, refuseMac).run();
      case "MOVE" -> new CopyMove(r, true, refuseMac).run();
      case "LOCK" -> {
        HttpVerticle.smallBodyDeadline(r.ctx, bodyMillis);
        new Locking(r).lock();
      }
      case "UNLOCK" -> new Locking(r).unlock();
      default -> {
        r.ctx.response().putHeader("Allow", Dav.ALLOW);
        r.fail(405, "method_not_allowed", "Method " + m.name() + " is not allowed here");
      }
    }
  }

  /** A file: REST's download (Range, ETag, conditional, attachment). A folder: a short text page. */
  private void get(DavRequest r) {
    r.stat(r.path).onSuccess(e -> {
      if (e == null) {
        r.fail(404, "not_found", "Nothing at this path");
      } else if (e.folder()) {
        String body = "WebDAV folder /" + r.path + "\n";
        r.ctx.response().putHeader("Content-Type", "text/plain; charset=utf-8")
            .putHeader("ETag", DavRequest.etag(e)).putHeader("X-Content-Type-Options", "nosniff");
        if (r.ctx.request().method() == HttpMethod.HEAD) {
          r.ctx.response().putHeader("Content-Length", Integer.toString(body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length)).end();
        } else {
          r.ctx.response().end(body);
        }
      } else {
        r.storage().openDownload(r.user, r.path, r.prio).onSuccess(h -> Download.serve(r.ctx, h)).onFailure(r::fail);
      }
    }).onFailure(r::fail);
  }

  /** MKCOL (RFC 4918 9.3): 201; 405 when something is there; 409 without a parent; 415 with a body. */
  private void mkcol(DavRequest r) {
    HttpServerRequest req = r.ctx.request();
    String cl = req.getHeader("Content-Length");
    if (req.getHeader("Transfer-Encoding") != null || (cl != null && !cl.trim().equals("0"))) {
      r.fail(415, "unsupported_media_type", "MKCOL with a body is not supported");
      return;
    }
    if (r.path.isEmpty()) {
      r.fail(405, "method_not_allowed", "The root folder exists");
      return;
    }
    if (refuseMac && DavPath.isMacMetadata(r.path)) {
      r.fail(403, "forbidden", "macOS metadata files are not stored here");
      return;
    }
    r.checkIf().compose(v -> r.stat(r.path)).compose(existing -> {
      if (existing != null) {
        r.fail(405, "method_not_allowed", "Something already exists at this path");
        return Future.succeededFuture();
      }
      return r.stat(DavPath.parent(r.path)).compose(parent -> {
        if (parent == null || !parent.folder()) {
          r.fail(409, "conflict", "The parent folder does not exist");
          return Future.succeededFuture();
        }
        return r.storage().mkdir(r.user, r.path, r.prio).onSuccess(x -> r.ctx.response().setStatusCode(201).end());
      });
    }).onFailure(r::fail);
  }

  /** DELETE (RFC 4918 9.6): a file, or a folder with everything in it; its locks go with it. */
  private void delete(DavRequest r) {
    if (r.path.isEmpty()) {
      r.fail(403, "forbidden", "The root folder cannot be deleted");
      return;
    }
    r.checkIf().compose(v -> r.stat(r.path)).compose(e -> {
      if (e == null) {
        r.fail(404, "not_found", "Nothing at this path");
        return Future.succeededFuture();
      }
      Future<?> gone = e.folder() ? r.storage().rmdir(r.user, r.path, r.prio) : r.storage().delete(r.user, r.path, r.prio);
      return gone.compose(x -> r.storage().locks().forget(r.user, r.path))
          .onSuccess(x -> r.ctx.response().setStatusCode(204).end());
    }).onFailure(r::fail);
  }
}
