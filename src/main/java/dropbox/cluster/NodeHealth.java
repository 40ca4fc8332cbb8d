package dropbox.cluster;

import dropbox.Config;
import dropbox.files.PrivateFiles;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * The node's health for GET /health (http/Health mounts {@link #healthChecks()}):
 * the storage root is writable (a real create + delete, because a
 * stale NFS mount still answers isWritable), the event bus delivers, and when clustered this node is a
 * live member. Every probe has a timeout and at most one storage probe runs at a time (checks that
 * overlap share it), so a hung mount makes the node report DOWN instead of piling up blocked threads.
 */
public final class NodeHealth {
  private static final long PROBE_TIMEOUT_MS = 3000;

  private final Vertx vertx;
  private final Path root;
  private final String pingAddress = "dropbox.health." + UUID.randomUUID();
  /** The storage probe in flight, or null (guarded by this). */
  private Future<JsonObject> storageProbe;
  private final MessageConsumer<String> pong;

  public NodeHealth(Vertx vertx, JsonObject config) {
    this.vertx = vertx;
    this.root = Path.of(Config.string(config, "storage.root"));
    // Local consumer: the ping proves this node's bus dispatch works without depending on other nodes.
    this.pong = vertx.eventBus().localConsumer(pingAddress, m -> m.reply("pong"));
  }

  /** {"status":"UP"|"DOWN", "storage":{...}, "eventBus":{...}, "cluster":{...}}; never fails. */
  public Future<JsonObject> check() {
    Future<JsonObject> storage = storage();
    Future<JsonObject> bus = eventBus();
    Future<JsonObject> cluster = cluster();
    return Future.join(List.of(storage, bus, cluster)).transform(ar -> {
      JsonObject s = storage.result();
      JsonObject b = bus.result();
      JsonObject c = cluster.result();
      boolean up = s.getBoolean("ok") && b.getBoolean("ok") && c.getBoolean("ok");
      return Future.succeededFuture(new JsonObject().put("status", up ? "UP" : "DOWN")
          .put("storage", s).put("eventBus", b).put("cluster", c));
    });
  }

  public Future<Void> close() { return pong.unregister(); }

  /**
   * The same probes as vertx-health-check procedures ("storage", "eventBus", "cluster"), for
   * HealthCheckHandler: 200 {"status":"UP",...} when all are up, 503 otherwise.
   */
  public HealthChecks healthChecks() {
    HealthChecks hc = HealthChecks.create(vertx);
    register(hc, "storage", this::storage);
    register(hc, "eventBus", this::eventBus);
    register(hc, "cluster", this::cluster);
    return hc;
  }

  private static void register(HealthChecks hc, String name, java.util.function.Supplier<Future<JsonObject>> probe) {
    // The probes time out on their own (PROBE_TIMEOUT_MS); the procedure timeout is only a backstop.
    hc.register(name, 2 * PROBE_TIMEOUT_MS, p -> probe.get().onComplete(ar -> {
      JsonObject r = ar.succeeded() ? ar.result() : down("probe failed");
      p.complete(r.getBoolean("ok") ? Status.OK(r) : Status.KO(r));
    }));
  }

  /**
   * Checks that overlap share the probe that is running: two balancers (or a readiness and a liveness
   * probe) asking at once both get its answer. Each used to get DOWN "previous probe still running" from
   * a healthy node. A hung probe still holds one thread only; every check waiting on it times out.
   */
  private Future<JsonObject> storage() {
    Future<JsonObject> probe;
    synchronized (this) {
      probe = storageProbe;
      if (probe == null) {
        probe = vertx.executeBlocking(() -> {
          if (!Files.isDirectory(root)) return down("storage root missing");
          Path p = root.resolve(".health-" + UUID.randomUUID());
          PrivateFiles.writeNew(p, new byte[] {1});
          Files.delete(p);
          return new JsonObject().put("ok", true);
        }, false).recover(e -> Future.succeededFuture(down("storage root not writable")));
        storageProbe = probe;
        Future<JsonObject> mine = probe;
        probe.onComplete(ar -> {
          synchronized (this) {
            if (storageProbe == mine) storageProbe = null;
          }
        });
      }
    }
    return withTimeout(probe, "storage probe timed out");
  }

  private Future<JsonObject> eventBus() {
    return vertx.eventBus().request(pingAddress, "ping", new DeliveryOptions().setSendTimeout(PROBE_TIMEOUT_MS))
        .map(m -> new JsonObject().put("ok", true))
        .recover(e -> Future.succeededFuture(down("event bus did not answer")));
  }

  private Future<JsonObject> cluster() {
    ClusterManager cm = vertx instanceof VertxInternal vi ? vi.clusterManager() : null;
    if (cm == null) return Future.succeededFuture(new JsonObject().put("ok", true).put("clustered", false));
    return withTimeout(vertx.executeBlocking(() -> {
      JsonObject out = new JsonObject().put("clustered", true);
      boolean active = cm.isActive();
      List<String> nodes = active ? cm.getNodes() : List.of();
      out.put("members", nodes.size()).put("nodeId", cm.getNodeId());
      // Not part of UP/DOWN: after a member leaves, the cluster is unsafe until backups are promoted,
      // and a balancer that dropped every node for that would turn a node loss into an outage.
      if (active && cm instanceof HazelcastClusterManager hz) {
        out.put("safe", hz.getHazelcastInstance().getPartitionService().isClusterSafe());
      }
      return out.put("ok", active && nodes.contains(cm.getNodeId()));
    }, false).recover(e -> Future.succeededFuture(down("cluster state unavailable").put("clustered", true))),
        "cluster probe timed out");
  }

  private Future<JsonObject> withTimeout(Future<JsonObject> f, String reason) {
    Promise<JsonObject> p = Promise.promise();
    long timer = vertx.setTimer(PROBE_TIMEOUT_MS, t -> p.tryComplete(down(reason)));
    f.onComplete(ar -> {
      vertx.cancelTimer(timer);
      p.tryComplete(ar.succeeded() ? ar.result() : down(reason));
    });
    return p.future();
  }

  private static JsonObject down(String reason) { return new JsonObject().put("ok", false).put("reason", reason); }
}
