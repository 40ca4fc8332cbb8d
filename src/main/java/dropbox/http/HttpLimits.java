package dropbox.http;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node-wide counters behind the HTTP limits, shared by every HttpVerticle instance of a node (each
 * runs on its own event loop, so these are thread-safe): open connections (http.maxConnections) and open
 * event streams per user (http.maxStreamsPerUser).
 */
public final class HttpLimits {
  final AtomicInteger connections = new AtomicInteger();
  private final ConcurrentMap<String, Integer> streams = new ConcurrentHashMap<>();

  /** Takes one of the user's stream slots, or returns false when they already hold max. */
  boolean acquireStream(String user, int max) {
    boolean[] got = {false};
    streams.compute(user, (u, n) -> {
      int held = n == null ? 0 : n;
      if (held >= max) return n;
      got[0] = true;
      return held + 1;
    });
    return got[0];
  }

  void releaseStream(String user) {
    streams.computeIfPresent(user, (u, n) -> n <= 1 ? null : n - 1);
  }
}
