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
 */
final class EventsSse {
  static final long DEFAULT_HEARTBEAT_MILLIS = 15_000;
  static final int MAX_STREAMS = 2_000;

  private final Vertx vertx;
  private final long heartbeatMillis;
  private final Map<String, Set<HttpServerResponse>> byUser = new HashMap<>();
  private int streams;
  private MessageConsumer<JsonObject> consumer;
  private long timer = -1;

  EventsSse(Vertx vertx, long heartbeatMillis) {
    this.vertx = vertx;
    this.heartbeatMillis = heartbeatMillis;
  }

  Future<Void> start() {
    consumer = vertx.eventBus().consumer(Addresses.FILE_EVENTS, msg -> publish(FileEvent.fromJson(msg.body())));
    timer = vertx.setPeriodic(heartbeatMillis, id -> heartbeat());
    return consumer.completion();
  }

  Future<Void> stop() {
    if (timer >= 0) vertx.cancelTimer(timer);
    byUser.values().forEach(set -> set.forEach(r -> r.reset()));
    byUser.clear();
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  void handle(RoutingContext ctx) {
    if (streams >= MAX_STREAMS) {
      HttpErrors.send(ctx.response(), new HttpFailure(503, "busy", "Too many event streams; try again later", 5));
      return;
    }
    String user = ctx.get(Authenticator.USER);
    HttpServerResponse resp = ctx.response();
    resp.setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .putHeader("X-Accel-Buffering", "no");
    resp.setWriteQueueMaxSize(256 * 1024);
    byUser.computeIfAbsent(user, u -> new LinkedHashSet<>()).add(resp);
    streams++;
    resp.closeHandler(v -> remove(user, resp));
    resp.endHandler(v -> remove(user, resp));
    // The first bytes flush the headers, so a fetch() on the other side resolves at once.
    resp.write(": connected\nretry: 3000\n\n");
  }

  private void remove(String user, HttpServerResponse resp) {
    Set<HttpServerResponse> set = byUser.get(user);
    if (set != null && set.remove(resp)) {
      streams--;
      if (set.isEmpty()) byUser.remove(user);
    }
  }

  private void publish(FileEvent e) {
    Set<HttpServerResponse> set = byUser.get(e.user());
    if (set == null) return;
    JsonObject data = new JsonObject().put("type", e.type()).put("name", e.name());
    if (FileEvent.UPLOADED.equals(e.type())) {
      data.put("size", e.size()).put("sha256", e.sha256());
    }
    data.put("modified", Json.time(e.modified()));
    String frame = "event: file\ndata: " + data.encode() + "\n\n";
    for (HttpServerResponse r : List.copyOf(set)) send(e.user(), r, frame);
  }

  private void heartbeat() {
    for (Map.Entry<String, Set<HttpServerResponse>> en : List.copyOf(byUser.entrySet())) {
      for (HttpServerResponse r : List.copyOf(en.getValue())) send(en.getKey(), r, ": ping\n\n");
    }
  }

  private void send(String user, HttpServerResponse r, String frame) {
    if (r.closed() || r.ended()) {
      remove(user, r);
      return;
    }
    if (r.writeQueueFull()) {
      remove(user, r);
      r.reset();
      return;
    }
    r.write(frame);
  }
}
