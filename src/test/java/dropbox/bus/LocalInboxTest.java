package dropbox.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The inbox on a front end's event loop: commands sent from that loop are handed to this node's storage
 * handler on the same thread; everything else (no storage here, storage withdrawn, inbox closed, a call
 * from outside Vert.x) takes the cluster-wide address. Real event bus, real StorageClient.
 */
class LocalInboxTest {
  private Vertx vertx;
  /** The thread the storage handler ran on for the last command, and which handler answered. */
  private final AtomicReference<Thread> handledOn = new AtomicReference<>();
  private final AtomicReference<String> handledBy = new AtomicReference<>();
  private MessageConsumer<JsonObject> clusterWide;
  private final Handler<Message<JsonObject>> storage = msg -> answer(msg, "inbox");

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    clusterWide = vertx.eventBus().consumer(Addresses.STORAGE, msg -> answer(msg, "cluster-wide"));
    clusterWide.completion().await(5, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    LocalInbox.withdraw(vertx, storage);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private void answer(Message<JsonObject> msg, String who) {
    handledOn.set(Thread.currentThread());
    handledBy.set(who);
    msg.reply(new JsonObject().put("usedBytes", 0L).put("quotaBytes", 1L).put("fileCount", 0));
  }

  @Test
  void aCommandFromTheBoundEventLoopIsHandedToStorageOnThatThread() throws Exception {
    LocalInbox.serve(vertx, storage);
    Context ctx = vertx.getOrCreateContext();
    LocalInbox inbox = onContext(ctx, () -> LocalInbox.bind(vertx));
    Thread loop = onContext(ctx, Thread::currentThread);

    usage(ctx);
    assertEquals("inbox", handledBy.get());
    assertSame(loop, handledOn.get(), "no hop to another thread before the worker queue");
    // A duplicate of the context (how Vert.x runs a request's handlers) finds the inbox too.
    usage(((io.vertx.core.internal.ContextInternal) ctx).duplicate());
    assertEquals("inbox", handledBy.get());

    onContext(ctx, () -> {
      inbox.close();
      return null;
    });
    usage(ctx);
    assertEquals("cluster-wide", handledBy.get(), "a closed inbox is not used");
  }

  @Test
  void withoutStorageOnThisNodeCommandsTakeTheClusterWideAddress() throws Exception {
    Context ctx = vertx.getOrCreateContext();
    onContext(ctx, () -> LocalInbox.bind(vertx));
    usage(ctx);
    assertEquals("cluster-wide", handledBy.get());

    LocalInbox.serve(vertx, storage);
    usage(ctx);
    assertEquals("inbox", handledBy.get());
    LocalInbox.withdraw(vertx, storage);
    usage(ctx);
    assertEquals("cluster-wide", handledBy.get(), "storage stopped: any node's workers again");
  }

  @Test
  void callsFromOutsideVertxOrAnUnboundContextTakeTheClusterWideAddress() throws Exception {
    LocalInbox.serve(vertx, storage);
    assertEquals(Addresses.STORAGE, LocalInbox.addressFor(vertx));
    new StorageClient(vertx).usage("u", Priority.HIGH).await(5, TimeUnit.SECONDS);
    assertEquals("cluster-wide", handledBy.get());

    Context unbound = vertx.getOrCreateContext();
    assertEquals(Addresses.STORAGE, onContext(unbound, () -> LocalInbox.addressFor(vertx)));
    // Another Vert.x instance's inbox never serves this one.
    Vertx other = Vertx.vertx();
    try {
      Context ctx = other.getOrCreateContext();
      onContext(ctx, () -> LocalInbox.bind(other));
      assertEquals(Addresses.STORAGE, onContext(ctx, () -> LocalInbox.addressFor(other)));
    } finally {
      other.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void storageWithdrawnAfterTheAddressWasChosenAnswersBusy() throws Exception {
    LocalInbox.serve(vertx, storage);
    Context ctx = vertx.getOrCreateContext();
    onContext(ctx, () -> LocalInbox.bind(vertx));
    String inboxAddress = onContext(ctx, () -> LocalInbox.addressFor(vertx));
    assertNotEquals(Addresses.STORAGE, inboxAddress);
    LocalInbox.withdraw(vertx, storage);

    Promise<Throwable> failure = Promise.promise();
    ctx.runOnContext(v -> vertx.eventBus().request(inboxAddress, new JsonObject())
        .onComplete(ar -> failure.complete(ar.cause())));
    StorageException e = StorageClient.toStorageException(failure.future().await(5, TimeUnit.SECONDS));
    assertEquals(ErrorCode.BUSY, e.code());
    assertTrue(e.getMessage().contains("not available"), e.getMessage());
  }

  /** A usage command through the real client, sent from ctx. */
  private void usage(Context ctx) throws Exception {
    Promise<Usage> done = Promise.promise();
    ctx.runOnContext(v -> new StorageClient(vertx).usage("u", Priority.HIGH).onComplete(done));
    done.future().await(5, TimeUnit.SECONDS);
  }

  private static <T> T onContext(Context ctx, Callable<T> work) throws Exception {
    Promise<T> p = Promise.promise();
    ctx.runOnContext(v -> {
      try {
        p.complete(work.call());
      } catch (Exception e) {
        p.fail(e);
      }
    });
    return p.future().await(5, TimeUnit.SECONDS);
  }
}
