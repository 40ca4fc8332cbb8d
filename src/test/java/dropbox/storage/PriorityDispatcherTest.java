package dropbox.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.bus.Priority;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PriorityDispatcherTest {

  @Test
  void withThePoolSaturatedHighRunsBeforeMediumBeforeLowAndFifoWithinOne() throws Exception {
    PriorityDispatcher d = new PriorityDispatcher("test", 1, 100);
    CountDownLatch blocker = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    d.submit(Priority.LOW, () -> {
      started.countDown();
      await(blocker);
    }, () -> { });
    assertTrue(started.await(5, TimeUnit.SECONDS));
    List<String> order = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(6);
    String[] names = {"low1", "med1", "low2", "high1", "med2", "high2"};
    Priority[] prios = {Priority.LOW, Priority.MEDIUM, Priority.LOW, Priority.HIGH, Priority.MEDIUM, Priority.HIGH};
    for (int i = 0; i < names.length; i++) {
      String n = names[i];
      assertTrue(d.submit(prios[i], () -> {
        order.add(n);
        done.countDown();
      }, () -> { }));
    }
    assertEquals(2, d.depth(Priority.LOW));
    assertEquals(2, d.depth(Priority.HIGH));
    blocker.countDown();
    assertTrue(done.await(5, TimeUnit.SECONDS));
    assertEquals(List.of("high1", "high2", "med1", "med2", "low1", "low2"), order);
    assertTrue(d.shutdown(5000));
  }

  @Test
  void aFullQueueRefusesWorkAndShutdownRejectsWhatIsQueued() throws Exception {
    PriorityDispatcher d = new PriorityDispatcher("test", 1, 2);
    CountDownLatch blocker = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    d.submit(Priority.HIGH, () -> {
      started.countDown();
      await(blocker);
    }, () -> { });
    assertTrue(started.await(5, TimeUnit.SECONDS));
    CountDownLatch rejected = new CountDownLatch(2);
    assertTrue(d.submit(Priority.LOW, () -> { }, rejected::countDown));
    assertTrue(d.submit(Priority.LOW, () -> { }, rejected::countDown));
    assertFalse(d.submit(Priority.HIGH, () -> { }, () -> { }), "queue of 2 is full");
    // Work that gives resources back (an upload's abort) is queued past the capacity; refused, it once left
    // its reservation and staging file until a restart.
    CountDownLatch giveBack = new CountDownLatch(1);
    assertTrue(d.submit(Priority.HIGH, giveBack::countDown, giveBack::countDown, true), "queued past the capacity");
    assertFalse(d.submit(Priority.HIGH, () -> { }, () -> { }), "still full for other work");
    Thread closer = new Thread(() -> d.shutdown(5000));
    closer.start();
    Thread.sleep(100);
    blocker.countDown();
    closer.join(5000);
    assertTrue(rejected.await(5, TimeUnit.SECONDS));
    assertTrue(giveBack.await(5, TimeUnit.SECONDS));
    assertFalse(d.submit(Priority.HIGH, () -> { }, () -> { }), "closed");
    assertFalse(d.submit(Priority.HIGH, () -> { }, () -> { }, true), "closed, also past the capacity");
  }

  /**
   * Each submit wakes one idle worker and nothing else does: a job queued while the workers are between
   * jobs, or while some of them sleep, must still run. Submitters on several threads race the workers'
   * own loop back to the queue; a lost wake-up leaves a job queued with every worker asleep, and the
   * latch then never reaches zero.
   */
  @Test
  void everyJobRunsWhenManyThreadsSubmitWhileWorkersComeAndGo() throws Exception {
    PriorityDispatcher d = new PriorityDispatcher("test", 4, 100_000);
    int submitters = 4;
    int perSubmitter = 5_000;
    CountDownLatch done = new CountDownLatch(submitters * perSubmitter);
    List<Thread> threads = new java.util.ArrayList<>();
    for (int t = 0; t < submitters; t++) {
      int seed = t;
      Thread th = new Thread(() -> {
        java.util.Random rnd = new java.util.Random(seed);
        for (int i = 0; i < perSubmitter; i++) {
          // Bursts and pauses, so workers go to sleep and are woken again many times.
          if (rnd.nextInt(50) == 0) sleepMicros(200);
          Priority p = Priority.values()[rnd.nextInt(Priority.values().length)];
          assertTrue(d.submit(p, done::countDown, () -> { }));
        }
      });
      threads.add(th);
      th.start();
    }
    for (Thread th : threads) th.join(30_000);
    assertTrue(done.await(30, TimeUnit.SECONDS), done.getCount() + " jobs never ran");
    assertEquals(0, d.depth(Priority.LOW) + d.depth(Priority.MEDIUM) + d.depth(Priority.HIGH));
    assertTrue(d.shutdown(5000));
  }

  private static void sleepMicros(long micros) {
    try {
      TimeUnit.MICROSECONDS.sleep(micros);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void await(CountDownLatch l) {
    try {
      l.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
