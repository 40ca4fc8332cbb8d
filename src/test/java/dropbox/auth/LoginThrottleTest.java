package dropbox.auth;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class LoginThrottleTest {

  @Test
  void countsPerFoldedNameAndAddress(Vertx vertx) throws Exception {
    LoginThrottle t = new LoginThrottle(vertx);
    for (int i = 0; i < 5; i++) t.recordFailure(i % 2 == 0 ? "Alice" : "alice", "10.0.0.1").await(10, SECONDS);
    assertEquals(5L, t.failures("ALICE", "10.0.0.1").await(10, SECONDS));
    assertEquals(1000L, t.delayMillis("alice", "10.0.0.1").await(10, SECONDS));
    assertEquals(0L, t.delayMillis("alice", "10.0.0.2").await(10, SECONDS), "another address has its own counter");
    assertEquals(0L, t.delayMillis("bob", "10.0.0.1").await(10, SECONDS), "another user has its own counter");
    t.clear("aLiCe", "10.0.0.1").await(10, SECONDS);
    assertEquals(0L, t.failures("alice", "10.0.0.1").await(10, SECONDS));
  }

  @Test
  void concurrentFailuresAreAllCounted(Vertx vertx) throws Exception {
    LoginThrottle t = new LoginThrottle(vertx);
    List<Future<Void>> all = Collections.synchronizedList(new ArrayList<>());
    // Issued from plain threads (each call gets its own context, spread over the event loops) so
    // the read-modify-write steps of different calls really interleave.
    ExecutorService threads = Executors.newFixedThreadPool(8);
    CountDownLatch go = new CountDownLatch(1);
    try {
      for (int i = 0; i < 200; i++) {
        threads.execute(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          all.add(t.recordFailure("mallory", "192.0.2.7"));
        });
      }
      go.countDown();
      threads.shutdown();
      assertTrue(threads.awaitTermination(30, SECONDS));
    } finally {
      threads.shutdownNow();
    }
    assertEquals(200, all.size());
    Future.all(new ArrayList<>(all)).await(30, SECONDS);
    assertEquals(200L, t.failures("mallory", "192.0.2.7").await(10, SECONDS));
  }

  @Test
  void failuresExpireFifteenMinutesAfterTheLastOne(Vertx vertx) throws Exception {
    AtomicLong now = new AtomicLong(1_000_000_000L);
    LoginThrottle t = new LoginThrottle(vertx, now::get);
    for (int i = 0; i < 6; i++) {
      t.recordFailure("eve", "a").await(10, SECONDS);
      now.addAndGet(60_000);
    }
    assertEquals(2000L, t.delayMillis("eve", "a").await(10, SECONDS));
    // The window slides: 14 minutes after the last failure the count still stands.
    now.addAndGet(13 * 60_000L);
    assertEquals(6L, t.failures("eve", "a").await(10, SECONDS));
    now.addAndGet(60_000L);
    assertEquals(0L, t.failures("eve", "a").await(10, SECONDS));
    assertEquals(0L, t.delayMillis("eve", "a").await(10, SECONDS));
    t.recordFailure("eve", "a").await(10, SECONDS);
    assertEquals(1L, t.failures("eve", "a").await(10, SECONDS), "an expired count starts over");
  }

  @Test
  void hugeNamesMakeBoundedKeys() {
    String key = LoginThrottle.key("x".repeat(100_000), "y".repeat(100_000));
    assertEquals(128 + 1 + 128, key.length());
  }
}
