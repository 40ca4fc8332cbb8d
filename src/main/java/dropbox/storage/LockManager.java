package dropbox.storage;

import io.vertx.core.Future;

/**
 * Named exclusive locks for storage work: one per user ("u:<user>") and one per file ("f:<user>/<name>").
 * Local when single-node, cluster-wide when clustered (our own implementation: the stock clustered
 * SharedData lock of vertx-hazelcast 5.0.7 is not exclusive, see shared/evidence). Order: file before user.
 */
public interface LockManager {

  /** Waits at most timeoutMs; fails with StorageException(BUSY) on timeout. */
  Future<Held> acquire(String name, long timeoutMs);

  /** A held lock. release() is idempotent and may be called from any thread. */
  interface Held extends AutoCloseable {
    void release();

    @Override
    default void close() { release(); }
  }
}
