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
  private final StorageClient storage;

  public DavMount(StorageClient storage) { this.storage = storage; }

  @Override
  public String prefix() { return Dav.PREFIX; }

  @Override
  public void mount(Vertx vertx, JsonObject config, Router router, Authenticator authn) {
    DavHandler h = new DavHandler(storage, authn, config);
    router.route().setName("dav").handler(ctx -> {
      String p = ctx.request().path();
      if (p != null && (p.equals(Dav.PREFIX) || p.startsWith(Dav.PREFIX + "/"))) h.handle(ctx);
      else ctx.next();
    });
  }
}
