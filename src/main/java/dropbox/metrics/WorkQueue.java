package dropbox.metrics;

import dropbox.bus.Priority;

/**
 * What the storage gauges read from a prioritised worker pool. Declared here and implemented by the
 * storage side's dispatcher, so metrics depends on nothing of storage (storage depends on metrics).
 */
public interface WorkQueue {
  /** Jobs of this priority waiting for a worker. */
  int depth(Priority p);

  /** Jobs being executed now. */
  int running();

  /** Jobs that a worker has taken so far. */
  long startedJobs();

  /** Time all started jobs spent queued, summed. */
  long totalWaitNanos();
}
