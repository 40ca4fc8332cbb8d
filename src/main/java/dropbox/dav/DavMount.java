package dropbox.dav;

import dropbox.bus.StorageClient;
import dropbox.http.Authenticator;
import dropbox.http.HttpMount;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * WebDAV (RFC 4918 classes 1, 2 and 3) under /dav/ on the HTTP router: the user's tree at /dav/.
 * Needs storage.engine=v2 (folders); on v1 every request is answered 400 "Folders need storage.engine=v2".
 */
public final class DavMount implements HttpMount {
  /** The route label of every WebDAV request in the HTTP metrics (one series per method and status). */
  static final String ROUTE_LABEL = Dav.PREFIX + "/";
  private final StorageClient storage;

  public DavMount(StorageClient storage) { this.storage = storage; }

  @Override
  public String prefix() { return Dav.PREFIX; }

  @Override
  public void mount(Vertx vertx, JsonObject config, Router router, Authenticator authn) {
    DavHandler h = new DavHandler(storage, authn, config);
    // A catch-all that looks at the raw path itself (a path route would match the normalised one). It has
    // no name: vertx-web reports a matched route's name to the metrics, and every REST request passes
    // through here, so a name would prefix all their route labels. A WebDAV request is labelled here.
    router.route().handler(ctx -> {
      String p = ctx.request().path();
      if (p != null && (p.equals(Dav.PREFIX) || p.startsWith(Dav.PREFIX + "/"))) {
        ctx.request().routed(ROUTE_LABEL);
        h.handle(ctx);
      } else {
        ctx.next();
      }
    });
  }
}
