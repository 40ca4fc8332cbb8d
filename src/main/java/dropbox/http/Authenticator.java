package dropbox.http;

import dropbox.auth.AuthException;
import dropbox.auth.AuthService;
import dropbox.auth.Caller;
import dropbox.auth.ClientAddress;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;

/**
 * Who is asking: a Bearer session token, Basic credentials (cached 60 s after a success, concurrent
 * identical ones checked once: {@link BasicCache}), or a
 * download-link token (?dl=) for GET/HEAD of exactly its file. Puts the canonical user name into the
 * context under {@link #USER}; answers 401/429 itself.
 */
public final class Authenticator implements Handler<RoutingContext> {
  static final String USER = "dropbox.user";
  static final String TOKEN = "dropbox.token";
  /** In a download link's grant: the session token it was made in, when it was made in one. */
  static final String LINK_SESSION = "session";
  static final String UI_HEADER = "X-Requested-With";
  static final String UI_VALUE = "dropbox-ui";

  private static final Set<String> PUBLIC = Set.of("/api/signup", "/api/login", "/api/openapi.yaml");

  private final AuthService auth;
  private final TokenStore sessions;
  private final TokenStore links;
  private final ClientAddress addresses;
  private final BasicCache basicCache = new BasicCache();

  Authenticator(AuthService auth, TokenStore sessions, TokenStore links, ClientAddress addresses) {
    this.auth = auth;
    this.sessions = sessions;
    this.links = links;
    this.addresses = addresses;
  }

  /** The canonical user name the request authenticated as (set by handle). */
  public static String user(RoutingContext ctx) { return ctx.get(USER); }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    if (PUBLIC.contains(req.path())) {
      ctx.next();
      return;
    }
    authenticate(ctx).onSuccess(user -> {
      ctx.put(USER, user);
      ctx.next();
    }).onFailure(err -> HttpErrors.send(ctx, err));
  }

  /** Who the request is from (REST's rules: Bearer, Basic with the login throttle); fails with the answer. */
  public Future<String> authenticate(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    String dl = req.getParam("dl");
    String header = req.getHeader("Authorization");
    // A download link names its own user and file, so on GET/HEAD it decides alone: a browser that
    // also sends cached credentials (Basic of another account) must still get the link's file.
    boolean read = req.method() == HttpMethod.GET || req.method() == HttpMethod.HEAD;
    if (dl != null && (header == null || read)) return linkUser(ctx, dl);
    if (header == null) return Future.failedFuture(challenge(ctx, "Authentication required"));
    int sp = header.indexOf(' ');
    String scheme = sp < 0 ? header : header.substring(0, sp);
    String value = sp < 0 ? "" : header.substring(sp + 1).trim();
    if (scheme.equalsIgnoreCase("Bearer")) {
      ctx.put(TOKEN, value);
      return sessions.use(value).compose(e -> e == null
          ? Future.failedFuture(HttpFailure.unauthorized("Your session has expired; please log in again"))
          : Future.succeededFuture(e.value().getString("user")));
    }
    if (scheme.equalsIgnoreCase("Basic")) return basic(ctx, value);
    return Future.failedFuture(HttpFailure.unauthorized("Unsupported authorization scheme"));
  }

  private Future<String> linkUser(RoutingContext ctx, String token) {
    HttpMethod m = ctx.request().method();
    String name = ctx.get(FileRoutes.NAME);
    if ((m != HttpMethod.GET && m != HttpMethod.HEAD) || name == null || ctx.get(FileRoutes.KIND) != FilePath.Kind.ITEM) {
      return Future.failedFuture(HttpFailure.unauthorized("A download link only allows downloading its file"));
    }
    return links.use(token).compose(e -> {
      if (e == null || !name.equals(e.value().getString("name"))) return Future.failedFuture(expiredLink());
      String session = e.value().getString(LINK_SESSION);
      if (session == null) return Future.succeededFuture(e.value().getString("user"));
      return sessions.alive(session).compose(alive -> alive
          ? Future.succeededFuture(e.value().getString("user")) : Future.failedFuture(expiredLink()));
    });
  }

  private static HttpFailure expiredLink() {
    return HttpFailure.unauthorized("This download link has expired; start the download again");
  }

  private Future<String> basic(RoutingContext ctx, String encoded) {
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(challenge(ctx, "Malformed Basic credentials"));
    }
    int colon = decoded.indexOf(':');
    if (colon < 0) return Future.failedFuture(challenge(ctx, "Malformed Basic credentials"));
    String user = decoded.substring(0, colon);
    String password = decoded.substring(colon + 1);
    String key = basicCache.key(user, password);
    String cached = basicCache.get(key);
    if (cached != null) return Future.succeededFuture(cached);
    String address = addresses.of(ctx.request());
    return basicCache.check(key, address, () -> auth.login(user, password, Caller.refused(address)))
        .recover(err -> Future.failedFuture(err instanceof AuthException ae
            && ae.reason() == AuthException.Reason.INVALID_CREDENTIALS
            ? challenge(ctx, "Invalid username or password") : err));
  }

  /**
   * A 401 that invites the browser's Basic dialog only for non-UI requests that tried Basic or sent
   * nothing: the UI has its own login form, and a dialog there would be a trap.
   */
  private static HttpFailure challenge(RoutingContext ctx, String message) {
    if (!UI_VALUE.equals(ctx.request().getHeader(UI_HEADER)) && !"/api/login".equals(ctx.request().path())) {
      ctx.response().putHeader("WWW-Authenticate", "Basic realm=\"dropbox\"");
    }
    return HttpFailure.unauthorized(message);
  }
}
