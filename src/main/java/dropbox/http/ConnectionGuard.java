package dropbox.http;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.ssl.SslHandler;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.impl.HttpServerConnection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Connection-level limits of one HttpVerticle (rest-api.md "Transport and browser safety"): at most
 * http.maxConnections open connections per node (counted in {@link HttpLimits}, shared by all instances;
 * at the cap the oldest idle kept-alive connection of this instance is closed to make room, and only
 * when there is none is a connection beyond the cap answered 503 and closed), request heads complete within
 * http.headerTimeoutSeconds ({@link HeaderDeadline}), HTTP versions other than 1.0/1.1 answered
 * 505 and ambiguous body framing 400 ({@link RequestHeadCheck}). Its state is touched only on this verticle's event loop.
 */
final class ConnectionGuard {
  private final Vertx vertx;
  private final HttpLimits limits;
  private final int maxConnections;
  private final long headerMillis;
  /** The server's options, for the decoder that replaces Vert.x's (the same line, header and chunk bounds). */
  private final HttpServerOptions options;
  /** Connections accepted beyond the cap: their first request is answered 503. */
  private final Set<HttpConnection> overCap = new HashSet<>();
  /** HTTP/2 connections still waiting for their first request, with the timer that closes them. */
  private final Map<HttpConnection, Long> h2Deadlines = new HashMap<>();
  /**
   * Connections whose request body is a small one still arriving (HttpVerticle.smallBodyDeadline: a login,
   * a WebDAV XML body): at the cap they make room like a connection still sending its head. Of every
   * instance; each instance only looks up its own connections.
   */
  private static final Map<HttpConnection, HttpServerRequest> SMALL_BODIES = new ConcurrentHashMap<>();

  /** Marks req's connection as reading req's small body until done is called (or it closes first). */
  static Runnable readingSmallBody(HttpServerRequest req) {
    HttpConnection conn = req.connection();
    SMALL_BODIES.put(conn, req);
    return () -> SMALL_BODIES.remove(conn, req);
  }

  /** The connection's small body is still on its way (once it is in, the request is being answered). */
  private static boolean stillReadingSmallBody(HttpConnection conn) {
    HttpServerRequest req = SMALL_BODIES.get(conn);
    return req != null && !req.isEnded();
  }

  /** This instance's HTTP/1 connections, oldest first, with what tells whether one is between requests. */
  private final Map<HttpConnection, HeaderDeadline> http1 = new LinkedHashMap<>();

  ConnectionGuard(Vertx vertx, HttpLimits limits, int maxConnections, long headerMillis, HttpServerOptions options) {
    this.vertx = vertx;
    this.options = options;
    this.limits = limits;
    this.maxConnections = maxConnections;
    this.headerMillis = headerMillis;
  }

  /** The server's connection handler. */
  void connected(HttpConnection conn) {
    int open = limits.connections.incrementAndGet();
    // At the cap, an idle kept-alive connection gives its slot up rather than a new client being
    // refused: otherwise one cheap request per connection would hold every slot for the idle timeout.
    if (open > maxConnections && !evictIdle()) overCap.add(conn);
    conn.closeHandler(v -> {
      limits.connections.decrementAndGet();
      overCap.remove(conn);
      SMALL_BODIES.remove(conn);
      http1.remove(conn);
      Long t = h2Deadlines.remove(conn);
      if (t != null) vertx.cancelTimer(t);
    });
    ChannelPipeline p = conn instanceof HttpServerConnection sc ? sc.channelHandlerContext().pipeline() : null;
    if (p != null && p.get("httpDecoder") != null) {
      // Replaced before the connection's first byte is read: the connection handler runs as it is set up.
      p.replace("httpDecoder", "httpDecoder", new StrictFramingDecoder(options));
      p.addAfter("httpDecoder", RequestHeadCheck.NAME, new RequestHeadCheck());
      http1.put(conn, HeaderDeadline.install(p, "httpDecoder", "handler", headerMillis,
          Math.max(headerMillis, HttpVerticle.DRAIN_MILLIS)));
      boolean tls = p.get(SslHandler.class) != null;
      p.addBefore("handler", BodyFramingCheck.NAME, new BodyFramingCheck(tls ? HttpVerticle.HSTS : null));
      if (!tls) HalfClose.install(p, "handler");
    } else {
      // HTTP/2 frames its headers itself; still, a connection must bring a request within the bound.
      h2Deadlines.put(conn, vertx.setTimer(headerMillis, id -> {
        h2Deadlines.remove(conn);
        conn.close();
      }));
    }
  }

  /** Closes this instance's oldest HTTP/1 connection that sits between requests; false if there is none. */
  private boolean evictIdle() {
    for (Map.Entry<HttpConnection, HeaderDeadline> e : http1.entrySet()) {
      // An answered request whose body is still coming in is only being discarded: as good as idle.
      if ((e.getValue().evictable() || e.getValue().answeredButReading() || stillReadingSmallBody(e.getKey()))
          && !overCap.contains(e.getKey())) {
        HttpConnection idle = e.getKey();
        http1.remove(idle);
        idle.close();
        return true;
      }
    }
    return false;
  }

  /** Wraps the router: refuses requests on connections over the cap, passes the rest on. */
  Handler<HttpServerRequest> requests(Handler<HttpServerRequest> next) {
    return req -> {
      HttpConnection conn = req.connection();
      Long t = h2Deadlines.remove(conn);
      if (t != null) vertx.cancelTimer(t);
      if (overCap.contains(conn)) {
        // HTTP/2 has no Connection header; closing the connection says it there.
        if (req.version() != HttpVersion.HTTP_2) req.response().putHeader("Connection", "close");
        HttpErrors.send(req.response(), new HttpFailure(503, "busy", "Too many connections; try again later", 5))
            .onComplete(v -> conn.close());
        return;
      }
      next.handle(req);
    };
  }

  /**
   * The server's invalid-request handler: 505 for an unsupported version, 400 for any other malformed
   * head, both with the JSON error body; a too-long line or header block keeps Vert.x's 414/431.
   */
  static void invalidRequest(HttpServerRequest req) {
    Throwable cause = req.decoderResult().cause();
    // Netty's decoder stops at a line or a head too long, so nothing after it on this connection can be
    // read: the answer is the spec's JSON error like any other, then the close.
    HttpFailure f;
    if (cause instanceof TooLongHttpLineException) {
      f = new HttpFailure(414, "uri_too_long", "The request line is longer than "
          + HttpServerOptions.DEFAULT_MAX_INITIAL_LINE_LENGTH + " bytes");
    } else if (cause instanceof TooLongHttpHeaderException) {
      f = new HttpFailure(431, "headers_too_large", "The request headers are larger than "
          + HttpServerOptions.DEFAULT_MAX_HEADER_SIZE + " bytes");
    } else if (cause instanceof RequestHeadCheck.UnsupportedVersion) {
      f = new HttpFailure(505, "http_version_not_supported", "Only HTTP/1.0 and HTTP/1.1 are served here");
    } else {
      f = HttpFailure.badRequest(cause instanceof RequestHeadCheck.RefusedHead a ? a.getMessage() : "Malformed HTTP request");
    }
    req.response().putHeader("Connection", "close").putHeader("X-Content-Type-Options", "nosniff");
    HttpErrors.send(req.response(), f).onComplete(v -> req.connection().close());
  }
}
