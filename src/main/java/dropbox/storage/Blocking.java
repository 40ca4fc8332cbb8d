package dropbox.storage;

import dropbox.bus.ErrorCode;
import dropbox.bus.StorageException;
import io.vertx.core.Future;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits for a Vert.x Future from a storage thread (never from an event loop). */
final class Blocking {
  private Blocking() {}

  static <T> T await(Future<T> f, long timeoutMs) {
    if (f.isComplete()) { // already decided (a free lock): no listener, so no hand-off to an event loop
      if (f.succeeded()) return f.result();
      if (f.cause() instanceof RuntimeException re) throw re;
      throw new IllegalStateException(f.cause());
    }
    try {
      return f.toCompletionStage().toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) throw re;
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw StorageException.of(ErrorCode.BUSY, "Server busy, please try again later");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw StorageException.of(ErrorCode.SHUTTING_DOWN, "Server is shutting down");
    }
  }
}
