package dropbox.bus;

import io.vertx.core.Context;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The process-wide bound on download bytes read from content files into memory and not yet taken by a
 * socket (FileStreaming: TLS and HTTP/2, where sendfile is impossible). Without it a client that never
 * reads (an HTTP/2 stream with a window of 0, a TLS connection that stops reading) left each download
 * holding ~4 MB of heap, and 400 such streams killed the event loops with OutOfMemoryError.
 *
 * <p>A download takes room before each read and gives it back once the socket took the bytes (the write's
 * future), so while the budget is spent further reads wait, first come first served, instead of filling
 * the heap. Readers that wait run again on their own context.
 */
public final class DownloadBuffers {
  /** The process's budget: an eighth of the heap, between 16 and 256 MiB (64 MiB on a 512 MiB heap). */
  public static final DownloadBuffers PROCESS =
      new DownloadBuffers(Math.max(16L << 20, Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 8)));

  private record Waiter(long bytes, Context context, Runnable granted) {}

  private final long budget;
  private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
  private long inUse;

  /** A budget of its own: tests; the server has one, PROCESS. */
  DownloadBuffers(long budget) {
    this.budget = budget;
  }

  public long budget() { return budget; }

  /**
   * Runs granted once bytes of room are taken: at once when there is room and nobody waits before, else
   * later on context. The caller must {@link #release} the bytes, whatever happens after the grant.
   */
  void take(long bytes, Context context, Runnable granted) {
    synchronized (this) {
      if (!waiting.isEmpty() || inUse + bytes > budget) {
        waiting.add(new Waiter(bytes, context, granted));
        return;
      }
      inUse += bytes;
    }
    granted.run();
  }

  void release(long bytes) {
    List<Waiter> ready = new ArrayList<>(2);
    synchronized (this) {
      inUse -= bytes;
      while (!waiting.isEmpty() && inUse + waiting.peek().bytes() <= budget) {
        Waiter w = waiting.poll();
        inUse += w.bytes();
        ready.add(w);
      }
    }
    for (Waiter w : ready) w.context().runOnContext(v -> w.granted().run());
  }

  /** Bytes held by downloads now (tests, metrics). */
  public long inUse() {
    synchronized (this) {
      return inUse;
    }
  }

  /** Downloads waiting for room now (tests, metrics). */
  public int waiting() {
    synchronized (this) {
      return waiting.size();
    }
  }
}
