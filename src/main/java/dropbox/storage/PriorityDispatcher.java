package dropbox.storage;

import dropbox.bus.Priority;
import dropbox.metrics.WorkQueue;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed's task queue: a bounded priority queue (high before medium before low, FIFO within one) in front
 * of a fixed pool of worker threads. The event bus delivers in arrival order only, so ordering by priority
 * has to happen here. Plain threads, not Vert.x workers: the jobs block on file I/O and on lock waits.
 */
public final class PriorityDispatcher implements WorkQueue {
  private static final Logger LOG = LoggerFactory.getLogger(PriorityDispatcher.class);

  /** A queued job. reject runs instead of work when the dispatcher shuts down before the job started. */
  private record Job(Priority priority, long seq, long enqueuedNanos, Runnable work, Runnable reject)
      implements Comparable<Job> {
    @Override
    public int compareTo(Job o) {
      int c = Integer.compare(priority.ordinal(), o.priority.ordinal());
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  private final PriorityQueue<Job> queue = new PriorityQueue<>();
  private final int[] depth = new int[Priority.values().length];
  private final int capacity;
  private final Thread[] threads;
  private final AtomicLong seq = new AtomicLong();
  private final AtomicLong waitNanosTotal = new AtomicLong();
  private final AtomicLong started = new AtomicLong();
  private int running;
  private boolean closed;

  public PriorityDispatcher(String name, int threads, int capacity) {
    if (threads < 1 || capacity < 1) throw new IllegalArgumentException("threads and capacity must be >= 1");
    this.capacity = capacity;
    this.threads = new Thread[threads];
    for (int i = 0; i < threads; i++) {
      Thread t = new Thread(this::loop, name + "-" + i);
      t.setDaemon(true);
      this.threads[i] = t;
      t.start();
    }
  }

  /** Queues work; false when the queue is full or closed (the caller answers "busy"). */
  public boolean submit(Priority p, Runnable work, Runnable reject) {
    return submit(p, work, reject, false);
  }

  /**
   * As {@link #submit(Priority, Runnable, Runnable)}; pastCapacity queues the work even when the queue is
   * full (only a closed queue refuses it), for work that gives resources back and must not be lost to
   * the very overload it would relieve.
   */
  public boolean submit(Priority p, Runnable work, Runnable reject, boolean pastCapacity) {
    synchronized (this) {
      if (closed || (!pastCapacity && queue.size() >= capacity)) return false;
      queue.add(new Job(p, seq.incrementAndGet(), System.nanoTime(), work, reject));
      depth[p.ordinal()]++;
      notify();
      return true;
    }
  }

  @Override
  public synchronized int depth(Priority p) { return depth[p.ordinal()]; }

  @Override
  public synchronized int running() { return running; }

  /** Total time jobs spent queued, for metrics. */
  @Override
  public long totalWaitNanos() { return waitNanosTotal.get(); }

  /** Jobs taken off the queue so far (with totalWaitNanos: the mean queue wait), for metrics. */
  @Override
  public long startedJobs() { return started.get(); }

  private void loop() {
    while (true) {
      Job job;
      synchronized (this) {
        while (queue.isEmpty() && !closed) {
          try {
            wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        job = queue.poll();
        if (job == null) return; // closed and drained
        depth[job.priority.ordinal()]--;
        running++;
      }
      waitNanosTotal.addAndGet(System.nanoTime() - job.enqueuedNanos);
      started.incrementAndGet();
      try {
        if (isClosed()) job.reject.run();
        else job.work.run();
      } catch (Throwable t) {
        LOG.error("storage job failed unexpectedly", t);
      } finally {
        // No notify: nothing waits for a job to end (shutdown joins the threads), and waking every idle
        // worker after each job was a futex storm (half of the workers' CPU on a 4 KiB GET).
        synchronized (this) {
          running--;
        }
      }
    }
  }

  private synchronized boolean isClosed() { return closed; }

  /**
   * Stops taking work: queued jobs are rejected, running ones finish (waiting at most timeoutMs).
   * Returns true if everything finished in time.
   */
  public boolean shutdown(long timeoutMs) {
    synchronized (this) {
      closed = true;
      notifyAll();
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    for (Thread t : threads) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) return false;
      try {
        t.join(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }
}
