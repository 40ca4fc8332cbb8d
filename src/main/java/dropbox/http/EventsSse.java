package dropbox.http;

import dropbox.bus.Addresses;
import dropbox.bus.FileEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * GET /api/events: each open stream gets the caller's own file events as server-sent events. One
 * event-bus consumer per verticle instance fans out to its streams (published events reach every node),
 * so streams cost no cluster registration each. A stream whose client does not keep up is closed
 * rather than buffered without bound; the UI reconnects and reloads.
 *
 * <p>Bounded per user: at most http.maxStreamsPerUser open streams on this node (counted in
 * {@link HttpLimits} across instances), so one account cannot take every stream. A stream opened with a
 * session token ends when that token is revoked (logout, on any node: announced on the event bus) or
 * expires: a timer per token fires at its expiry and looks again, since a use elsewhere (on any node)
 * may have moved the expiry on.
 */
final class EventsSse {
  static final long DEFAULT_HEARTBEAT_MILLIS = 15_000;
  static final int MAX_STREAMS = 2_000;

  /** One open stream: its response, its user and the session token it was opened with (null for Basic). */
  private record Stream(HttpServerResponse resp, String user, String token) {}

  private final Vertx vertx;
  private final long heartbeatMillis;
  private final HttpLimits limits;
  private final int maxPerUser;
  private final TokenStore sessions;
  private final Map<String, Set<Stream>> byUser = new HashMap<>();
  private final Map<String, Set<Stream>> byToken = new HashMap<>();
  /** The expiry timer of each token in byToken. */
  private final Map<String, Long> expiryTimers = new HashMap<>();
  private int streams;
  private MessageConsumer<JsonObject> consumer;
  private MessageConsumer<String> revocations;
  private long timer = -1;

  EventsSse(Vertx vertx, long heartbeatMillis, HttpLimits limits, int maxPerUser, TokenStore sessions) {
    this.vertx = vertx;
    this.heartbeatMillis = heartbeatMillis;
    this.limits = limits;
    this.maxPerUser = maxPerUser;
    this.sessions = sessions;
  }

  Future<Void> start() {
    // Every change of every user reaches every instance: read the user first, decode only for a listener.
    consumer = vertx.eventBus().consumer(Addresses.FILE_EVENTS, msg -> {
      if (byUser.containsKey(msg.body().getString("user"))) publish(FileEvent.fromJson(msg.body()));
    });
    revocations = vertx.eventBus().consumer(sessions.revokedAddress(), msg -> endToken(msg.body()));
    timer = vertx.setPeriodic(heartbeatMillis, id -> heartbeat());
    return Future.all(consumer.completion(), revocations.completion()).mapEmpty();
  }

  Future<Void> stop() {
    if (timer >= 0) vertx.cancelTimer(timer);
    expiryTimers.values().forEach(vertx::cancelTimer);
    expiryTimers.clear();
    for (Set<Stream> set : List.copyOf(byUser.values())) {
      for (Stream s : List.copyOf(set)) {
        remove(s);
        s.resp().reset();
      }
    }
    Future<Void> a = consumer == null ? Future.succeededFuture() : consumer.unregister();
    Future<Void> b = revocations == null ? Future.succeededFuture() : revocations.unregister();
    return Future.all(a, b).mapEmpty();
  }

  void handle(RoutingContext ctx) {
    if (streams >= MAX_STREAMS) {
      HttpErrors.send(ctx.response(), new HttpFailure(503, "busy", "Too many event streams; try again later", 5));
      return;
    }
    String user = ctx.get(Authenticator.USER);
    if (!limits.acquireStream(user, maxPerUser)) {
      HttpErrors.send(ctx.response(), new HttpFailure(429, "too_many_requests",
          "You have " + maxPerUser + " event streams open already; close one first", 5));
      return;
    }
    Stream s = new Stream(ctx.response(), user, ctx.get(Authenticator.TOKEN));
    HttpServerResponse resp = s.resp();
    resp.setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .putHeader("X-Accel-Buffering", "no");
    resp.setWriteQueueMaxSize(256 * 1024);
    byUser.computeIfAbsent(user, u -> new LinkedHashSet<>()).add(s);
    if (s.token() != null) {
      boolean first = !byToken.containsKey(s.token());
      byToken.computeIfAbsent(s.token(), t -> new LinkedHashSet<>()).add(s);
      if (first) watchExpiry(s.token());
    }
    streams++;
    resp.closeHandler(v -> remove(s));
    resp.endHandler(v -> remove(s));
    // The first bytes flush the headers, so a fetch() on the other side resolves at once.
    resp.write(": connected\nretry: 3000\n\n");
  }

  /** Forgets the stream and gives its slot back; safe to call more than once. */
  private void remove(Stream s) {
    Set<Stream> set = byUser.get(s.user());
    if (set == null || !set.remove(s)) return;
    streams--;
    limits.releaseStream(s.user());
    if (set.isEmpty()) byUser.remove(s.user());
    if (s.token() != null) {
      Set<Stream> t = byToken.get(s.token());
      if (t != null && t.remove(s) && t.isEmpty()) {
        byToken.remove(s.token());
        Long timer = expiryTimers.remove(s.token());
        if (timer != null) vertx.cancelTimer(timer);
      }
    }
  }

  /**
   * Ends the token's streams if it has expired, else sets a timer for its expiry that looks again. A
   * failed look-up (the cluster map unreachable) is retried after a heartbeat rather than given up.
   */
  private void watchExpiry(String token) {
    sessions.expiresAt(token).onComplete(ar -> {
      if (!byToken.containsKey(token)) return; // its streams ended meanwhile
      long now = System.currentTimeMillis();
      if (ar.succeeded() && ar.result() <= now) {
        endToken(token);
        return;
      }
      long delay = ar.succeeded() ? ar.result() - now + 1 : heartbeatMillis;
      Long old = expiryTimers.put(token, vertx.setTimer(delay, id -> {
        expiryTimers.remove(token);
        if (byToken.containsKey(token)) watchExpiry(token);
      }));
      if (old != null) vertx.cancelTimer(old);
    });
  }

  /** Ends (cleanly, so the client sees the stream finish) every stream opened with this token. */
  private void endToken(String token) {
    Set<Stream> set = byToken.get(token);
    if (set == null) return;
    for (Stream s : List.copyOf(set)) {
      remove(s);
      if (!s.resp().ended() && !s.resp().closed()) s.resp().end();
    }
  }

  private void publish(FileEvent e) {
    Set<Stream> set = byUser.get(e.user());
    if (set == null) return;
    // name stays the full path for v1 clients; path says the same for folder-aware ones, and a move
    // names where the entry came from. A file's size and hash come with it (uploaded, or moved).
    JsonObject data = new JsonObject().put("type", e.type()).put("name", e.name()).put("path", e.name());
    if (e.from() != null) data.put("from", e.from());
    if (e.sha256() != null) {
      data.put("size", e.size()).put("sha256", e.sha256());
    }
    data.put("modified", Json.time(e.modified()));
    String frame = "event: file\ndata: " + data.encode() + "\n\n";
    for (Stream s : List.copyOf(set)) send(s, frame);
  }

  private void heartbeat() {
    for (Set<Stream> set : List.copyOf(byUser.values())) {
      for (Stream s : List.copyOf(set)) send(s, ": ping\n\n");
    }
  }

  private void send(Stream s, String frame) {
    HttpServerResponse r = s.resp();
    if (r.closed() || r.ended()) {
      remove(s);
      return;
    }
    if (r.writeQueueFull()) {
      remove(s);
      r.reset();
      return;
    }
    r.write(frame);
  }
}
