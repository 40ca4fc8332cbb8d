package dropbox.storage;

import dropbox.Config;
import dropbox.bus.Action;
import dropbox.bus.Addresses;
import dropbox.bus.ErrorCode;
import dropbox.bus.Priority;
import dropbox.bus.StorageException;
import dropbox.cluster.Membership;
import dropbox.files.PrivateFiles;
import dropbox.metrics.Metrics;
import dropbox.metrics.StorageMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage worker of a node: takes commands from {@link Addresses#STORAGE}, queues them by priority and
 * runs them on the dispatcher's bounded pool (the blocking file work never touches an event loop), then
 * replies. One instance per node; every node's instance serves any user.
 */
public final class StorageVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(StorageVerticle.class);
  private static final long MAINTENANCE_PERIOD_MS = 60_000;

  private final LockManager locks;
  private final boolean alone;
  private StorageService service;
  private PriorityDispatcher dispatcher;
  private Fsck fsck;
  private MessageConsumer<JsonObject> consumer;
  private StorageMetrics metrics;
  private Runnable stopWatchingMembers = () -> { };
  private long maintenanceTimer = -1;
  private long staleMillis;
  private long graceMillis;
  private long lockTtlMillis;
  private Path root;

  /** alone = no other node shares the storage root (not clustered): recovery may reap every leftover. */
  public StorageVerticle(LockManager locks, boolean alone) {
    this.locks = locks;
    this.alone = alone;
  }

  @Override
  public Future<?> start() {
    JsonObject cfg = config();
    StorageLayout layout = new StorageLayout(Path.of(Config.string(cfg, "storage.root")));
    root = layout.root();
    // Clustered: the node's cluster id, the one the membership reports when this node is gone.
    String clusterId = Membership.localNodeId(vertx);
    String nodeId = clusterId != null ? clusterId : UUID.randomUUID().toString();
    lockTtlMillis = Config.integer(cfg, "locks.ttlMillis");
    service = new StorageService(layout, new DurableFiles(Config.bool(cfg, "storage.fsync")), locks,
        QuotaPolicy.from(cfg), Config.integer(cfg, "locks.timeoutMillis"), nodeId,
        e -> vertx.eventBus().publish(Addresses.FILE_EVENTS, e.toJson()), System::currentTimeMillis);
    fsck = new Fsck(service);
    // Uploads idle longer than twice the TCP idle timeout are dead (their connection was closed).
    staleMillis = Config.longValue(cfg, "storage.stagingStaleSeconds",
        Math.max(600, 2L * Config.integer(cfg, "tcp.idleTimeoutSeconds"))) * 1000;
    graceMillis = Config.longValue(cfg, "storage.graceSeconds", 3600) * 1000;
    dispatcher = new PriorityDispatcher("dropbox-storage", Config.integer(cfg, "workers.threads"),
        Config.integer(cfg, "workers.queueCapacity"));
    metrics = StorageMetrics.bind(dispatcher);

    return vertx.executeBlocking(this::recover, false)
        .compose(v -> {
          consumer = vertx.eventBus().consumer(Addresses.STORAGE, this::handle);
          maintenanceTimer = vertx.setPeriodic(MAINTENANCE_PERIOD_MS, id -> scheduleMaintenance());
          // A member that died mid-upload leaves reservations that block its users' quota, and one that
          // died mid-commit a ledger that differs from the files: repair both as soon as the dead node's
          // locks have expired (its critical sections are over), not a staleness period later.
          long afterLocks = lockTtlMillis + 2000L;
          stopWatchingMembers = Membership.onMemberLeft(vertx,
              () -> vertx.setTimer(afterLocks, t -> scheduleMaintenance()));
          return consumer.completion();
        });
  }

  private Void recover() throws Exception {
    long t0 = System.nanoTime();
    // A root written by an older version has 0644 files and 0755 directories: bring them to 0600/0700.
    int tightened = PrivateFiles.tighten(root);
    if (tightened > 0) LOG.warn("storage root {}: made {} files and directories private (0600/0700)", root, tightened);
    List<Fsck.Problem> problems = new ArrayList<>(releaseDepartedNodes());
    problems.addAll(fsck.run(true, alone ? 0 : staleMillis, System.currentTimeMillis()));
    int swept = fsck.sweepGarbage(graceMillis, System.currentTimeMillis());
    problems.forEach(p -> LOG.warn("recovery repaired: {}", p));
    LOG.info("storage recovery done in {} ms: {} problems repaired, {} old content files removed",
        (System.nanoTime() - t0) / 1_000_000, problems.size(), swept);
    return null;
  }

  private void scheduleMaintenance() {
    dispatcher.submit(Priority.LOW, () -> {
      try {
        releaseDepartedNodes().forEach(p -> LOG.info("maintenance repaired: {}", p));
        fsck.run(true, staleMillis, System.currentTimeMillis()).forEach(p -> LOG.info("maintenance repaired: {}", p));
        fsck.sweepGarbage(graceMillis, System.currentTimeMillis());
      } catch (Exception e) {
        LOG.warn("maintenance failed: {}", e.toString());
      }
    }, () -> { });
  }

  /**
   * Clustered: frees the reservations of uploads whose owner node is no longer a member (killed, or a
   * whole cluster restarted). Reservations younger than the lock TTL are left alone: their node may have
   * joined a moment ago. Alone, recovery's fsck already reaps every leftover.
   */
  private List<Fsck.Problem> releaseDepartedNodes() throws IOException {
    if (alone) return List.of();
    Set<String> live = Membership.liveNodeIds(vertx);
    if (live == null || live.isEmpty()) return List.of();
    return fsck.releaseReservationsOfDepartedNodes(live::contains, System.currentTimeMillis() - lockTtlMillis);
  }

  private void handle(Message<JsonObject> msg) {
    Action action = Action.fromWire(msg.headers().get(Addresses.ACTION));
    if (action == null) {
      msg.fail(ErrorCode.BAD_REQUEST.number(), "Unknown action");
      return;
    }
    Priority p = Priority.parse(msg.headers().get(Addresses.PRIORITY));
    JsonObject body = msg.body();
    boolean queued = dispatcher.submit(p,
        () -> reply(msg, () -> execute(action, body)),
        () -> context.runOnContext(v -> msg.fail(ErrorCode.SHUTTING_DOWN.number(), "Server is shutting down")));
    if (!queued) {
      Metrics.storageFailure(action.wire(), ErrorCode.BUSY.name());
      msg.fail(ErrorCode.BUSY.number(), "Server busy, please try again later");
    }
  }

  private JsonObject execute(Action action, JsonObject body) {
    CommandFields b = new CommandFields(body);
    String user = b.user();
    switch (action) {
      case UPLOAD_OPEN:
        return service.openUpload(user, b.name(), b.number("size", -1L), b.optionalText("node")).toJson();
      case UPLOAD_EXTEND:
        return new JsonObject().put("reservedBytes", service.extendUpload(user, b.uploadId(), b.number("bytes", 0L)));
      case UPLOAD_COMMIT:
        return service.commitUpload(user, b.name(), b.uploadId(), b.number("size", null), b.text("sha256"),
            b.preconditions()).toJson();
      case UPLOAD_ABORT:
        service.abortUpload(user, b.uploadId());
        return new JsonObject();
      case DOWNLOAD_OPEN:
        return service.openDownload(user, b.name()).toJson();
      case DELETE:
        return service.delete(user, b.name()).toJson();
      case LIST:
        return service.list(user).toJson();
      case USAGE:
        return service.usage(user).toJson();
      default:
        throw StorageException.of(ErrorCode.BAD_REQUEST, "Unknown action");
    }
  }

  /**
   * Runs on a dispatcher thread; the reply itself is sent from this verticle's context. Commands are
   * validated explicitly (CommandFields), so any other exception is a bug of ours: INTERNAL to the
   * sender, one ERROR line with the action and the stack trace in our log.
   */
  private void reply(Message<JsonObject> msg, Supplier<JsonObject> work) {
    String action = msg.headers().get(Addresses.ACTION);
    try {
      JsonObject result = work.get();
      context.runOnContext(v -> msg.reply(result));
    } catch (StorageException e) {
      Metrics.storageFailure(action, e.code().name());
      context.runOnContext(v -> msg.fail(e.code().number(), e.getMessage()));
    } catch (RuntimeException e) {
      LOG.error("storage command {} failed", action, e);
      Metrics.storageFailure(action, ErrorCode.INTERNAL.name());
      context.runOnContext(v -> msg.fail(ErrorCode.INTERNAL.number(), "Internal error"));
    }
  }

  public PriorityDispatcher dispatcher() { return dispatcher; }

  @Override
  public Future<?> stop() {
    if (maintenanceTimer >= 0) vertx.cancelTimer(maintenanceTimer);
    if (metrics != null) metrics.close();
    stopWatchingMembers.run();
    Future<Void> unregister = consumer == null ? Future.succeededFuture() : consumer.unregister();
    return unregister.compose(v -> vertx.executeBlocking(() -> {
      if (!dispatcher.shutdown(30_000)) LOG.warn("storage work still running at shutdown");
      return null;
    }, false));
  }
}
