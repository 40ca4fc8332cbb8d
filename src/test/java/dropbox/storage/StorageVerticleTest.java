package dropbox.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.bus.Addresses;
import dropbox.bus.ErrorCode;
import dropbox.bus.FileEvent;
import dropbox.bus.Listing;
import dropbox.bus.Preconditions;
import dropbox.bus.Priority;
import dropbox.bus.StorageClient;
import dropbox.bus.StorageException;
import dropbox.bus.UploadTicket;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The storage verticle over the real event bus, through the StorageClient every front end uses. */
@ExtendWith(VertxExtension.class)
class StorageVerticleTest {
  @TempDir Path root;
  private StorageClient client;
  private StorageVerticle verticle;

  @BeforeEach
  void deploy(Vertx vertx) throws Exception {
    JsonObject cfg = new JsonObject().put("storage", new JsonObject().put("root", root.toString()))
        .put("quota", new JsonObject().put("defaultBytes", 1000))
        .put("workers", new JsonObject().put("threads", 1).put("queueCapacity", 50));
    verticle = new StorageVerticle(new LocalLockManager(vertx), true);
    vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(cfg)).await(10, TimeUnit.SECONDS);
    client = new StorageClient(vertx, 10_000);
  }

  @Test
  void fullUploadListDownloadDeleteFlowPublishesEvents(Vertx vertx) throws Exception {
    List<FileEvent> events = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>consumer(Addresses.FILE_EVENTS, m -> events.add(FileEvent.fromJson(m.body())))
        .completion().await();
    UploadTicket t = client.openUpload("alice", "a.txt", 5, Priority.MEDIUM).await(10, TimeUnit.SECONDS);
    Files.writeString(Path.of(t.stagingPath()), "hello");
    client.commitUpload("alice", "a.txt", t.uploadId(), 5, StorageServiceTest.sha("hello".getBytes()),
        Preconditions.NONE, Priority.MEDIUM).await(10, TimeUnit.SECONDS);
    Listing l = client.list("alice", Priority.LOW).await(10, TimeUnit.SECONDS);
    assertEquals("a.txt", l.files().get(0).name());
    assertEquals(5, l.usage().usedBytes());
    assertEquals(1000, l.usage().quotaBytes());
    assertEquals("hello", Files.readString(Path.of(
        client.openDownload("alice", "a.txt", Priority.HIGH).await(10, TimeUnit.SECONDS).contentPath())));
    client.delete("alice", "a.txt", Priority.MEDIUM).await(10, TimeUnit.SECONDS);
    StorageException e = fail(client.delete("alice", "a.txt", Priority.MEDIUM));
    assertEquals(ErrorCode.NOT_FOUND, e.code());
    assertEquals("File not found", e.getMessage());
    long deadline = System.currentTimeMillis() + 5000;
    while (events.size() < 2 && System.currentTimeMillis() < deadline) Thread.sleep(20);
    assertEquals(List.of(FileEvent.UPLOADED, FileEvent.DELETED), events.stream().map(FileEvent::type).toList());
  }

  @Test
  void malformedCommandsGetBadRequestAndTheWorkerSurvives(Vertx vertx) throws Exception {
    DeliveryOptions o = new DeliveryOptions().addHeader(Addresses.ACTION, "download.open");
    StorageException e = fail(vertx.eventBus().request(Addresses.STORAGE, new JsonObject(), o));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    e = fail(vertx.eventBus().request(Addresses.STORAGE, new JsonObject().put("user", "../x").put("name", "a"), o));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    e = fail(client.abortUpload("alice", "../../etc/passwd"));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    e = fail(vertx.eventBus().request(Addresses.STORAGE, new JsonObject(),
        new DeliveryOptions().addHeader(Addresses.ACTION, "nope")));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    assertEquals(0, client.usage("alice", Priority.MEDIUM).await().usedBytes());
  }

  @Test
  void aFullQueueAnswersBusy() throws Exception {
    // One worker thread held busy, a queue of 50: the 52nd command cannot be queued.
    CountDownLatch hold = holdTheOnlyWorker();
    List<Future<?>> calls = new ArrayList<>();
    for (int i = 0; i < 60; i++) calls.add(client.usage("u" + i, Priority.LOW));
    Thread.sleep(300);
    int busy = 0;
    for (Future<?> f : calls) {
      if (f.failed() && StorageClient.toStorageException(f.cause()).code() == ErrorCode.BUSY) busy++;
    }
    hold.countDown();
    assertEquals(10, busy);
    for (Future<?> f : calls) {
      try {
        f.await(10, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // the busy ones
      }
    }
    assertTrue(calls.stream().filter(Future::succeeded).count() == 50);
  }

  @Test
  void withThePoolSaturatedAQueuedHighPriorityCommandOvertakesQueuedLowOnes() throws Exception {
    CountDownLatch hold = holdTheOnlyWorker();
    List<String> order = new CopyOnWriteArrayList<>();
    List<Future<?>> calls = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String who = "low" + i;
      calls.add(client.list("u", Priority.LOW).onSuccess(l -> order.add(who)));
    }
    calls.add(client.list("u", Priority.HIGH).onSuccess(l -> order.add("high")));
    long deadline = System.currentTimeMillis() + 5000;
    while (verticle.dispatcher().depth(Priority.HIGH) + verticle.dispatcher().depth(Priority.LOW) < 6
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(10);
    }
    hold.countDown();
    for (Future<?> f : calls) f.await(10, TimeUnit.SECONDS);
    assertEquals(List.of("high", "low0", "low1", "low2", "low3", "low4"), order);
  }

  /** Occupies the single worker thread until the returned latch is counted down. */
  private CountDownLatch holdTheOnlyWorker() throws InterruptedException {
    CountDownLatch hold = new CountDownLatch(1);
    CountDownLatch holding = new CountDownLatch(1);
    verticle.dispatcher().submit(Priority.HIGH, () -> {
      holding.countDown();
      try {
        hold.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException ignored) {
        Thread.currentThread().interrupt();
      }
    }, () -> { });
    assertTrue(holding.await(5, TimeUnit.SECONDS));
    return hold;
  }

  private static StorageException fail(Future<?> f) {
    try {
      f.await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      return StorageClient.toStorageException(e);
    }
    throw new AssertionError("expected a failure");
  }
}
