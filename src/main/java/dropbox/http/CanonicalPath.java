package dropbox.http;

import io.vertx.ext.web.RoutingContext;

/**
 * Refuses request paths that are not in canonical form ("//api/files", "/api/./me", "/api/x/../files").
 * The router matches the normalised path while other checks (which route streams its body, which name a
 * file route is about) read the raw one; letting the two disagree sent such requests to handlers with
 * half their state missing. Paths under /api/files/ and /api/folders are left to {@link FileRoutes#guard}
 * and {@link FolderRoutes#guard}, because there the raw segments are names by definition (so
 * "/api/files/.." is an invalid name, not a path, and "%c3%a9" is as good as "%C3%A9").
 */
final class CanonicalPath {
  private CanonicalPath() {}

  static void check(RoutingContext ctx) {
    String raw = ctx.request().path();
    if (raw != null && (raw.startsWith(FilePath.PREFIX) || FilePath.folder(raw) != null)) {
      ctx.next();
      return;
    }
    String normalized;
    try {
      normalized = ctx.normalizedPath();
    } catch (IllegalArgumentException malformedEscape) {
      // "/%zz", "/a%": Vert.x's normaliser throws on a bad percent escape. Left to the router, that became a
      // 500 with a stack trace at ERROR for every such request: a client mistake, so a plain 400.
      HttpVerticle.refuse(ctx, HttpFailure.badRequest("The request path has a malformed percent escape"));
      return;
    }
    if (raw != null && raw.equals(normalized)) {
      ctx.next();
      return;
    }
    HttpVerticle.refuse(ctx, HttpFailure.badRequest("The request path is not in canonical form"));
  }
}
