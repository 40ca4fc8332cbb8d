package dropbox.bus;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Which uploads a front end sends to storage in ONE command with their bytes (StorageClient.putSmall)
 * instead of the streamed path (reservation, staging file, commit). Profiled on 4 KiB operations, the
 * streamed path's fixed costs (three storage commands, a staging file created, fsynced, renamed and its
 * directory fsynced) were most of an upload; a small upload is one command and, in storage, one row in a
 * group commit.
 *
 * <p>The front end holds such a body in memory until it is complete, so the memory is bounded twice: per
 * upload by maxBytes (storage.inlineMaxBytes, the same limit under which storage keeps content in the
 * database) and per process by a budget of {@link #BUDGET_UPLOADS} of them. When the budget is spent, an
 * upload simply takes the streamed path: nothing is refused for it.
 *
 * <p>Because the quota is only checked once the bytes are in, the front end first refuses a body larger
 * than the user could ever store (limitFor) before it reads it, as the streamed path's reservation does.
 */
public final class SmallUploads {
  /** Bodies of the largest small size held at once, per process (64 MiB at the default 64 KiB). */
  static final long BUDGET_UPLOADS = 1024;
  private static final AtomicLong IN_FLIGHT = new AtomicLong();

  private final long maxBytes;
  private final long budget;
  private final QuotaPolicy quotas;

  public SmallUploads(long maxBytes, QuotaPolicy quotas) {
    this.maxBytes = Math.max(0, maxBytes);
    this.budget = this.maxBytes * BUDGET_UPLOADS;
    this.quotas = quotas;
  }

  /** The largest file this user could ever store (TOO_LARGE above it). */
  public long limitFor(String user) { return quotas.limitFor(user); }

  /**
   * Takes room for a body of size bytes when it is small and the process has room; the caller must
   * {@link #release} it once the command has been answered (whatever the answer).
   */
  public boolean tryTake(long size) {
    if (size < 0 || size > maxBytes) return false;
    while (true) {
      long now = IN_FLIGHT.get();
      if (now + size > budget) return false;
      if (IN_FLIGHT.compareAndSet(now, now + size)) return true;
    }
  }

  public void release(long size) { IN_FLIGHT.addAndGet(-size); }

  /** Bytes of small bodies held now by this process's front ends (for tests and metrics). */
  public static long inFlight() { return IN_FLIGHT.get(); }
}
