package dropbox.metrics;

import dropbox.bus.Priority;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** Gauges over the storage worker pool: queue depth per priority, running jobs, time spent queued. */
public final class StorageMetrics implements AutoCloseable {
  private final MeterRegistry registry;
  private final List<Meter> meters = new ArrayList<>();

  private StorageMetrics(MeterRegistry registry) { this.registry = registry; }

  /** Registers the dispatcher's meters (nothing when metrics are off); close() removes them again. */
  public static StorageMetrics bind(WorkQueue d) {
    MeterRegistry r = Metrics.registry();
    StorageMetrics m = new StorageMetrics(r);
    if (r == null) return m;
    for (Priority p : Priority.values()) {
      m.meters.add(Gauge.builder("dropbox.storage.queue.depth", d, x -> x.depth(p))
          .tag("priority", p.name().toLowerCase(Locale.ROOT))
          .description("Storage commands waiting for a worker").register(r));
    }
    m.meters.add(Gauge.builder("dropbox.storage.running", d, WorkQueue::running)
        .description("Storage commands being executed").register(r));
    m.meters.add(FunctionTimer.builder("dropbox.storage.queue.wait", d, WorkQueue::startedJobs,
            WorkQueue::totalWaitNanos, TimeUnit.NANOSECONDS)
        .description("Time storage commands spent queued before a worker took them").register(r));
    return m;
  }

  @Override
  public void close() {
    if (registry != null) meters.forEach(registry::remove);
    meters.clear();
  }
}
