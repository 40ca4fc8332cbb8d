package dropbox.storage;

import dropbox.Config;
import dropbox.auth.SignupRepository;
import dropbox.bus.Action;
import dropbox.bus.Addresses;
import dropbox.bus.DownloadHandle;
import dropbox.bus.ErrorCode;
import dropbox.bus.LocalInbox;
import dropbox.bus.FileInfo;
import dropbox.bus.FolderEntry;
import dropbox.bus.FolderSort;
import dropbox.bus.Priority;
import dropbox.bus.StorageException;
import dropbox.bus.StorageFull;
import dropbox.cluster.Membership;
import dropbox.files.PrivateFiles;
import dropbox.metrics.Metrics;
import dropbox.metrics.StorageMetrics;
import dropbox.storage.meta.DeferredSync;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage worker of a node: takes commands from {@link Addresses#STORAGE}, queues them by priority and
 * runs them on the dispatcher's bounded pool (the blocking file work never touches an event loop), then
 * replies. One instance per node; every node's instance serves any user.
 */
public final class StorageVerticle extends VerticleBase {
  private RootLock rootLock; // unclustered only
  private static final Logger LOG = LoggerFactory.getLogger(StorageVerticle.class);
  private static final long MAINTENANCE_PERIOD_MS = 60_000;
  /** How often the upkeep looks whether the storage is nearly full ({@link StorageUpkeep#relieve}). */
  private static final long RELIEF_PERIOD_MS = 5_000;

  private final LockManager locks;
  private final boolean alone;
  private StorageEngine engine;
  private StorageUpkeep upkeep;
  private volatile SignupRepository signups;
  private PriorityDispatcher dispatcher;
  private MessageConsumer<JsonObject> consumer;
  /** The same handler, for the front ends' inboxes on their own event loops (LocalInbox). */
  private final Handler<Message<JsonObject>> inboxHandler = this::handle;
  private StorageMetrics metrics;
  private Runnable stopWatchingMembers = () -> { };
  private long maintenanceTimer = -1;
  private long heartbeatTimer = -1;
  /** A heartbeat is being written (a slow database must not pile them up on the worker pool). */
  private final java.util.concurrent.atomic.AtomicBoolean beating = new java.util.concurrent.atomic.AtomicBoolean();
  private long reliefTimer = -1;
  /** A relief check queued or running: the next tick skips, so a slow disk never piles them up. */
  private final AtomicBoolean relieving = new AtomicBoolean();
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
    root = Path.of(Config.string(cfg, "storage.root")).toAbsolutePath().normalize();
    // Clustered: the node's cluster id, the one the membership reports when this node is gone.
    String clusterId = Membership.localNodeId(vertx);
    String nodeId = clusterId != null ? clusterId : UUID.randomUUID().toString();
    lockTtlMillis = Config.integer(cfg, "locks.ttlMillis");
    dispatcher = new PriorityDispatcher("dropbox-storage", Config.integer(cfg, "workers.threads"),
        Config.integer(cfg, "workers.queueCapacity"));
    metrics = StorageMetrics.bind(dispatcher);

    // Opening v2 connects to the database and may migrate it: blocking work, off the event loop.
    return vertx.executeBlocking(() -> {
          if (alone) rootLock = RootLock.acquire(root);
          StorageEngines.Opened opened = StorageEngines.open(cfg, locks, alone, () -> Membership.liveNodeIds(vertx),
              nodeId, e -> DeferredSync.afterDurable(() -> vertx.eventBus().publish(Addresses.FILE_EVENTS, e.toJson())));
          engine = opened.engine();
          upkeep = opened.upkeep();
          signups = opened.signups();
          upkeep.heartbeat(); // before recovery: the other nodes' maintenance sees this one alive from now on
          return recover();
        }, false)
        .onFailure(e -> { // a failed start is never stopped: do not leak the database pool or the root
          if (engine != null) engine.close();
          releaseRoot();
        })
        .compose(v -> {
          consumer = vertx.eventBus().consumer(Addresses.STORAGE, this::handle);
          LocalInbox.serve(vertx, inboxHandler);
          maintenanceTimer = vertx.setPeriodic(MAINTENANCE_PERIOD_MS, id -> scheduleMaintenance());
          // Not through the bounded queue: a node too busy to queue its heartbeat is still alive.
          if (!alone) heartbeatTimer = vertx.setPeriodic(V2Upkeep.HEARTBEAT_PERIOD_MS, id -> heartbeat());
          reliefTimer = vertx.setPeriodic(RELIEF_PERIOD_MS, id -> scheduleRelief());
          // A member that died mid-upload leaves reservations that block its users' quota, and one that
          // died mid-commit a ledger that differs from the files: repair both as soon as the dead node's
          // locks have expired (its critical sections are over) and its heartbeat is old enough to call it
          // dead (V2Upkeep.liveOwners), not a staleness period later.
          long afterLocks = Math.max(lockTtlMillis, V2Upkeep.HEARTBEAT_LIVE_MS) + 2000L;
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
    upkeep.recover();
    LOG.info("storage recovery done in {} ms", (System.nanoTime() - t0) / 1_000_000);
    return null;
  }

  private void heartbeat() {
    if (!beating.compareAndSet(false, true)) return;
    vertx.executeBlocking(() -> {
      upkeep.heartbeat();
      return null;
    }, false).onComplete(ar -> {
      beating.set(false);
      if (ar.failed()) LOG.warn("heartbeat failed: {}", ar.cause().toString());
    });
  }

  private void scheduleMaintenance() {
    dispatcher.submit(Priority.LOW, () -> {
      try {
        upkeep.maintain();
      } catch (Exception e) {
        LOG.warn("maintenance failed: {}", e.toString());
      }
    }, () -> { });
  }

  private void scheduleRelief() {
    if (!relieving.compareAndSet(false, true)) return;
    boolean queued = dispatcher.submit(Priority.LOW, () -> {
      try {
        upkeep.relieve();
      } catch (Exception e) {
        LOG.warn("low-space check failed: {}", e.toString());
      } finally {
        relieving.set(false);
      }
    }, () -> relieving.set(false));
    if (!queued) relieving.set(false); // the queue is full: the next tick asks again
  }

  private void handle(Message<JsonObject> msg) {
    Action action = Action.fromWire(msg.headers().get(Addresses.ACTION));
    if (action == null) {
      msg.fail(ErrorCode.BAD_REQUEST.number(), "Unknown action");
      return;
    }
    Priority p = Priority.parse(msg.headers().get(Addresses.PRIORITY));
    JsonObject body = msg.body();
    if (action == Action.DOWNLOAD_OPEN && answeredFromMemory(msg, body)) return;
    boolean queued = dispatcher.submit(p,
        () -> reply(msg, () -> execute(action, body)),
        () -> context.runOnContext(v -> msg.fail(ErrorCode.SHUTTING_DOWN.number(), "Server is shutting down")),
        action.givesBack());
    if (!queued) {
      Metrics.storageFailure(action.wire(), ErrorCode.BUSY.name());
      msg.fail(ErrorCode.BUSY.number(), "Server busy, please try again later");
    }
  }

  /**
   * A download of a small file whose row and bytes the lookup cache holds needs no blocking work, so it is
   * answered here, on the event loop that received it, with the handle a worker would have made: measured
   * with wrk (4 KiB GET, 32 connections) the queue hand-off, the worker's wake-up and its reply were about a
   * fifth of the server's CPU per request. Anything else (a miss, a content file, a bad field) goes to
   * the queue as before, which also answers every error.
   */
  private boolean answeredFromMemory(Message<JsonObject> msg, JsonObject body) {
    Optional<DownloadHandle> hit;
    try {
      CommandFields b = new CommandFields(body);
      hit = engine.cachedDownload(b.user(), b.name());
    } catch (RuntimeException invalid) {
      return false;
    }
    if (hit.isEmpty()) return false;
    msg.reply(hit.get().toJson());
    return true;
  }

  private JsonObject execute(Action action, JsonObject body) {
    CommandFields b = new CommandFields(body);
    String user = b.user();
    switch (action) {
      case UPLOAD_OPEN:
        return engine.openUpload(user, b.name(), b.number("size", -1L), b.optionalText("node")).toJson();
      case UPLOAD_EXTEND:
        return new JsonObject().put("reservedBytes", engine.extendUpload(user, b.uploadId(), b.number("bytes", 0L)));
      case UPLOAD_COMMIT:
        return engine.commitUpload(user, b.name(), b.uploadId(), b.number("size", null), b.text("sha256"),
            b.preconditions(), b.optionalText("node")).toJson();
      case UPLOAD_SMALL:
        return engine.putSmall(user, b.name(), b.bytes("content"), b.preconditions(), b.optionalText("node")).toJson();
      case UPLOAD_ABORT:
        engine.abortUpload(user, b.uploadId(), b.optionalText("node"));
        return new JsonObject();
      case DOWNLOAD_OPEN:
        return engine.openDownload(user, b.name()).toJson();
      case DELETE:
        return engine.delete(user, b.name()).toJson();
      case LIST:
        // With a limit, one page of the listing (GET /api/files?limit=); without, all of it (TCP LIST).
        return body.containsKey("limit")
            ? engine.listPage(user, limit(b.number("limit", null)), b.optionalText("cursor")).toJson()
            : engine.list(user).toJson();
      case USAGE:
        return engine.usage(user).toJson();
      case LIST_FOLDER:
        return engine.listFolder(user, b.name(), limit(b.number("limit", 1000L)), b.optionalText("cursor"),
            FolderSort.readFrom(body)).toJson();
      case MKDIR:
        return engine.mkdir(user, b.name()).toJson();
      case MOVE:
        return entry(engine.move(user, b.text("from"), b.text("to"), b.flag("overwrite")));
      case COPY:
        return entry(engine.copy(user, b.text("from"), b.text("to"), b.flag("overwrite")));
      case RMDIR:
        engine.rmdir(user, b.name());
        return new JsonObject();
      case STAT:
        return engine.stat(user, b.text("name")).toJson();
      case SET_MODIFIED:
        return engine.setModified(user, b.name(), b.number("modified", null)).toJson();
      case PROPS_GET:
        return new JsonObject().put("props", dropbox.bus.DeadProperty.toJson(engine.properties(user, b.text("name"))));
      case PROPS_PATCH:
        engine.patchProperties(user, b.text("name"), b.properties("set"), b.properties("remove"));
        return new JsonObject();
      default:
        throw StorageException.of(ErrorCode.BAD_REQUEST, "Unknown action");
    }
  }

  /** A page size beyond int stays out of range (the engine refuses it) instead of wrapping into range. */
  private static int limit(long n) { return n < 0 || n > Integer.MAX_VALUE ? -1 : (int) n; }

  /** A moved or copied entry with its type: only a file has content, so only a file has a sha256. */
  private static JsonObject entry(FileInfo info) {
    return new FolderEntry(info.sha256() == null, info).toJson();
  }

  /**
   * Runs on a dispatcher thread; the reply itself is sent from this verticle's context. Commands are
   * validated explicitly (CommandFields), so any other exception is a bug of ours: INTERNAL to the
   * sender, one ERROR line with the action and the stack trace in our log.
   */
  private void reply(Message<JsonObject> msg, Supplier<JsonObject> work) {
    String action = msg.headers().get(Addresses.ACTION);
    // Answered from the worker thread: the event bus delivers the reply on the sender's own context, so
    // going through this verticle's event loop first was one more thread hand-off per command for nothing.
    // The command's commits are made durable after it released its locks, before it answers (DeferredSync).
    try (DeferredSync sync = DeferredSync.open()) {
      JsonObject result = work.get();
      sync.await();
      msg.reply(result);
    } catch (StorageException e) {
      fail(msg, action, e);
    } catch (RuntimeException | Error e) { // an Error too (e.g. OutOfMemoryError): the sender gets an answer
      if (StorageFull.causedBy(e)) {
        fail(msg, action, StorageFull.report(e));
        return;
      }
      LOG.error("storage command {} failed", action, e);
      fail(msg, action, StorageException.of(ErrorCode.INTERNAL, "Internal error"));
    }
  }

  private static void fail(Message<JsonObject> msg, String action, StorageException e) {
    Metrics.storageFailure(action, e.code().name());
    msg.fail(e.code().number(), e.getMessage());
  }

  public PriorityDispatcher dispatcher() { return dispatcher; }

  /**
   * Once started: the sign-ups in the engine's database (storage.engine=v2), on the engine's pool, so a
   * node opens its database once; null on v1 (account files). Valid until this verticle stops.
   */
  public SignupRepository signups() { return signups; }

  @Override
  public Future<?> stop() {
    LocalInbox.withdraw(vertx, inboxHandler);
    if (maintenanceTimer >= 0) vertx.cancelTimer(maintenanceTimer);
    if (heartbeatTimer >= 0) vertx.cancelTimer(heartbeatTimer);
    if (reliefTimer >= 0) vertx.cancelTimer(reliefTimer);
    if (metrics != null) metrics.close();
    stopWatchingMembers.run();
    Future<Void> unregister = consumer == null ? Future.succeededFuture() : consumer.unregister();
    return unregister.compose(v -> vertx.executeBlocking(() -> {
      if (!dispatcher.shutdown(30_000)) LOG.warn("storage work still running at shutdown");
      if (engine != null) engine.close();
      releaseRoot();
      return null;
    }, false));
  }

  private void releaseRoot() {
    if (rootLock == null) return;
    try {
      rootLock.close();
    } catch (java.io.IOException e) {
      LOG.warn("storage root lock not released: {}", e.toString());
    }
    rootLock = null;
  }
}
