package dropbox.http;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * A front end served on the HTTP router beside the REST API (WebDAV under /dav/): mounted on every HTTP
 * instance's router after OriginGuard and before the UI, so HTTPS, HTTP/2, the connection limits and the
 * cross-origin rule apply to it unchanged. It authenticates with the REST Authenticator (Basic with the
 * login throttle, Bearer sessions). Its requests arrive paused: it reads bodies itself.
 */
public interface HttpMount {
  /** The path prefix it owns ("/dav"): exempt from the REST body handling and the UI. */
  String prefix();

  void mount(Vertx vertx, JsonObject config, Router router, Authenticator authn);
}
