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

/**
 * The storage verticle over the real event bus, through the StorageClient every front end uses, on the
 * default engine (v1); StorageVerticleV2Test runs the same on v2.
 */
@ExtendWith(VertxExtension.class)
class StorageVerticleTest {
  @TempDir Path root;
  StorageClient client;
  StorageVerticle verticle;

  /** storage.engine of this run. */
  String engine() { return "v1"; }

  @BeforeEach
  void deploy(Vertx vertx) throws Exception {
    JsonObject storage = new JsonObject().put("root", root.toString());
    storage.put("engine", engine()); // v1 is no longer the default: named explicitly
    JsonObject cfg = new JsonObject().put("storage", storage)
        .put("quota", new JsonObject().put("defaultBytes", 1000).put("users", new JsonObject().put("big", 1_000_000)))
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
    assertEquals("hello", dropbox.testing.Contents.text(
        client.openDownload("alice", "a.txt", Priority.HIGH).await(10, TimeUnit.SECONDS)));
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
    // Mistyped fields are malformed commands too, refused before any work.
    DeliveryOptions open = new DeliveryOptions().addHeader(Addresses.ACTION, "upload.open");
    e = fail(vertx.eventBus().request(Addresses.STORAGE, new JsonObject().put("user", "alice").put("name", 7), open));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    e = fail(vertx.eventBus().request(Addresses.STORAGE,
        new JsonObject().put("user", "alice").put("name", "a").put("size", "12"), open));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    e = fail(vertx.eventBus().request(Addresses.STORAGE, new JsonObject().put("user", List.of("alice")), open));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    DeliveryOptions commit = new DeliveryOptions().addHeader(Addresses.ACTION, "upload.commit");
    e = fail(vertx.eventBus().request(Addresses.STORAGE, new JsonObject().put("user", "alice").put("name", "a")
        .put("uploadId", java.util.UUID.randomUUID().toString()).put("size", 1).put("sha256", "x")
        .put("preconditions", new JsonObject().put("ifNoneMatchAny", "yes")), commit));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    e = fail(vertx.eventBus().request(Addresses.STORAGE, new JsonObject().put("user", "alice").put("name", "a")
        .put("uploadId", java.util.UUID.randomUUID().toString()).put("sha256", "x"), commit));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    assertEquals(0, client.usage("alice", Priority.MEDIUM).await().usedBytes());
  }

  @Test
  void aBugInTheWorkerIsInternalAndLoggedOnceWithItsActionNotBlamedOnTheSender() throws Exception {
    damageStorage();
    List<String> errors = errorsLoggedBy(() -> {
      StorageException npe = fail(client.usage("bob", Priority.MEDIUM));
      assertEquals(ErrorCode.INTERNAL, npe.code());
      assertEquals("Internal error", npe.getMessage(), "no exception detail reaches the sender");
      StorageException cce = fail(client.list("carol", Priority.MEDIUM));
      assertEquals(ErrorCode.INTERNAL, cce.code());
    });
    assertEquals(List.of("storage command usage failed / java.lang.NullPointerException",
        "storage command list failed / java.lang.ClassCastException"), errors);
    assertEquals(0, client.usage("alice", Priority.MEDIUM).await(10, TimeUnit.SECONDS).usedBytes(), "still serving");
  }

  void damageStorage() throws Exception {
    // A ledger damaged on disk makes the worker itself fail (NullPointerException, ClassCastException):
    // the command was well-formed, so BAD_REQUEST would hide the fault.
    Path bob = Files.createDirectories(root.resolve("users/bob"));
    Files.writeString(bob.resolve("ledger.json"), "{\"committed\":0,\"files\":0,\"reservations\":{\"x\":{}}}");
    Path carol = Files.createDirectories(root.resolve("users/carol"));
    Files.writeString(carol.resolve("ledger.json"), "{\"committed\":\"lots\",\"files\":0}");
  }

  /** The ERROR lines (message / exception class) StorageVerticle logged while body ran. */
  static List<String> errorsLoggedBy(ThrowingRunnable body) throws Exception {
    ch.qos.logback.classic.Logger log =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(StorageVerticle.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> seen =
        new ch.qos.logback.core.read.ListAppender<>();
    seen.start();
    log.addAppender(seen);
    try {
      body.run();
      return seen.list.stream()
          .filter(ev -> ev.getLevel() == ch.qos.logback.classic.Level.ERROR)
          .map(ev -> ev.getFormattedMessage() + " / " + ev.getThrowableProxy().getClassName()).toList();
    } finally {
      log.detachAppender(seen);
    }
  }

  interface ThrowingRunnable {
    void run() throws Exception;
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
  CountDownLatch holdTheOnlyWorker() throws InterruptedException {
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

  static StorageException fail(Future<?> f) {
    try {
      f.await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      return StorageClient.toStorageException(e);
    }
    throw new AssertionError("expected a failure");
  }
}
