package dropbox.auth;

import dropbox.cluster.SharedMaps;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.AsyncMap;
import java.util.function.Function;

/**
 * Read-modify-write of single entries of a SharedData map whose values carry a TTL: the same code
 * runs on the local map and, clustered, on Hazelcast's, so every node sees one value per key. A step
 * that loses its compare-and-set (another caller's update landed) is recomputed from the new value.
 */
final class CasMap {
  /** Each lost compare-and-set means another caller's update landed, so this many rounds is plenty. */
  private static final int MAX_ROUNDS = 1000;

  /** What to do with the current value, and what the update answers once it held. */
  record Step<R>(Kind kind, String value, long ttlMillis, R result) {
    enum Kind { KEEP, PUT, REMOVE }

    static <R> Step<R> keep(R result) { return new Step<>(Kind.KEEP, null, 0, result); }

    static <R> Step<R> put(String value, long ttlMillis, R result) { return new Step<>(Kind.PUT, value, ttlMillis, result); }

    static <R> Step<R> remove(R result) { return new Step<>(Kind.REMOVE, null, 0, result); }
  }

  private final Vertx vertx;
  private final String name;

  CasMap(Vertx vertx, String name) {
    this.vertx = vertx;
    this.name = name;
  }

  Future<String> get(String key) {
    return map().compose(m -> m.get(key));
  }

  /** Applies {@code step} to the current value (null when absent) until its write holds; yields its result. */
  <R> Future<R> update(String key, Function<String, Step<R>> step) {
    return map().compose(m -> round(m, key, step, 0));
  }

  private <R> Future<R> round(AsyncMap<String, String> m, String key, Function<String, Step<R>> step, int n) {
    if (n >= MAX_ROUNDS) return Future.failedFuture(new IllegalStateException("entry " + key + " of " + name + " is too contended"));
    return m.get(key).compose(old -> {
      Step<R> s = step.apply(old);
      Future<Boolean> held = switch (s.kind()) {
        case KEEP -> Future.succeededFuture(true);
        case PUT -> old == null
            ? m.putIfAbsent(key, s.value(), s.ttlMillis()).map(prev -> prev == null)
            : SharedMaps.replaceIfPresent(vertx, name, m, key, old, s.value(), s.ttlMillis());
        case REMOVE -> old == null ? Future.succeededFuture(true) : m.removeIfPresent(key, old);
      };
      return held.compose(ok -> ok ? Future.succeededFuture(s.result()) : round(m, key, step, n + 1));
    });
  }

  private Future<AsyncMap<String, String>> map() {
    return vertx.sharedData().<String, String>getAsyncMap(name);
  }
}
