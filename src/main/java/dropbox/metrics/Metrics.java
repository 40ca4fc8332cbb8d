package dropbox.metrics;

import dropbox.Config;
import dropbox.bus.DownloadBuffers;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.Match;
import io.vertx.micrometer.MatchType;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The application's metrics, on the registry Vert.x's Micrometer integration creates (which also carries
 * Vert.x's own event-bus, HTTP, TCP and pool metrics). Front ends count through these static helpers and
 * never touch Micrometer; every helper is a cheap no-op when metrics are disabled (metrics.enabled=false).
 *
 * <p>Names follow Micrometer conventions (dots); Prometheus renders "dropbox.tcp.commands" as
 * dropbox_tcp_commands_total.
 */
public final class Metrics {
  private Metrics() {}

  /** Turns Vert.x metrics on (Prometheus registry, JVM metrics) unless metrics.enabled is false. */
  public static VertxOptions configure(VertxOptions opts, JsonObject config) {
    if (enabledIn(config)) {
      opts.setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true)
          .setLabels(LABELS).setLabelMatches(BOUNDED_LABELS)
          .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)));
    }
    return opts;
  }

  /**
   * Vert.x's labels minus anything a client chooses freely: HTTP series carry the route template (not the
   * path), the status code (chosen by us) and the method; pools and the event-bus side are ours too.
   */
  static final EnumSet<Label> LABELS =
      EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE, Label.POOL_TYPE, Label.POOL_NAME, Label.EB_SIDE);

  /** The methods that keep their own label value (HTTP's and WebDAV's); every other token counts as OTHER. */
  static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS",
      "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK");

  /**
   * Label rewrites so a client cannot create series: an unknown method becomes OTHER and a request that
   * matched no route (404s, refusals before routing) gets route "other" instead of "".
   */
  static final List<Match> BOUNDED_LABELS = List.of(
      new Match().setLabel(Label.HTTP_METHOD.toString()).setType(MatchType.REGEX)
          .setValue("(?!(" + String.join("|", METHODS) + ")$).*").setAlias("OTHER"),
      new Match().setLabel(Label.HTTP_ROUTE.toString()).setType(MatchType.EQUALS).setValue("").setAlias("other"));

  /** Adds the metrics factory explicitly (a shaded jar must not depend on ServiceLoader order). */
  public static VertxBuilder builder(VertxBuilder b, JsonObject config) {
    return enabledIn(config) ? b.withMetrics(new MicrometerMetricsFactory()) : b;
  }

  private static boolean enabledIn(JsonObject config) {
    Object v = Config.get(config, "metrics.enabled");
    return v == null || Boolean.TRUE.equals(v);
  }

  /** The registry, or null when metrics are off. */
  public static MeterRegistry registry() { return BackendRegistries.getDefaultNow(); }

  public static boolean enabled() { return registry() != null; }

  /** Node-level gauges that need the Vert.x instance: cluster size (1 when not clustered). */
  public static void bindNode(Vertx vertx) {
    MeterRegistry r = registry();
    if (r == null) return;
    Gauge.builder("dropbox.cluster.members", vertx, Metrics::clusterSize)
        .description("Members of the cluster as this node sees them").strongReference(false).register(r);
    Gauge.builder("dropbox.download.buffered.bytes", DownloadBuffers.PROCESS, DownloadBuffers::inUse)
        .description("Bytes of TLS and HTTP/2 downloads read and not yet taken by their sockets").register(r);
    Gauge.builder("dropbox.download.waiting", DownloadBuffers.PROCESS, DownloadBuffers::waiting)
        .description("Downloads waiting for room in the process's download buffer budget").register(r);
  }

  static double clusterSize(Vertx vertx) {
    ClusterManager cm = vertx instanceof VertxInternal vi ? vi.clusterManager() : null;
    if (cm == null) return 1;
    try {
      return cm.getNodes().size();
    } catch (RuntimeException e) {
      return 0; // cluster manager already shut down
    }
  }

  // ------------------------------------------------------------- helpers for the front ends

  /** Adds one to a counter; tags are key, value pairs. */
  public static void increment(String name, String... tags) { add(name, 1, tags); }

  public static void add(String name, double amount, String... tags) {
    MeterRegistry r = registry();
    if (r != null) r.counter(name, tags).increment(amount);
  }

  /** Records a duration in a timer (percentile-free: cheap). */
  public static void time(String name, long nanos, String... tags) {
    MeterRegistry r = registry();
    if (r != null) r.timer(name, tags).record(nanos, TimeUnit.NANOSECONDS);
  }

  // The per-operation counters: their meters are made once per tag value (CounterHandles), not looked up per count.
  private static final CounterHandles TCP_COMMANDS = new CounterHandles("dropbox.tcp.commands", "command");
  private static final CounterHandles BYTES_IN = new CounterHandles("dropbox.bytes.in", "protocol");
  private static final CounterHandles BYTES_OUT = new CounterHandles("dropbox.bytes.out", "protocol");

  /** One TCP command, by its upper-case verb; pass "OTHER" for unknown verbs so label values stay bounded. */
  public static void tcpCommand(String verb) { TCP_COMMANDS.add(verb, 1); }

  /** File bytes received from clients, protocol "tcp" or "http". */
  public static void bytesIn(String protocol, long bytes) { BYTES_IN.add(protocol, bytes); }

  /** File bytes sent to clients, protocol "tcp" or "http". */
  public static void bytesOut(String protocol, long bytes) { BYTES_OUT.add(protocol, bytes); }

  /**
   * A storage command that failed with a code (BUSY, NOT_FOUND, ...), by action. Counted by the storage
   * worker, so quota rejections are dropbox_storage_failures_total{code="QUOTA_EXCEEDED"} (and TOO_LARGE).
   */
  public static void storageFailure(String action, String code) {
    increment("dropbox.storage.failures", "action", action, "code", code);
  }
}
