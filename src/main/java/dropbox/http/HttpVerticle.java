package dropbox.http;

import dropbox.Config;
import dropbox.auth.AuthService;
import dropbox.auth.ClientAddress;
import dropbox.bus.LocalInbox;
import dropbox.bus.SmallUploads;
import dropbox.bus.StorageClient;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.ServerSSLOptions;
import dropbox.tls.TlsOptions;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.FileSystemAccess;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.handler.StaticHandler;
import dropbox.metrics.MetricsRoutes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP front end: REST API, server-sent events, health, OpenAPI and the browser UI. Runs on an
 * event loop, many instances sharing one port; reaches files only through {@link StorageClient} and
 * accounts only through {@link AuthService}. config() is the server's Config object.
 */
public final class HttpVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(HttpVerticle.class);
  /** JSON bodies (login, sign-up) are tiny; anything bigger is refused before it is buffered. */
  static final long JSON_BODY_LIMIT = 64 * 1024;
  /** How much of a refused upload's body is read and dropped so a browser sees the answer. */
  static final long DRAIN_LIMIT = 16L * 1024 * 1024;
  static final long DRAIN_MILLIS = 15_000;
  static final String UI_PATHS = "^/(?!api(/|$)|health$|metrics$).*";
  private static final java.util.regex.Pattern UI_PATH = java.util.regex.Pattern.compile(UI_PATHS);
  static final String OPENAPI_RESOURCE = "dropbox/http/openapi.yaml";
  /** The UI inside the jar (the pom copies webroot/ there); http.webroot / --webroot overrides it. */
  static final String WEBROOT_RESOURCE = "dropbox/webroot";

  /** Sent on every answer when TLS is on: browsers then refuse plain http:// to this host for a year. */
  static final String HSTS = "max-age=31536000";
  static final int H2_STREAM_WINDOW = 1 << 20;
  /** The largest HTTP/1.1 body chunk the decoder hands on (see start()). */
  private static final int BODY_CHUNK = 64 << 10;
  static final int H2_CONNECTION_WINDOW = 2 << 20;
  static final int H2_MAX_FRAME = 256 * 1024;
  /** Streams one HTTP/2 connection may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS). */
  static final int H2_MAX_STREAMS = 100;

  private final StorageClient storage;
  private final AuthService auth;
  private final HttpLimits limits;
  /** Null: plain HTTP. Else HTTPS only, HTTP/2 (ALPN) and HTTP/1.1. */
  private final ServerSSLOptions tls;
  private final List<HttpMount> mounts;
  private HttpServer server;
  private TokenStore sessions;
  private EventsSse events;
  private Router router;
  private LocalInbox inbox;

  /** A verticle with its own limit counters (tests; a node shares one {@link HttpLimits} across instances). */
  public HttpVerticle(StorageClient storage, AuthService auth) {
    this(storage, auth, new HttpLimits());
  }

  public HttpVerticle(StorageClient storage, AuthService auth, HttpLimits limits) {
    this(storage, auth, limits, null);
  }

  /** tls: the HTTPS certificate and protocols, or null for plain HTTP. */
  public HttpVerticle(StorageClient storage, AuthService auth, HttpLimits limits, ServerSSLOptions tls) {
    this(storage, auth, limits, tls, List.of());
  }

  /** mounts: other front ends on this router (WebDAV), each under its own prefix. */
  public HttpVerticle(StorageClient storage, AuthService auth, HttpLimits limits, ServerSSLOptions tls,
                      List<HttpMount> mounts) {
    this.storage = storage;
    this.auth = auth;
    this.limits = limits;
    this.tls = tls;
    this.mounts = List.copyOf(mounts);
  }

  /** Builds the route table; exposed so a test can compare it with the OpenAPI document. */
  Router router(Buffer openapi) {
    TokenStore links = new TokenStore(vertx, TokenStore.LINKS, 60_000, false);
    ClientAddress addresses = ClientAddress.fromConfig(config());
    Authenticator authn = new Authenticator(auth, sessions, links, addresses);
    AccountRoutes accounts = new AccountRoutes(auth, storage, sessions, addresses);
    long smallMax = Config.inlineMaxBytes(config());
    FileRoutes files = new FileRoutes(vertx, storage, links, new SmallUploads(smallMax, Config.quotaPolicy(config())), smallMax);
    FolderRoutes folders = new FolderRoutes(storage);
    BodyHandler json = BodyHandler.create(false).setBodyLimit(JSON_BODY_LIMIT);
    long bodyMillis = TimeUnit.SECONDS.toMillis(Config.integer(config(), "http.headerTimeoutSeconds"));

    Router r = Router.router(vertx);
    // Every answer, not only files and the UI: a browser must never guess a type for /metrics, the
    // OpenAPI text or an error body and render it as a page of this origin.
    r.route().handler(ctx -> {
      ctx.response().putHeader("X-Content-Type-Options", "nosniff");
      ctx.next();
    });
    // Before anything reads a body or checks credentials: a foreign page's write never gets that far.
    r.route().handler(OriginGuard.fromConfig(config()));
    r.route().handler(ctx -> {
      HttpFailure malformed = malformedRequest(ctx);
      if (malformed != null) {
        refuse(ctx, malformed);
        return;
      }
      // A mounted front end reads the raw path and its own bodies (WebDAV names are percent-encoded
      // segments, checked by its own strict decoder like /api/files/ names are).
      if (mountOf(ctx.request().path()) != null) {
        ctx.request().pause();
        ctx.next();
      } else {
        CanonicalPath.check(ctx);
      }
    });
    r.route().handler(ctx -> {
      if (mountOf(ctx.request().path()) != null) ctx.next();
      else bodyOrPause(ctx, json, bodyMillis);
    });
    r.route().handler(FileRoutes::guard);
    r.route().handler(FolderRoutes::guard);
    // Mounted front ends match every path they own whatever the method, so they go before the REST routes:
    // after them, their catch-all would turn a REST path's 405 (wrong method) into a 404.
    for (HttpMount m : mounts) m.mount(vertx, config(), r, authn);
    r.route("/api/*").handler(authn);

    r.post("/api/signup").handler(accounts::signup);
    r.post("/api/login").handler(accounts::login);
    r.post("/api/logout").handler(accounts::logout);
    // Every GET endpoint answers HEAD too (RFC 9110 9.3.2): the same handler, Vert.x drops the body.
    getAndHead(r, "/api/me").handler(accounts::me);

    getAndHead(r, "/api/files").handler(files::list);
    r.post("/api/files").handler(files::postMultipart);
    // A path may have several segments: the guards have read and checked it from the raw path. Regex routes
    // (not "/api/files/*", which would also match "/api/files" itself), named by their template for metrics.
    fileRoute(r, HttpMethod.PUT, FILE_ITEM).handler(files::put);
    fileRoute(r, HttpMethod.GET, FILE_ITEM).handler(files::download);
    fileRoute(r, HttpMethod.HEAD, FILE_ITEM).handler(files::download);
    fileRoute(r, HttpMethod.DELETE, FILE_ITEM).handler(files::delete);
    fileRoute(r, HttpMethod.POST, FILE_LINK).handler(files::link);

    fileRoute(r, HttpMethod.GET, FOLDER_ITEM).handler(folders::list);
    fileRoute(r, HttpMethod.HEAD, FOLDER_ITEM).handler(folders::list);
    fileRoute(r, HttpMethod.PUT, FOLDER_ITEM).handler(folders::create);
    fileRoute(r, HttpMethod.DELETE, FOLDER_ITEM).handler(folders::delete);
    r.post("/api/move").handler(folders::move);
    r.post("/api/copy").handler(folders::copy);

    r.get("/api/events").handler(events::handle);
    // The event stream has no HEAD: its answer never ends, so there are no final headers to give.
    getAndHead(r, "/api/openapi.yaml").handler(ctx -> Json.end(ctx.response()
        .putHeader("Content-Type", "application/yaml; charset=utf-8"), openapi));
    getAndHead(r, "/health").handler(HeadLength::fromBody).handler(Health.handler(vertx, config()));
    MetricsRoutes.mount(r, HeadLength::fromBody);

    // The UI: GET/HEAD only and never under /api, /health or /metrics, so a wrong method there stays a 405.
    // Named, so its metric series read route="ui" rather than the regex.
    r.routeWithRegex(UI_PATHS).setName("ui").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(HttpVerticle::uiHeaders)
        .handler(ui().setCachingEnabled(false).setIndexPage("index.html"));

    r.errorHandler(404, ctx -> refuse(ctx, new HttpFailure(404, "not_found", "No such endpoint")));
    r.errorHandler(405, ctx -> {
      String path = ctx.request().path();
      String allow = allowedMethods(r, path);
      if (allow.isEmpty() && path != null && UI_PATH.matcher(path).matches()) allow = "GET, HEAD"; // the UI's regex route
      if (!allow.isEmpty()) ctx.response().putHeader("Allow", allow);
      refuse(ctx, new HttpFailure(405, "method_not_allowed", "Method " + ctx.request().method() + " is not allowed here"));
    });
    r.errorHandler(413, ctx -> refuse(ctx, new HttpFailure(413, "too_large", "The request body is too large")));
    r.errorHandler(400, ctx -> refuse(ctx, HttpFailure.badRequest("Bad request")));
    // 200 too: vertx-web's BodyHandler fails a request whose connection closed mid-body with status 200,
    // which no handler took, so a client leaving in the middle of its login body was logged as an ERROR.
    Handler<RoutingContext> failed = ctx -> {
      if (ctx.failure() != null && HttpErrors.isDisconnect(ctx.failure())) {
        // A client leaving in the middle of a UI asset (sendfile reset by peer): nobody to answer.
        log.debug("client left during {} {}: {}", ctx.request().method(), ctx.request().path(), ctx.failure().toString());
        if (!ctx.response().closed()) ctx.response().reset();
        return;
      }
      if (ctx.failure() != null) log.error("unhandled failure on {} {}", ctx.request().method(), ctx.request().path(), ctx.failure());
      refuse(ctx, new HttpFailure(500, "internal", "Internal error"));
    };
    r.errorHandler(500, failed);
    r.errorHandler(200, failed);
    return r;
  }

  private static Route getAndHead(Router r, String path) {
    return r.route(path).method(HttpMethod.GET).method(HttpMethod.HEAD);
  }

  /**
   * The Allow header of a 405 (RFC 9110 15.5.6): the methods of the routes on exactly this path. The
   * multi-segment file and folder paths never get here: their guards answer the 405 with their own Allow.
   */
  static String allowedMethods(Router r, String path) {
    Set<String> methods = new TreeSet<>();
    for (Route route : r.getRoutes()) {
      if (path.equals(route.getPath()) && route.methods() != null) {
        for (HttpMethod m : route.methods()) methods.add(m.name());
      }
    }
    return String.join(", ", methods);
  }

  /** The mount whose prefix the raw path is (or is below), or null. */
  private HttpMount mountOf(String path) {
    if (path == null) return null;
    for (HttpMount m : mounts) {
      String p = m.prefix();
      if (path.equals(p) || path.startsWith(p + "/")) return m;
    }
    return null;
  }

  /** {template, regex} of the routes whose path parameter spans segments. */
  private static final String[] FILE_ITEM = {"/api/files/:path", "/api/files/.+"};
  private static final String[] FILE_LINK = {"/api/files/:path/link", "/api/files/.+/link"};
  private static final String[] FOLDER_ITEM = {"/api/folders/:path", "/api/folders(/.*)?"};

  private static Route fileRoute(Router r, HttpMethod m, String[] route) {
    return r.routeWithRegex(m, route[1]).setName(route[0]);
  }

  /** The UI from the jar, or from the http.webroot directory when one is configured. */
  private StaticHandler ui() {
    String dir = Config.string(config(), "http.webroot");
    if (dir == null || dir.isBlank()) return StaticHandler.create(WEBROOT_RESOURCE);
    return StaticHandler.create(FileSystemAccess.ROOT, Path.of(dir).toAbsolutePath().normalize().toString());
  }

  @Override
  public Future<?> start() {
    long idleMillis = TimeUnit.SECONDS.toMillis(Config.integer(config(), "auth.tokenIdleSeconds"));
    sessions = new TokenStore(vertx, TokenStore.SESSIONS, idleMillis, true);
    events = new EventsSse(vertx, Config.longValue(config(), "http.sseHeartbeatMillis", EventsSse.DEFAULT_HEARTBEAT_MILLIS),
        limits, Config.integer(config(), "http.maxStreamsPerUser"), sessions);
    HttpServerOptions opts = new HttpServerOptions()
        .setHost(Config.string(config(), "host"))
        .setPort(Config.integer(config(), "http.port"))
        .setIdleTimeout((int) Config.longValue(config(), "http.idleTimeoutSeconds", 300))
        .setIdleTimeoutUnit(TimeUnit.SECONDS)
        .setHandle100ContinueAutomatically(false)
        // Plain HTTP stays HTTP/1.1 (no h2c): browsers never use h2c, and HTTP/2 comes with TLS below.
        .setHttp2ClearTextEnabled(false)
        .setCompressionSupported(false)
        // No route upgrades to a WebSocket (live events are SSE): without these Vert.x puts a WebSocket
        // extension handler into every connection's pipeline, which inspects every request's headers.
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false)
        // Body chunks as big as a socket read (Netty reads up to 64 KiB) instead of Vert.x's 8 KiB: a 1 GiB
        // upload is 16 384 chunks through the pipeline, the upload and its lanes instead of 131 072.
        .setMaxChunkSize(BODY_CHUNK);
    if (tls != null) {
      // Over TLS, HTTP/2 is safe for uploads: refuse() resets only the refused stream, not the connection.
      TlsOptions.apply(opts, tls).setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
          // HTTP/2's default 64 KiB windows cap an upload at one window per round trip. The connection
          // window bounds what one connection can have in flight unread, whatever its stream count.
          // At most 100 streams at once per connection (RFC 9113's recommended minimum; Netty refuses more
          // with REFUSED_STREAM): unadvertised, one connection had 1000 requests in flight at once.
          .setInitialSettings(new Http2Settings().setInitialWindowSize(H2_STREAM_WINDOW).setMaxFrameSize(H2_MAX_FRAME)
              .setMaxConcurrentStreams(H2_MAX_STREAMS))
          .setHttp2ConnectionWindowSize(H2_CONNECTION_WINDOW);
    }
    ConnectionGuard guard = new ConnectionGuard(vertx, limits, Config.integer(config(), "http.maxConnections"),
        TimeUnit.SECONDS.toMillis(Config.integer(config(), "http.headerTimeoutSeconds")), opts);
    return vertx.executeBlocking(HttpVerticle::readOpenApi)
        .compose(doc -> events.start().map(v -> doc))
        .compose(doc -> {
          router = router(doc);
          server = vertx.createHttpServer(opts)
              .connectionHandler(guard::connected)
              .invalidRequestHandler(everyAnswer(ConnectionGuard::invalidRequest))
              .requestHandler(everyAnswer(guard.requests(router)));
          return server.listen();
        })
        // Once listening (a failed start leaves no inbox behind): this instance's commands reach the node's
        // storage workers without a hop (LocalInbox).
        .onSuccess(s -> inbox = LocalInbox.bind(vertx))
        .onSuccess(s -> log.debug("http listening on {}", s.actualPort()));
  }

  @Override
  public Future<?> stop() {
    Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
    return closed.compose(v -> events == null ? Future.succeededFuture() : events.stop())
        .onComplete(v -> {
          if (inbox != null) inbox.close();
        });
  }

  /**
   * Headers of every answer, the guard's 503 and 400 included: Date (RFC 9110 6.6.1: an origin server with
   * a clock sends it; Vert.x does not) and, with TLS, Strict-Transport-Security.
   */
  private Handler<HttpServerRequest> everyAnswer(Handler<HttpServerRequest> next) {
    boolean secure = tls != null;
    return req -> {
      req.response().putHeader("Date", HttpDate.now());
      if (secure) req.response().putHeader("Strict-Transport-Security", HSTS);
      next.handle(req);
    };
  }

  /** New handshakes use these options (certificate rotation); open connections keep theirs. */
  public Future<Boolean> updateSSLOptions(ServerSSLOptions options) {
    return server == null ? Future.succeededFuture(false) : server.updateSSLOptions(options);
  }

  /** The bound port (useful when http.port is 0). */
  public int actualPort() { return server == null ? -1 : server.actualPort(); }

  Router router() { return router; }

  static Buffer readOpenApi() throws IOException {
    try (InputStream in = HttpVerticle.class.getClassLoader().getResourceAsStream(OPENAPI_RESOURCE)) {
      if (in == null) throw new IOException("missing resource " + OPENAPI_RESOURCE);
      return Buffer.buffer(in.readAllBytes());
    }
  }

  /**
   * Upload routes stream their body and must be paused before anything asynchronous happens (else
   * Vert.x drops the chunks); every other route gets its small body buffered, with a limit.
   */
  private static void bodyOrPause(RoutingContext ctx, BodyHandler json, long bodyMillis) {
    HttpServerRequest req = ctx.request();
    // Every PUT counts as one (PUT /api/folders has no body: FolderRoutes refuses one unread).
    boolean upload = req.method() == HttpMethod.PUT
        || (req.method() == HttpMethod.POST && "/api/files".equals(req.path()));
    if (upload) {
      req.pause();
      ctx.next();
    } else if (req.method() == HttpMethod.POST || req.method() == HttpMethod.PATCH) {
      smallBodyDeadline(ctx, bodyMillis);
      json.handle(ctx);
    } else {
      // No route reads the body of a GET, HEAD or DELETE; BodyHandler would even fail (500) on a
      // GET that announces a multipart body. Whatever such a request carries is discarded unread.
      ctx.next();
    }
  }

  /**
   * A body read whole into memory (at most 64 KiB of JSON, 1 MiB of WebDAV XML) must have arrived within
   * millis (http.headerTimeoutSeconds) of its head, as the head itself must: else 400 and the connection
   * closed. Nothing is answered while such a body is on its way, so without this a client with no account
   * held a connection for as long as it sent a login's body one byte every few seconds.
   */
  public static void smallBodyDeadline(RoutingContext ctx, long millis) {
    HttpServerRequest req = ctx.request();
    if (req.isEnded()) return;
    long timer = ctx.vertx().setTimer(millis, id -> {
      if (req.isEnded() || ctx.response().ended() || ctx.response().closed()) return;
      HttpFailure f = HttpFailure.badRequest("The request body did not arrive within " + millis / 1000 + " s");
      if (req.version() == HttpVersion.HTTP_2) {
        HttpErrors.send(ctx.response(), f).onComplete(v -> ctx.response().reset(0));
      } else {
        ctx.response().putHeader("Connection", "close");
        HttpErrors.send(ctx.response(), f).onComplete(v -> req.connection().close());
      }
    });
    // At the node's connection cap such a connection makes room, as one still sending its head does.
    Runnable done = req.version() == HttpVersion.HTTP_2 ? () -> { } : ConnectionGuard.readingSmallBody(req);
    ctx.addEndHandler(v -> {
      ctx.vertx().cancelTimer(timer);
      done.run();
    });
  }

  /**
   * What makes a request malformed that neither Netty nor Vert.x refuses, or null. Checked in a handler
   * every request passes anyway, so the 4 KiB GET gains no route hop.
   */
  private static HttpFailure malformedRequest(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    // HTTP/2 carries header values as length-prefixed strings, so CR, LF or NUL can reach us inside one
    // (Netty checks names, not values); RFC 9113 8.2.1 makes such a request malformed. HTTP/1.1's
    // decoder cannot produce one.
    if (req.version() == HttpVersion.HTTP_2 && hasControlInValue(req.headers())) {
      return HttpFailure.badRequest("A header value holds CR, LF or NUL");
    }
    // Names too: Netty let "x-a\nb" and "x a" through (a black-box pass got 200 for both); RFC 9113
    // 8.2.1 wants a lower-case token.
    if (req.version() == HttpVersion.HTTP_2 && hasInvalidName(req.headers())) {
      return HttpFailure.badRequest("A header name is not a lower-case token");
    }
    // A malformed escape ("?x=%", "?cursor=%zz") threw where a handler first read a parameter, which
    // answered 500: decode the query once here (vertx-web keeps the result for the handlers) and call it
    // the client's error. Only a query with an escape can be malformed, so the others cost nothing.
    String query = req.query();
    if (query != null && query.indexOf('%') >= 0) {
      try {
        ctx.queryParams();
      } catch (HttpException | IllegalArgumentException e) {
        return HttpFailure.badRequest("Malformed query string (a percent-escape that is not %XX of UTF-8)");
      }
    }
    return null;
  }

  /** Whether a header value holds CR, LF or NUL. */
  static boolean hasControlInValue(MultiMap headers) {
    for (Map.Entry<String, String> h : headers) {
      String v = h.getValue();
      for (int i = 0; i < v.length(); i++) {
        char c = v.charAt(i);
        if (c == '\r' || c == '\n' || c == 0) return true;
      }
    }
    return false;
  }

  /** A name with anything but the lower-case token characters of RFC 9110 5.6.2 (HTTP/2: RFC 9113 8.2.1). */
  static boolean hasInvalidName(MultiMap headers) {
    for (String name : headers.names()) {
      if (name.startsWith(":")) continue; // pseudo-headers: Netty checks those itself
      if (name.isEmpty()) return true;
      for (int i = 0; i < name.length(); i++) {
        char c = name.charAt(i);
        boolean token = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
        if (!token) return true;
      }
    }
    return false;
  }

  private static void uiHeaders(RoutingContext ctx) {
    // vertx-web's static handler writes its Date with a one-digit day ("Thu, 3 Dec"), which is not the
    // IMF-fixdate of RFC 9110 5.6.7 that every other answer carries: put ours back as the headers go out.
    ctx.addHeadersEndHandler(v -> ctx.response().putHeader("Date", HttpDate.now()));
    ctx.response()
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; "
            + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'");
    ctx.next();
  }

  /**
   * Answers with the JSON error body. When the request body was not read (an upload refused up front
   * or cut short) the connection is closed after the answer, so unread bytes are never parsed as a
   * request. A small announced body without "Expect: 100-continue" is first read and discarded
   * (bounded in bytes and time): browsers only show an early answer once they could send their body.
   * Under HTTP/2 the other streams of the connection are not the refused request's business: the
   * answer is sent, then only this stream is reset (NO_ERROR, "stop sending", RFC 9113 8.1).
   */
  public static void refuse(RoutingContext ctx, HttpFailure f) {
    HttpServerRequest req = ctx.request();
    if (req.isEnded() || ctx.response().headWritten()) {
      HttpErrors.send(ctx.response(), f);
      return;
    }
    if (req.version() == HttpVersion.HTTP_2) {
      HttpErrors.send(ctx.response(), f).onComplete(v -> {
        if (!req.isEnded()) ctx.response().reset(0);
      });
      return;
    }
    ctx.response().putHeader("Connection", "close");
    Future<Void> sent = HttpErrors.send(ctx.response(), f);
    long announced = announcedLength(req);
    boolean drain = announced >= 0 && announced <= DRAIN_LIMIT && req.getHeader("Expect") == null;
    if (!drain) {
      sent.onComplete(v -> req.connection().close());
      return;
    }
    long timer = ctx.vertx().setTimer(DRAIN_MILLIS, id -> req.connection().close());
    long[] seen = {0};
    req.handler(b -> {
      seen[0] += b.length();
      if (seen[0] > DRAIN_LIMIT) req.connection().close();
    });
    req.exceptionHandler(e -> { });
    req.endHandler(v -> sent.onComplete(x -> {
      ctx.vertx().cancelTimer(timer);
      req.connection().close();
    }));
    req.resume();
  }

  private static long announcedLength(HttpServerRequest req) {
    if (req.getHeader("Transfer-Encoding") != null) return -1;
    try {
      String cl = req.getHeader("Content-Length");
      return cl == null ? 0 : Long.parseLong(cl.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
