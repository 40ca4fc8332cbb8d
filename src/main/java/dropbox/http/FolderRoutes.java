package dropbox.http;

import dropbox.bus.FolderEntry;
import dropbox.bus.FolderSort;
import dropbox.bus.StorageClient;
import dropbox.bus.StorageException;
import dropbox.bus.TreePath;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * The folder endpoints of rest-api.md "Folders (v2)": list a folder (paged, sorted), create one, delete one
 * with everything in it, and move or copy a file or folder. Paths come from the raw request path (see
 * {@link FilePath}); every rule beyond their syntax is storage's, so v1 answers its own 400.
 */
final class FolderRoutes {
  static final String PATH = "dropbox.folderPath";
  /** Default page size of a folder listing (and of GET /api/files with a cursor but no limit). */
  static final int DEFAULT_LIMIT = 1000;

  private static final Set<HttpMethod> ITEM_METHODS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.PUT, HttpMethod.DELETE);

  private final StorageClient storage;

  FolderRoutes(StorageClient storage) { this.storage = storage; }

  /**
   * Before authentication, like {@link FileRoutes#guard}: under /api/folders the path is read from the raw
   * request path; a wrong method is 405 and an invalid path 400 whatever the router would make of it.
   */
  static void guard(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    FilePath.Parsed p = FilePath.folder(req.path());
    if (p == null) {
      ctx.next();
      return;
    }
    if (!ITEM_METHODS.contains(req.method())) {
      ctx.response().putHeader("Allow", "GET, HEAD, PUT, DELETE");
      HttpVerticle.refuse(ctx, new HttpFailure(405, "method_not_allowed", "Method " + req.method() + " is not allowed here"));
      return;
    }
    if (p.name() == null) {
      HttpVerticle.refuse(ctx, HttpFailure.badRequest("Invalid folder path"));
      return;
    }
    ctx.put(PATH, p.name());
    ctx.next();
  }

  /** GET /api/folders/{path}?limit=&cursor=&sort=&order= */
  void list(RoutingContext ctx) {
    String path = ctx.get(PATH);
    HttpServerRequest req = ctx.request();
    int limit;
    FolderSort sort;
    try {
      limit = limit(req);
      sort = FolderSort.parse(req.getParam("sort"), req.getParam("order"));
    } catch (HttpFailure | StorageException e) {
      HttpErrors.send(ctx, e);
      return;
    }
    storage.listFolder(user(ctx), path, limit, req.getParam("cursor"), sort, AccountRoutes.priority(ctx)).onSuccess(page -> {
      JsonArray entries = new JsonArray();
      for (FolderEntry e : page.entries()) entries.add(Json.entry(e, e.info().name()));
      AccountRoutes.sendJson(ctx, 200, new JsonObject().put("path", page.path()).put("entries", entries)
          .put("cursor", page.cursor()).put("usage", Json.usage(page.usage())));
    }).onFailure(err -> HttpErrors.send(ctx, err));
  }

  /** PUT /api/folders/{path}: 201 made (with its missing parents), 200 already there. */
  void create(RoutingContext ctx) {
    String path = ctx.get(PATH);
    HttpServerRequest req = ctx.request();
    // Like every PUT the request arrives paused and unread. A folder has no content: the folder is made once
    // the (empty) request has ended, and a body is refused at its first byte (refuse() drains or closes).
    // Waiting for the end rather than trusting Content-Length also covers HTTP/2, where an empty request
    // may simply come without one.
    if (req.isEnded()) {
      mkdir(ctx, path);
      return;
    }
    boolean[] refused = {false};
    req.handler(b -> {
      if (b.length() == 0 || refused[0]) return;
      refused[0] = true;
      HttpVerticle.refuse(ctx, HttpFailure.badRequest("A folder is created without a body"));
    });
    req.endHandler(v -> {
      if (!refused[0]) mkdir(ctx, path);
    });
    req.resume();
  }

  private void mkdir(RoutingContext ctx, String path) {
    storage.mkdir(user(ctx), path, AccountRoutes.priority(ctx))
        .onSuccess(r -> AccountRoutes.sendJson(ctx, r.created() ? 201 : 200,
            Json.entry(new FolderEntry(true, r.file()), path).put("path", path)))
        .onFailure(err -> HttpErrors.send(ctx, err));
  }

  /** DELETE /api/folders/{path}: the folder and everything in it, in one transaction. */
  void delete(RoutingContext ctx) {
    storage.rmdir(user(ctx), ctx.get(PATH), AccountRoutes.priority(ctx))
        .onSuccess(v -> ctx.response().setStatusCode(204).end())
        .onFailure(err -> HttpErrors.send(ctx, err));
  }

  /** POST /api/move {"from","to","overwrite"}: 200 with the entry under its new path. */
  void move(RoutingContext ctx) {
    Transfer t = transfer(ctx);
    if (t == null) return;
    storage.move(user(ctx), t.from, t.to, t.overwrite, AccountRoutes.priority(ctx))
        .onSuccess(e -> AccountRoutes.sendJson(ctx, 200, Json.entry(e, t.to).put("path", t.to)))
        .onFailure(err -> HttpErrors.send(ctx, err));
  }

  /** POST /api/copy {"from","to","overwrite"}: 201 with the new entry; its bytes count against the quota. */
  void copy(RoutingContext ctx) {
    Transfer t = transfer(ctx);
    if (t == null) return;
    storage.copy(user(ctx), t.from, t.to, t.overwrite, AccountRoutes.priority(ctx))
        .onSuccess(e -> AccountRoutes.sendJson(ctx, 201, Json.entry(e, t.to).put("path", t.to)))
        .onFailure(err -> HttpErrors.send(ctx, err));
  }

  private record Transfer(String from, String to, boolean overwrite) {}

  private static final java.util.Set<String> TRANSFER_FIELDS = java.util.Set.of("from", "to", "overwrite");

  /** The JSON body of move/copy, or null after answering 400. Paths follow TreePath (bus), as over TCP. */
  private static Transfer transfer(RoutingContext ctx) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      body = null;
    }
    String problem = null;
    if (body == null) {
      problem = "Send a JSON object {\"from\", \"to\", \"overwrite\"}";
    } else if (!TRANSFER_FIELDS.containsAll(body.fieldNames())) {
      // A misspelt "overwrite" ("overwite": true) silently meaning false would be worse than an error.
      problem = "Unknown field: the body is {\"from\", \"to\", \"overwrite\"} only";
    } else if (!(body.getValue("from") instanceof String from) || !(body.getValue("to") instanceof String to)) {
      problem = "from and to must both be strings (paths such as \"docs/a.txt\")";
    } else if (!TreePath.isValid(from) || !TreePath.isValid(to)) {
      problem = "Invalid path";
    } else if (body.containsKey("overwrite") && !(body.getValue("overwrite") instanceof Boolean)) {
      // Absent means false; null, 0 or "yes" is a client that meant something and gets told.
      problem = "overwrite must be true or false";
    } else {
      return new Transfer(from, to, Boolean.TRUE.equals(body.getValue("overwrite")));
    }
    HttpErrors.send(ctx, HttpFailure.badRequest(problem));
    return null;
  }

  /**
   * The page size of a listing: default 1000; not a number is 400 here, and the range (1-10000) is storage's
   * rule, so every front end and engine refuses the same values with the same message.
   */
  static int limit(HttpServerRequest req) {
    String v = req.getParam("limit");
    if (v == null) return DEFAULT_LIMIT;
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw HttpFailure.badRequest("limit must be 1-10000");
    }
  }

  private static String user(RoutingContext ctx) { return ctx.get(Authenticator.USER); }
}
