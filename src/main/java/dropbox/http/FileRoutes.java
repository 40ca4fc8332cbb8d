package dropbox.http;

import dropbox.bus.CommitResult;
import dropbox.bus.FileNames;
import dropbox.bus.Preconditions;
import dropbox.bus.SmallUploads;
import dropbox.bus.StorageClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The file endpoints: list, upload (raw PUT and multipart POST), download link, delete. */
final class FileRoutes {
  static final String NAME = "dropbox.fileName";
  static final String KIND = "dropbox.fileKind";

  private static final Set<HttpMethod> ITEM_METHODS =
      Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.PUT, HttpMethod.DELETE);

  private final Vertx vertx;
  private final StorageClient storage;
  private final TokenStore links;
  private final SmallUploads small;
  /** storage.inlineMaxBytes: a multipart request no longer than this has every part sent in one command. */
  private final long smallMax;

  FileRoutes(Vertx vertx, StorageClient storage, TokenStore links, SmallUploads small, long smallMax) {
    this.vertx = vertx;
    this.storage = storage;
    this.links = links;
    this.small = small;
    this.smallMax = smallMax;
  }

  /**
   * Runs before authentication on every request: under /api/files/ the name comes from the raw path,
   * and a wrong method (405) or an invalid name (400) is answered here, since the router, which sees the
   * normalised path, could send "/api/files/.." anywhere.
   */
  static void guard(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    FilePath.Parsed p = FilePath.parse(req.path(), req.method());
    if (p == null) {
      ctx.next();
      return;
    }
    boolean allowed = p.kind() == FilePath.Kind.ITEM ? ITEM_METHODS.contains(req.method()) : req.method() == HttpMethod.POST;
    if (!allowed) {
      // Only an item's method can be wrong (a LINK is a POST). A path ending in /link is also the link of
      // the file before it, so POST is allowed there too.
      ctx.response().putHeader("Allow", req.path().substring(FilePath.PREFIX.length()).endsWith(FilePath.LINK_SUFFIX) ? "GET, HEAD, PUT, DELETE, POST"
          : "GET, HEAD, PUT, DELETE");
      HttpVerticle.refuse(ctx, new HttpFailure(405, "method_not_allowed", "Method " + req.method() + " is not allowed here"));
      return;
    }
    if (p.name() == null) {
      HttpVerticle.refuse(ctx, HttpFailure.badRequest("Invalid file name or path"));
      return;
    }
    ctx.put(NAME, p.name());
    ctx.put(KIND, p.kind());
    ctx.next();
  }

  /**
   * GET /api/files: every file of the tree (name = full path). With limit or cursor, one page of it and the
   * cursor of the next ("cursor": null after the last), like a folder listing.
   */
  void list(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    if (req.getParam("limit") != null || req.getParam("cursor") != null) {
      int limit;
      try {
        limit = FolderRoutes.limit(req);
      } catch (HttpFailure f) {
        HttpErrors.send(ctx, f);
        return;
      }
      storage.listPage(user(ctx), limit, req.getParam("cursor"), AccountRoutes.priority(ctx)).onSuccess(l -> {
        JsonArray files = new JsonArray();
        l.files().forEach(f -> files.add(Json.file(f)));
        AccountRoutes.sendJson(ctx, 200, new JsonObject().put("files", files).put("cursor", l.cursor())
            .put("usage", Json.usage(l.usage())));
      }).onFailure(err -> HttpErrors.send(ctx, err));
      return;
    }
    storage.list(user(ctx), AccountRoutes.priority(ctx)).onSuccess(l -> {
      JsonArray files = new JsonArray();
      l.files().forEach(f -> files.add(Json.file(f)));
      AccountRoutes.sendJson(ctx, 200, new JsonObject().put("files", files).put("usage", Json.usage(l.usage())));
    }).onFailure(err -> HttpErrors.send(ctx, err));
  }

  void put(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    long size;
    Preconditions pre;
    try {
      size = bodySize(req);
      pre = preconditions(req);
    } catch (HttpFailure f) {
      HttpVerticle.refuse(ctx, f);
      return;
    }
    boolean expectContinue = "100-continue".equalsIgnoreCase(req.getHeader("Expect"));
    // A client that waits for 100 is owed the quota's answer before it sends (rest-api.md): only the
    // streamed path's reservation gives it; the one-command path checks the quota after the body.
    Upload up = new Upload(vertx, storage, user(ctx), ctx.get(NAME), size, pre, AccountRoutes.priority(ctx),
        expectContinue ? null : small);
    ctx.response().closeHandler(v -> up.cancel());
    up.open()
        .compose(v -> expectContinue ? ctx.response().writeContinue() : Future.<Void>succeededFuture())
        .compose(v -> up.transfer(req))
        .onSuccess(r -> AccountRoutes.sendJson(ctx, r.created() ? 201 : 200, Json.file(r.file())))
        .onFailure(err -> answerUploadFailure(ctx, err));
  }

  void postMultipart(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    String type = req.getHeader("Content-Type");
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
      HttpVerticle.refuse(ctx, HttpFailure.badRequest("Send multipart/form-data with one or more 'file' parts"));
      return;
    }
    new MultipartUpload(ctx).start();
  }

  /**
   * The parts of one multipart request. Each part is staged as the decoder delivers it, and none is
   * committed before the whole form has arrived with its close delimiter: a refused part (a bad name,
   * the quota while streaming), a form cut short or a client that leaves then stores nothing. The
   * commits then run one after another, in the form's order; one that fails (rare: the quota of inline
   * parts, which is checked at their commit, or a folder created at the path meanwhile) stops the rest,
   * and the parts committed before it stay.
   */
  private final class MultipartUpload {
    private final RoutingContext ctx;
    private final List<Upload> parts = new ArrayList<>();
    private final List<Future<Void>> arrivals = new ArrayList<>();
    private boolean failed;
    /** The whole body arrived. */
    private boolean ended;
    /** The parts are being committed, in order (they hold their bytes until then). */
    private boolean committing;
    /** A small request (Content-Length up to smallMax): its budget, taken once for all its parts, else -1. */
    private long smallTaken = -1;

    MultipartUpload(RoutingContext ctx) { this.ctx = ctx; }

    void start() {
      HttpServerRequest req = ctx.request();
      long length = announcedLength(req);
      if (length >= 0 && length <= smallMax && small.tryTake(length)) {
        smallTaken = length;
        ctx.response().endHandler(v -> releaseSmall());
      }
      req.setExpectMultipart(true);
      CloseDelimiter close = CloseDelimiter.forContentType(req.getHeader("Content-Type"));
      req.handler(chunk -> { // the raw body, beside the decoder: only to see the close delimiter go by
        if (close != null) close.feed(chunk);
      });
      req.uploadHandler(part -> {
        part.pause();
        if (failed || !"file".equals(part.name())) {
          part.handler(b -> { });
          part.resume();
          return;
        }
        String name = part.filename();
        if (!FileNames.isValid(name)) {
          // Never echo the refused name raw: it may hold the very controls (bidi, C1) that made it invalid.
          fail(HttpFailure.badRequest("Invalid file name in a multipart part"));
          return;
        }
        if (name.indexOf('\uFFFD') >= 0) {
          // The form decoder hands out part headers already decoded, malformed UTF-8 replaced by U+FFFD; a
          // real U+FFFD cannot be told from one, and storing the replacement would rename the file.
          fail(HttpFailure.badRequest("Invalid file name in a multipart part: not valid UTF-8 (or U+FFFD, which a form cannot carry)"));
          return;
        }
        Upload up = smallTaken >= 0
            ? Upload.bufferedPart(vertx, storage, user(ctx), name, AccountRoutes.priority(ctx), smallTaken)
            : new Upload(vertx, storage, user(ctx), name, -1, Preconditions.NONE, AccountRoutes.priority(ctx));
        parts.add(up);
        Future<Void> in = up.open().compose(v -> up.receive(part));
        arrivals.add(in);
        in.onFailure(this::fail);
      });
      req.exceptionHandler(err -> {
        if (tooManyParts(err)) {
          // Vert.x's decoder stops at its field limit: a bound on what one form may hold, not a broken upload.
          fail(new HttpFailure(413, "too_large", "A form holds at most " + HttpServerOptions.DEFAULT_MAX_FORM_FIELDS
              + " parts; send the files in several forms"));
        } else {
          dropUncommitted();
        }
      });
      ctx.response().closeHandler(v -> {
        // A client that sent the whole form and left is like a PUT whose bytes are all in: the commits go
        // on, and hold their bytes (and so the budget) until they end.
        if (!ended) dropUncommitted();
        if (!committing) releaseSmall();
      });
      req.endHandler(v -> {
        ended = true;
        if (failed) return;
        if (close == null || !close.seen()) {
          // The decoder never ends a part cut off before the close delimiter: nothing would answer.
          fail(HttpFailure.badRequest("The form ends inside a part (no closing boundary)"));
          return;
        }
        if (parts.isEmpty()) {
          HttpErrors.send(ctx, HttpFailure.badRequest("The form has no 'file' part"));
          return;
        }
        committing = true;
        Future.all(arrivals).compose(all -> commitInOrder()).onComplete(ar -> {
          committing = false;
          releaseSmall(); // every part is committed or dropped: nothing of the body is held any more
        }).onSuccess(files -> AccountRoutes.sendJson(ctx, 201, new JsonObject().put("files", files)));
      });
      req.resume();
    }

    /** Every part is in: commits them one after another; the first failure answers and drops the rest. */
    private Future<JsonArray> commitInOrder() {
      JsonArray files = new JsonArray();
      Future<Void> chain = Future.succeededFuture();
      for (Upload up : parts) {
        chain = chain.compose(v -> up.commitHeld().map(r -> {
          files.add(Json.file(r.file()));
          return null;
        }));
      }
      return chain.map(v -> files).onFailure(this::fail);
    }

    /**
     * Gives the budget back once nothing of the body is held: when the commits have ended, when the answer
     * is out (a refusal), or when the connection is gone with no commit running. Idempotent, and always
     * on this request's event loop.
     */
    private void releaseSmall() {
      if (smallTaken >= 0) small.release(smallTaken);
      smallTaken = -1;
    }

    private static boolean tooManyParts(Throwable err) {
      for (Throwable t = err; t != null; t = t.getCause()) {
        if (t instanceof HttpPostRequestDecoder.TooManyFormFieldsException) return true;
      }
      return false;
    }

    /** Parts still streaming or held are dropped; a commit already running goes on. */
    private void dropUncommitted() {
      for (Upload up : parts) up.cancel();
    }

    private void fail(Throwable err) {
      if (failed) return;
      failed = true;
      dropUncommitted();
      answerUploadFailure(ctx, err);
    }
  }

  void link(RoutingContext ctx) {
    String name = ctx.get(NAME);
    String user = user(ctx);
    JsonObject grant = new JsonObject().put("user", user).put("name", name);
    // A link made in a session ends with it: a user who logs out expects what the session handed out to
    // stop working too, not up to 60 s later (Authenticator checks it when the link is followed).
    String session = ctx.get(Authenticator.TOKEN);
    if (session != null) grant.put(Authenticator.LINK_SESSION, session);
    // A link to nothing (or to a folder) would only fail when followed: say so now (404).
    storage.openDownload(user, name, AccountRoutes.priority(ctx))
        .compose(h -> links.create(grant)).onSuccess(e -> {
      String url = "/api/files/" + FilePath.encodePath(name) + "?dl=" + e.token();
      AccountRoutes.sendJson(ctx, 200, new JsonObject().put("url", url).put("expiresAt", Json.time(e.expiresAt())));
    }).onFailure(err -> HttpErrors.send(ctx, err));
  }

  void download(RoutingContext ctx) {
    storage.openDownload(user(ctx), ctx.get(NAME), AccountRoutes.priority(ctx))
        .onSuccess(h -> Download.serve(ctx, h))
        .onFailure(err -> HttpErrors.send(ctx, err));
  }

  void delete(RoutingContext ctx) {
    storage.delete(user(ctx), ctx.get(NAME), AccountRoutes.priority(ctx))
        .onSuccess(f -> ctx.response().setStatusCode(204).end())
        .onFailure(err -> HttpErrors.send(ctx, err));
  }

  private static String user(RoutingContext ctx) { return ctx.get(Authenticator.USER); }

  /** After a failed upload the body may be unread: refuse() closes (or drains) as needed. */
  static void answerUploadFailure(RoutingContext ctx, Throwable err) {
    HttpVerticle.refuse(ctx, HttpErrors.toFailure(err));
  }

  /** The Content-Length of a request that has one and is not chunked, else -1. */
  private static long announcedLength(HttpServerRequest req) {
    if (req.getHeader("Transfer-Encoding") != null) return -1;
    try {
      return Upload.bodySize(req);
    } catch (HttpFailure f) {
      return -1;
    }
  }

  /** Content-Length, or -1 for a chunked body (shared with WebDAV's PUT: Upload). */
  static long bodySize(HttpServerRequest req) { return Upload.bodySize(req); }

  /** If-None-Match: * and If-Match: "<sha256>" (shared with WebDAV's PUT: Upload). */
  static Preconditions preconditions(HttpServerRequest req) { return Upload.preconditions(req); }
}
