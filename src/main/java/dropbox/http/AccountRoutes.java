package dropbox.http;

import dropbox.auth.AuthService;
import dropbox.auth.Caller;
import dropbox.auth.ClientAddress;
import dropbox.bus.Priority;
import dropbox.bus.StorageClient;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Sign-up, login, logout and "who am I". Accounts are the same ones the TCP front end uses. */
final class AccountRoutes {
  private final AuthService auth;
  private final StorageClient storage;
  private final TokenStore sessions;
  private final ClientAddress addresses;

  AccountRoutes(AuthService auth, StorageClient storage, TokenStore sessions, ClientAddress addresses) {
    this.auth = auth;
    this.storage = storage;
    this.sessions = sessions;
    this.addresses = addresses;
  }

  void signup(RoutingContext ctx) {
    Caller caller = Caller.refused(addresses.of(ctx.request()));
    credentials(ctx)
        .compose(c -> auth.signup(c[0], c[1], caller))
        .onSuccess(user -> sendJson(ctx, 201, new JsonObject().put("username", user)))
        .onFailure(err -> HttpErrors.send(ctx, err));
  }

  void login(RoutingContext ctx) {
    Caller caller = Caller.refused(addresses.of(ctx.request()));
    credentials(ctx)
        .compose(c -> auth.login(c[0], c[1], caller))
        .compose(user -> sessions.create(new JsonObject().put("user", user)))
        .onSuccess(e -> sendJson(ctx, 200, new JsonObject().put("token", e.token())
            .put("expiresAt", Json.time(e.expiresAt())).put("username", e.value().getString("user"))))
        .onFailure(err -> HttpErrors.send(ctx, err));
  }

  void logout(RoutingContext ctx) {
    String token = ctx.get(Authenticator.TOKEN);
    Future<Void> revoke = token == null ? Future.succeededFuture() : sessions.revoke(token);
    revoke.onSuccess(v -> ctx.response().setStatusCode(204).end())
        .onFailure(err -> HttpErrors.send(ctx, err));
  }

  void me(RoutingContext ctx) {
    String user = ctx.get(Authenticator.USER);
    storage.usage(user, priority(ctx))
        .onSuccess(u -> sendJson(ctx, 200, new JsonObject().put("username", user).put("usage", Json.usage(u))))
        .onFailure(err -> HttpErrors.send(ctx, err));
  }

  /** {username, password} as two strings, or a 400. */
  private static Future<String[]> credentials(RoutingContext ctx) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      body = null;
    }
    if (body == null) return Future.failedFuture(HttpFailure.badRequest("Send a JSON object with username and password"));
    Object u = body.getValue("username");
    Object p = body.getValue("password");
    if (!(u instanceof String) || !(p instanceof String)) {
      return Future.failedFuture(HttpFailure.badRequest("username and password must both be strings"));
    }
    return Future.succeededFuture(new String[] {(String) u, (String) p});
  }

  static Priority priority(RoutingContext ctx) { return Priority.parse(ctx.request().getHeader("X-Priority")); }

  static void sendJson(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8")
        .putHeader("Cache-Control", "no-store");
    Json.end(ctx.response(), body.encode());
  }
}
