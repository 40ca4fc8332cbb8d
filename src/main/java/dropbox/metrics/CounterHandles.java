package dropbox.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The counters of one name with one tag, created once per tag value instead of looked up on every count:
 * MeterRegistry.counter(name, tags) builds a Meter.Id (tags sorted, merged with the registry's common tags,
 * filters applied) and searches the registry's map on each call, which a small TCP operation did up to three
 * times (command, bytes in or out). Kept per registry: a new Vert.x instance in the same JVM has a new
 * registry, and a counter of the old one would count into nothing. The tag values must be bounded (callers
 * map client-chosen values to a fixed set first).
 */
final class CounterHandles {
  private final String name;
  private final String tag;
  private volatile Snapshot current = new Snapshot(null);

  private record Snapshot(MeterRegistry registry, ConcurrentHashMap<String, Counter> counters) {
    Snapshot(MeterRegistry registry) { this(registry, new ConcurrentHashMap<>()); }
  }

  CounterHandles(String name, String tag) {
    this.name = name;
    this.tag = tag;
  }

  /** Adds amount to the counter for this tag value; nothing when metrics are off. */
  void add(String value, double amount) {
    MeterRegistry r = Metrics.registry();
    if (r == null) return;
    Snapshot s = current;
    if (s.registry != r) current = s = new Snapshot(r);
    Counter c = s.counters.get(value);
    if (c == null) c = s.counters.computeIfAbsent(value, v -> r.counter(name, tag, v));
    c.increment(amount);
  }
}
