package dropbox.storage;

import dropbox.bus.ErrorCode;
import dropbox.bus.StorageException;
import dropbox.cluster.ClusterSetup;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.shareddata.Lock;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster-wide exclusive locks of our own, because the clustered SharedData lock of vertx-hazelcast 5.0.7
 * is not exclusive (shared/evidence/clustered-lock-probe.md).
 *
 * <p>A lock is an entry of one cluster-wide AsyncMap: {@code putIfAbsent(name, token, ttl)} returning null
 * means we hold it; {@code removeIfPresent(name, token)} gives it back, so nobody can free a lock they do
 * not hold. A node-local lock per name sits in front, so only one caller per node polls the map for a name
 * (no thundering herd, FIFO among local waiters). The holder renews the entry's TTL while it holds the lock;
 * a crashed holder stops renewing and its entry expires after {@code ttlMs}.
 *
 * <p>Renewal goes to Hazelcast's IMap directly ({@code setTtl}), because through the AsyncMap API it cannot
 * be done: vertx-hazelcast 5.0.7 does not implement {@code replaceIfPresent} with a TTL, and a plain
 * {@code replaceIfPresent} drops the entry's TTL altogether (measured: the entry then never expires, so a
 * crashed holder would block the name forever). Hazelcast keeps entry times in whole seconds, so a TTL
 * under a few seconds expires early (measured: 300 ms entries vanished within 100 ms); hence the minimum.
 *
 * <p>Callable from any thread (StorageService waits on plain threads): only thread-safe Vert.x calls are
 * used (timers, SharedData), and no callback assumes a particular context.
 */
