package dropbox.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.testing.ChildJvm;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The upload writer of storage v2: exact bytes and hash, back-pressure, failures, bounded memory. */
class HashingFileWriterTest {
  @TempDir Path dir;
  private Vertx vertx;
  private ExecutorService io;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    io = Executors.newCachedThreadPool();
  }

  @AfterEach
  void tearDown() {
    io.shutdownNow();
    vertx.close().await();
  }

  /** Runs body on one event-loop context and waits for the future it returns. */
  private <T> T onContext(java.util.function.Function<Context, Future<T>> body) throws Exception {
    CompletableFuture<T> r = new CompletableFuture<>();
    Context ctx = vertx.getOrCreateContext();
    ctx.runOnContext(v -> body.apply(ctx).onComplete(ar -> {
      if (ar.succeeded()) r.complete(ar.result());
      else r.completeExceptionally(ar.cause());
    }));
    return r.get(60, TimeUnit.SECONDS);
  }

  @Test
  void theFileHoldsExactlyTheBytesAndTheHashIsTheirs() throws Exception {
    byte[] content = new byte[20 * 1024 * 1024 + 123];
    new Random(11).nextBytes(content);
    Path file = Files.createFile(dir.resolve("staging"));
    Files.write(file, "old bytes to be truncated".getBytes());
    int[] sizes = {1, 4096, 65536, 100_000, 7};
    HashingFileWriter.Written w = onContext(ctx -> HashingFileWriter.open(vertx, file, io, true, 1 << 20)
        .compose(writer -> {
          writer.setWriteQueueMaxSize(1 << 20);
          int[] i = {0};
          return Feed.feed(writer, content.length, off -> {
            int n = sizes[i[0]++ % sizes.length];
            return Buffer.buffer(java.util.Arrays.copyOfRange(content, (int) off,
                (int) Math.min(content.length, off + n)));
          });
        }));
    assertEquals(content.length, w.size());
    assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)), w.sha256());
    assertArrayEquals(content, Files.readAllBytes(file));
  }

  @Test
  void aVertxPipeIntoItEndsWithTheHashOfWhatCameThrough() throws Exception {
    // What a front end does with a request or socket: pipeTo, which honours writeQueueFull and calls end().
    byte[] content = new byte[12 * 1024 * 1024 + 5];
    new Random(5).nextBytes(content);
    Path source = Files.write(dir.resolve("source"), content);
    Path file = Files.createFile(dir.resolve("staging"));
    HashingFileWriter.Written w = onContext(ctx -> HashingFileWriter.open(vertx, file, io, true)
        .compose(writer -> vertx.fileSystem().open(source.toString(), new io.vertx.core.file.OpenOptions().setRead(true))
            .compose(in -> in.pipeTo(writer.setWriteQueueMaxSize(1 << 20)))
            .compose(piped -> writer.finish()))); // after end(): the same result again
    assertEquals(content.length, w.size());
    assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)), w.sha256());
    assertArrayEquals(content, Files.readAllBytes(file));
  }

  @Test
  void aFullQueueStopsTheProducerUntilTheLanesCatchUp() throws Exception {
    // An executor that holds every task until released: nothing is written or hashed meanwhile.
    List<Runnable> held = new ArrayList<>();
    Object lock = new Object();
    boolean[] open = {false};
    java.util.concurrent.Executor gated = r -> {
      synchronized (lock) {
        if (!open[0]) {
          held.add(r);
          return;
        }
      }
      io.execute(r);
    };
    Path file = Files.createFile(dir.resolve("staging"));
    AtomicReference<HashingFileWriter> writer = new AtomicReference<>();
    // open() itself needs the executor: let that one task through.
    CompletableFuture<Void> opened = new CompletableFuture<>();
    vertx.runOnContext(v -> HashingFileWriter.open(vertx, file, gated, true).onSuccess(w -> {
      writer.set(w);
      opened.complete(null);
    }));
    Runnable openTask;
    synchronized (lock) {
      while (held.isEmpty()) lock.wait(10);
      openTask = held.remove(0);
    }
    io.execute(openTask);
    opened.get(10, TimeUnit.SECONDS);

    CompletableFuture<Boolean> fullAfter = new CompletableFuture<>();
    CompletableFuture<Void> drained = new CompletableFuture<>();
    vertx.runOnContext(v -> {
      HashingFileWriter w = writer.get();
      w.setWriteQueueMaxSize(256 * 1024);
      boolean fullAtStart = w.writeQueueFull();
      for (int i = 0; i < 5; i++) w.write(Buffer.buffer(new byte[64 * 1024]));
      fullAfter.complete(!fullAtStart && w.writeQueueFull());
      w.drainHandler(x -> drained.complete(null));
    });
    assertTrue(fullAfter.get(10, TimeUnit.SECONDS), "320 KiB queued against a 256 KiB limit is full");
    Thread.sleep(300);
    assertFalse(drained.isDone(), "no drain while nothing was written");
    List<Runnable> release;
    synchronized (lock) {
      open[0] = true;
      release = new ArrayList<>(held);
      held.clear();
    }
    release.forEach(io::execute);
    drained.get(10, TimeUnit.SECONDS);
    HashingFileWriter.Written w = onContext(ctx -> writer.get().finish());
    assertEquals(5 * 64 * 1024, w.size());
    assertEquals(5 * 64 * 1024, Files.size(file));
  }

  @Test
  void aWriteFailureReachesTheProducerAndFailsTheEnd() throws Exception {
    Path full = Path.of("/dev/full"); // every write fails with ENOSPC
    assertTrue(Files.isWritable(full), "the test needs Linux's /dev/full");
    AtomicReference<Throwable> reported = new AtomicReference<>();
    Throwable failed = null;
    try {
      onContext(ctx -> HashingFileWriter.open(vertx, full, io, true).compose(w -> {
        w.exceptionHandler(reported::set);
        return Feed.feed(w, 4L << 20, off -> Buffer.buffer(new byte[65536]));
      }));
    } catch (java.util.concurrent.ExecutionException e) {
      failed = e.getCause();
    }
    assertNotNull(failed, "finish must fail when the bytes did not reach the file");
    assertTrue(failed.getMessage().contains("space"), failed.toString());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (reported.get() == null && System.nanoTime() < deadline) Thread.sleep(10);
    assertNotNull(reported.get(), "the exception handler hears of it");
  }

  /**
   * The end of the stream in the same batch as the chunk whose write fails: what a fast client's upload
   * into a full disk gives (the whole body is in before the writer lane runs). finish() must fail, not wait.
   */
  @Test
  void aWriteFailureInTheBatchThatHoldsTheEndStillEndsTheStream() throws Exception {
    Path full = Path.of("/dev/full"); // every write fails with ENOSPC
    assertTrue(Files.isWritable(full), "the test needs Linux's /dev/full");
    List<Runnable> held = new ArrayList<>();
    java.util.concurrent.Executor gated = r -> {
      synchronized (held) {
        held.add(r);
      }
    };
    CompletableFuture<HashingFileWriter> opened = new CompletableFuture<>();
    vertx.runOnContext(v -> HashingFileWriter.open(vertx, full, gated, true).onComplete(ar -> {
      if (ar.succeeded()) opened.complete(ar.result());
      else opened.completeExceptionally(ar.cause());
    }));
    runHeld(held, 1); // the open
    HashingFileWriter w = opened.get(10, TimeUnit.SECONDS);
    CompletableFuture<Throwable> finished = new CompletableFuture<>();
    CompletableFuture<Void> queued = new CompletableFuture<>();
    vertx.runOnContext(v -> {
      // 3 MiB, more than the lane's 1 MiB buffer, so a write fails inside the batch, before its END.
      for (int i = 0; i < 3; i++) w.write(Buffer.buffer(new byte[1 << 20]));
      w.finish().onComplete(ar -> finished.complete(ar.succeeded() ? null : ar.cause()));
      queued.complete(null);
    });
    queued.get(10, TimeUnit.SECONDS);
    runHeld(held, 3); // one drain task per lane (writer, hasher), each seeing its whole queue, END included
    Throwable failed = finished.get(10, TimeUnit.SECONDS);
    assertNotNull(failed, "finish must fail when the bytes did not reach the file");
    assertTrue(failed.getMessage().contains("space"), failed.toString());
  }

  /** Runs the tasks held so far on the test's pool, waiting until at least min were held. */
  private void runHeld(List<Runnable> held, int min) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    List<Runnable> now;
    while (true) {
      synchronized (held) {
        if (held.size() >= min || System.nanoTime() > deadline) {
          now = new ArrayList<>(held);
          held.clear();
          break;
        }
      }
      Thread.sleep(5);
    }
    now.forEach(io::execute);
  }

  @Test
  void anAbortEndsTheStreamAndItsFinishFails() throws Exception {
    Path file = Files.createFile(dir.resolve("staging"));
    List<String> seen = onContext(ctx -> HashingFileWriter.open(vertx, file, io, true).compose(w -> {
      w.write(Buffer.buffer(new byte[1000]));
      return w.abort().transform(aborted -> {
        String write = String.valueOf(w.write(Buffer.buffer(new byte[1])).cause());
        return w.finish().transform(fin -> Future.succeededFuture(
            List.of(String.valueOf(aborted.succeeded()), write, String.valueOf(fin.cause()))));
      });
    }));
    assertEquals("true", seen.get(0), "abort itself succeeds");
    assertTrue(seen.get(1).contains("finished"), "no writes after the end: " + seen.get(1));
    assertTrue(seen.get(2).contains("aborted"), "finish reports the abort: " + seen.get(2));
  }

  @Test
  void oneGibStreamsThroughA64MibHeap() throws Exception {
    long size = 1L << 30;
    byte[] pattern = HashingWriterChild.pattern();
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    for (long done = 0; done < size; done += pattern.length) md.update(pattern);
    String expected = HexFormat.of().formatHex(md.digest());
    Path file = dir.resolve("big");
    try (ChildJvm child = ChildJvm.start(List.of("-Xmx64m", "-XX:+ExitOnOutOfMemoryError"), HashingWriterChild.class,
        file.toString(), String.valueOf(size))) {
      int exit = child.waitFor(10, TimeUnit.MINUTES);
      assertEquals(0, exit, child.output());
      String line = child.output().lines().filter(l -> l.startsWith("written ")).findFirst().orElse("");
      String[] f = line.split(" ");
      assertEquals(4, f.length, child.output());
      assertEquals(expected, f[1]);
      assertEquals(size, Long.parseLong(f[2]));
      System.out.println("1 GiB through HashingFileWriter (fsync on, -Xmx64m): " + f[3] + " MB/s");
    }
    assertEquals(size, Files.size(file));
  }
}
