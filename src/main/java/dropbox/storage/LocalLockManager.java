package dropbox.storage;

import dropbox.bus.ErrorCode;
import dropbox.bus.StorageException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.shareddata.Lock;
import io.vertx.core.Vertx;

/**
 * Single-node locks: Vert.x local SharedData locks (FIFO waiters, release idempotent and thread-safe).
 * A clustered node uses a cluster-wide LockManager instead; nothing else changes.
 *
 * <p>Taken from the storage workers, which are not Vert.x threads. getLocalLockWithTimeout arms a timer
 * (a hand-off to an event loop) and completes on an event loop even when the lock is free, so every
 * lock cost a worker two wake-ups; profiled on small operations (two locks per upload or delete) that
 * was a visible share. A free lock is granted synchronously by getLocalLock, so that case now returns at
 * once; only a contended lock waits, with the timeout kept here, and a grant that comes after the
 * waiter gave up is released at once, so a timed-out wait never leaves the lock held.
 */
public final class LocalLockManager implements LockManager {
  private final Vertx vertx;

  public LocalLockManager(Vertx vertx) { this.vertx = vertx; }

  @Override
  public Future<Held> acquire(String name, long timeoutMs) {
    Future<Lock> grant = vertx.sharedData().getLocalLock(name);
    if (grant.isComplete()) {
      return grant.succeeded() ? Future.succeededFuture(held(grant.result())) : Future.failedFuture(busy());
    }
    Promise<Held> waiting = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, timeoutMs), t -> waiting.tryFail(busy()));
    grant.onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.failed()) {
        waiting.tryFail(busy());
      } else if (!waiting.tryComplete(held(ar.result()))) {
        ar.result().release(); // the waiter timed out meanwhile: nobody will ever release it otherwise
      }
    });
    return waiting.future();
  }

  private static Held held(Lock lock) { return lock::release; }

  private static StorageException busy() {
    return StorageException.of(ErrorCode.BUSY, "Server busy, please try again later");
  }
}