public final class ClusterLockManager implements LockManager {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterLockManager.class);
  /** Named by the cluster setup, which puts the split-brain quorum on it. */
  public static final String MAP_NAME = ClusterSetup.LOCKS_MAP;
  private static final long MIN_BACKOFF_MS = 1;
  private static final long MAX_BACKOFF_MS = 20;
  /** An acquisition that completes this long after its deadline is handed back: the caller stopped waiting. */
  private static final long LATE_MS = 500;
  /** See the class comment: entry times are whole seconds, so shorter TTLs are not reliable. */
  public static final long MIN_TTL_MS = 3000;

  private final Vertx vertx;
  private final long ttlMs;
  private final long maxHoldMs;
  private final String nodeTag = UUID.randomUUID().toString();
  private final IMap<String, String> imap;
  private volatile Future<AsyncMap<String, String>> map;

  /**
   * @param ttlMs     how long a holder's entry survives without renewal (a crashed holder blocks others this long)
   * @param maxHoldMs renewal stops after this long (a leaked lock must not be renewed forever); keep it far
   *                  above any real critical section
   */
  public ClusterLockManager(Vertx vertx, long ttlMs, long maxHoldMs) {
    if (ttlMs < MIN_TTL_MS) {
      throw new IllegalArgumentException("locks.ttlMillis must be at least " + MIN_TTL_MS + ", not " + ttlMs);
    }
    if (!(vertx instanceof VertxInternal vi) || !(vi.clusterManager() instanceof HazelcastClusterManager hz)) {
      throw new IllegalArgumentException("ClusterLockManager needs a Vert.x clustered with Hazelcast");
    }
    this.imap = hz.getHazelcastInstance().getMap(MAP_NAME);
    this.vertx = vertx;
    this.ttlMs = ttlMs;
    this.maxHoldMs = maxHoldMs;
  }

  public ClusterLockManager(Vertx vertx, long ttlMs) { this(vertx, ttlMs, 30 * 60_000L); }

  @Override
  public Future<Held> acquire(String name, long timeoutMs) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    return vertx.sharedData().getLocalLockWithTimeout(name, timeoutMs)
        .recover(err -> Future.failedFuture(busy()))
        .compose(local -> map()
            .compose(m -> {
              Promise<Held> p = Promise.promise();
              tryPut(m, name, nodeTag + ":" + UUID.randomUUID(), local, deadline, MIN_BACKOFF_MS, p);
              return p.future();
            })
            .onFailure(err -> local.release()))
        .compose(held -> {
          if (System.nanoTime() - deadline > TimeUnit.MILLISECONDS.toNanos(LATE_MS)) {
            held.release(); // also frees the local lock
            return Future.failedFuture(busy());
          }
          return Future.succeededFuture(held);
        });
  }

  private Future<AsyncMap<String, String>> map() {
    Future<AsyncMap<String, String>> m = map;
    if (m == null || m.failed()) {
      m = vertx.sharedData().getAsyncMap(MAP_NAME);
      map = m;
    }
    return m;
  }

  private void tryPut(AsyncMap<String, String> m, String name, String token, Lock local, long deadline,
                      long backoff, Promise<Held> p) {
    m.putIfAbsent(name, token, ttlMs).onComplete(ar -> {
      // Our own token: an earlier attempt went through although its answer was lost (a failed call).
      if (ar.succeeded() && (ar.result() == null || ar.result().equals(token))) {
        p.complete(new ClusterHeld(m, name, token, local));
        return;
      }
      // Logged once per acquisition: while the cluster is unwell every poll fails the same way.
      if (ar.failed() && backoff == MIN_BACKOFF_MS) LOG.warn("cluster lock {}: {}", name, ar.cause().toString());
      long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (leftMs <= 0) {
        p.fail(busy());
        return;
      }
      // Jittered exponential backoff: the other node's holder usually finishes within a few ms.
      long delay = Math.min(leftMs, Math.max(1, ThreadLocalRandom.current().nextLong(backoff / 2, backoff + 1)));
      vertx.setTimer(delay, t -> tryPut(m, name, token, local, deadline, Math.min(MAX_BACKOFF_MS, backoff * 2), p));
    });
  }

  private static StorageException busy() {
    return StorageException.of(ErrorCode.BUSY, "Server busy, please try again later");
  }

  /** A held cluster entry plus the local lock in front of it. */
  private final class ClusterHeld implements Held {
    private final AsyncMap<String, String> m;
    private final String name;
    private final String token;
    private final long since = System.nanoTime();
    private final AtomicBoolean released = new AtomicBoolean();
    private final long renewTimer;
    private final Lock local;

    ClusterHeld(AsyncMap<String, String> m, String name, String token, Lock local) {
      this.m = m;
      this.name = name;
      this.token = token;
      this.local = local;
      this.renewTimer = vertx.setPeriodic(ttlMs / 4, id -> renew());
    }

    private void renew() {
      if (released.get()) return;
      if (System.nanoTime() - since > TimeUnit.MILLISECONDS.toNanos(maxHoldMs)) {
        LOG.error("cluster lock {} held for more than {} ms: no longer renewed (leaked?)", name, maxHoldMs);
        vertx.cancelTimer(renewTimer);
        return;
      }
      // get-then-setTtl is not atomic, and needs not be: should the entry expire in between and another
      // node take the lock, setTtl merely lengthens that holder's lease; it never changes who holds it.
      vertx.executeBlocking(() -> token.equals(imap.get(name)) && imap.setTtl(name, ttlMs, TimeUnit.MILLISECONDS),
          false).onComplete(ar -> {
            if (released.get()) return;
            if (ar.failed()) {
              LOG.warn("cluster lock {}: renewal failed: {}", name, ar.cause().toString());
            } else if (!ar.result()) {
              // No fencing is possible here: the critical section already runs. Make it loud.
              LOG.error("cluster lock {} expired while held (node stalled for more than {} ms?)", name, ttlMs);
              vertx.cancelTimer(renewTimer);
            }
          });
    }

    @Override
    public void release() {
      if (!released.compareAndSet(false, true)) return;
      vertx.cancelTimer(renewTimer);
      m.removeIfPresent(name, token).onComplete(ar -> {
        if (ar.failed()) LOG.warn("cluster lock {}: release failed ({}); it expires after its TTL", name,
            ar.cause().toString());
        // Only now may the next local waiter try: before, it would just poll against our own entry.
        local.release();
      });
    }
  }
}
