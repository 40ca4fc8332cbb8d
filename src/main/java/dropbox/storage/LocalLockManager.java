package dropbox.storage;

import dropbox.bus.ErrorCode;
import dropbox.bus.StorageException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Single-node locks: Vert.x local SharedData locks (FIFO waiters, release idempotent and thread-safe).
 * A clustered node uses a cluster-wide LockManager instead; nothing else changes.
 */
public final class LocalLockManager implements LockManager {
  private final Vertx vertx;

  public LocalLockManager(Vertx vertx) { this.vertx = vertx; }

  @Override
  public Future<Held> acquire(String name, long timeoutMs) {
    return vertx.sharedData().getLocalLockWithTimeout(name, timeoutMs)
        .<Held>map(lock -> lock::release)
        .recover(err -> Future.failedFuture(
            StorageException.of(ErrorCode.BUSY, "Server busy, please try again later")));
  }
}
