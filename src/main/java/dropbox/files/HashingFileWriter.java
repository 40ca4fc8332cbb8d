package dropbox.files;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.streams.WriteStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Streams an upload into its staging file while computing its SHA-256, with the two in parallel: the
 * event loop only queues buffers; one lane writes them to the file and another hashes them, each a task
 * on the given executor (blocking threads, never the event loop), so a 1 GiB upload costs
 * max(write, hash) rather than their sum. A third lane starts the write-back of what was written every
 * {@code flushEvery} bytes, so the final fsync finds little left to do and the disk works while bytes
 * still arrive. {@link #finish} fsyncs, closes and yields (sha256, size).
 *
 * <p>Back-pressure as any WriteStream: {@link #writeQueueFull} once more than the queue limit is written
 * but not yet both on disk and hashed; the drain handler runs (on the caller's context) when it has
 * fallen to half. A write failure is kept: later chunks are dropped, the drain and exception handlers
 * run, and finish fails, so the caller aborts the upload. Used from one context (an event loop).
 */
public final class HashingFileWriter implements WriteStream<Buffer> {
  /** The result: the hex SHA-256 of exactly the bytes written, and their number. */
  public record Written(String sha256, long size) {}

  private static final long DEFAULT_QUEUE_BYTES = 8L << 20;
  private static final long DEFAULT_FLUSH_EVERY = 64L << 20;
  /** Marks the end of the stream in both lanes. */
  private static final ByteBuffer END = ByteBuffer.allocate(0);

  private final Context context;
  private final FileChannel channel;
  private final boolean fsync;
  private final long flushEvery;
  private final MessageDigest digest;
  private final Lane writer;
  private final Lane hasher;
  private final Lane flusher;
  private final AtomicLong writtenToDisk = new AtomicLong();
  private final AtomicLong hashed = new AtomicLong();
  private final AtomicBoolean drainWanted = new AtomicBoolean();
  private final Promise<Void> written = Promise.promise();
  private final Promise<String> hashDone = Promise.promise();
  private volatile Throwable failure;
  /** Written by the event loop only; volatile because the lanes read it for the drain decision. */
  private volatile long queued;
  private long lastFlushRequest; // writer lane only
  private long maxQueueBytes = DEFAULT_QUEUE_BYTES;
  private Handler<Void> drainHandler;
  private Handler<Throwable> exceptionHandler;
  private Future<Written> finished;

  private HashingFileWriter(Context context, FileChannel channel, Executor executor, boolean fsync, long flushEvery) {
    this.context = context;
    this.channel = channel;
    this.fsync = fsync;
    this.flushEvery = flushEvery;
    try {
      this.digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java platform", e);
    }
    this.writer = new Lane(executor, this::writeChunks);
    this.hasher = new Lane(executor, batch -> batch.forEach(this::hashChunk));
    this.flusher = new Lane(executor, batch -> flushNow());
  }

  /**
   * Opens an existing (staging) file for writing from its start, on the executor. fsync false only for
   * benchmarks (storage.fsync=false). Call from the context that will write.
   */
  public static Future<HashingFileWriter> open(Vertx vertx, Path file, Executor executor, boolean fsync) {
    return open(vertx, file, executor, fsync, DEFAULT_FLUSH_EVERY);
  }

  /** As {@link #open(Vertx, Path, Executor, boolean)}, starting write-back every flushEvery bytes (Long.MAX_VALUE: never). */
  public static Future<HashingFileWriter> open(Vertx vertx, Path file, Executor executor, boolean fsync, long flushEvery) {
    Context ctx = vertx.getOrCreateContext();
    Promise<HashingFileWriter> p = Promise.promise();
    executor.execute(() -> {
      try {
        // No CREATE: the storage worker made the file (0600) and owns its life cycle.
        FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        ctx.runOnContext(v -> p.complete(new HashingFileWriter(ctx, ch, executor, fsync, flushEvery)));
      } catch (IOException | RuntimeException e) {
        ctx.runOnContext(v -> p.fail(e));
      }
    });
    return p.future();
  }

  @Override
  public Future<Void> write(Buffer data) {
    if (finished != null) return Future.failedFuture(new IllegalStateException("already finished"));
    if (failure != null) return Future.failedFuture(failure);
    int n = data.length();
    if (n == 0) return Future.succeededFuture();
    queued = queued + n; // single writer: the context
    // Two views of the same bytes, each with its own position, both taken before either lane can start
    // consuming one (a duplicate taken after offering could see the writer's advanced position).
    ByteBuffer forWriter = ((BufferInternal) data).getByteBuf().nioBuffer();
    ByteBuffer forHasher = forWriter.duplicate();
    writer.offer(forWriter);
    hasher.offer(forHasher);
    // Success of a single chunk is not tracked (it would cost a promise per chunk); failures reach
    // finish() and the exception handler.
    return Future.succeededFuture();
  }

  @Override
  public boolean writeQueueFull() {
    return backlog() > maxQueueBytes;
  }

  /** Bytes queued but not yet both written and hashed. */
  private long backlog() {
    return queued - Math.min(writtenToDisk.get(), hashed.get());
  }

  @Override
  public HashingFileWriter drainHandler(Handler<Void> handler) {
    this.drainHandler = handler;
    if (handler != null) drainWanted.set(true);
    checkDrain();
    return this;
  }

  @Override
  public HashingFileWriter setWriteQueueMaxSize(int maxSize) {
    this.maxQueueBytes = Math.max(1, maxSize);
    return this;
  }

  @Override
  public HashingFileWriter exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  @Override
  public Future<Void> end() {
    return finish().mapEmpty();
  }

  /**
   * Ends the stream: waits for both lanes, fsyncs and closes the file, and yields what was written. Also
   * after a failure (then it fails, with the file closed). Idempotent.
   */
  public Future<Written> finish() {
    if (finished != null) return finished;
    long size = queued;
    writer.offer(END);
    hasher.offer(END);
    finished = Future.all(written.future(), hashDone.future())
        .map(cf -> new Written(hashDone.future().result(), size))
        .transform(ar -> onContext(ar.succeeded() ? Future.succeededFuture(ar.result()) : Future.failedFuture(ar.cause())));
    return finished;
  }

  /** Stops without fsync (an aborted upload): queued bytes are dropped, the file closed. Idempotent. */
  public Future<Void> abort() {
    if (failure == null) failure = new IOException("upload aborted");
    return finish().transform(ar -> Future.succeededFuture());
  }

  // ---------------------------------------------------------------- lanes (blocking threads)

  /**
   * Writes a batch of queued chunks through one direct buffer of the lane's thread: network chunks are
   * small, and a system call per 64 KiB chunk (plus the JDK's own copy of each heap buffer into a
   * temporary direct one) costs more than one copy into a 1 MiB buffer written at once.
   */
  private void writeChunks(java.util.List<ByteBuffer> batch) {
    long n = 0;
    boolean end = false;
    ByteBuffer out = STAGE.get();
    try {
      for (ByteBuffer b : batch) {
        if (b == END) {
          end = true;
          break;
        }
        n += b.remaining();
        if (failure != null) continue;
        // A failed write (a full disk) ends the writing, not the walk through the batch: the chunks after
        // it must still be counted and, above all, an END among them must still end the stream. Thrown out
        // of the loop, it once left a fast upload's finish() waiting for ever (the client got 100 Continue
        // and then nothing; its staging file and reservation stayed until the connection's idle timeout).
        try {
          while (b.hasRemaining()) {
            if (!out.hasRemaining()) drainTo(out);
            int take = Math.min(out.remaining(), b.remaining());
            ByteBuffer slice = b.slice();
            slice.limit(take);
            out.put(slice);
            b.position(b.position() + take);
          }
        } catch (IOException | RuntimeException e) {
          fail(e);
        }
      }
      if (failure == null) drainTo(out);
    } catch (IOException | RuntimeException e) {
      fail(e);
    } finally {
      out.clear();
    }
    long total = writtenToDisk.addAndGet(n);
    if (failure == null && fsync && total - lastFlushRequest >= flushEvery) {
      lastFlushRequest = total;
      flusher.offer(END); // the payload is unused: "start write-back of what is there now"
    }
    checkDrain();
    if (end) endWriting();
  }

  /** Writes what out holds and empties it. */
  private void drainTo(ByteBuffer out) throws IOException {
    out.flip();
    while (out.hasRemaining()) channel.write(out);
    out.clear();
  }

  /** One per lane thread (a pool thread serves one lane at a time), so memory is bounded by the pool. */
  private static final ThreadLocal<ByteBuffer> STAGE = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(1 << 20));

  private void hashChunk(ByteBuffer b) {
    if (b == END) {
      hashDone.tryComplete(HexFormat.of().formatHex(digest.digest()));
      return;
    }
    int n = b.remaining();
    if (failure == null) digest.update(b);
    hashed.addAndGet(n);
    checkDrain();
  }

  /** Write-back of dirty pages so far (force without metadata); overlaps the writer, never delays it. */
  private void flushNow() {
    if (failure != null || !channel.isOpen()) return;
    try {
      channel.force(false);
    } catch (IOException | RuntimeException e) {
      if (channel.isOpen()) fail(e); // a close under a last flush is the end of the stream, not a failure
    }
  }

  private void endWriting() {
    try {
      if (failure == null && fsync) channel.force(true);
    } catch (IOException | RuntimeException e) {
      fail(e);
    }
    try {
      channel.close();
    } catch (IOException e) {
      fail(e);
    }
    if (failure != null) written.tryFail(failure);
    else written.tryComplete();
  }

  private void fail(Throwable e) {
    if (failure != null) return;
    failure = e;
    context.runOnContext(v -> {
      Handler<Throwable> h = exceptionHandler;
      if (h != null) h.handle(e);
    });
    drainWanted.set(true);
    checkDrainNow(true);
  }

  private void checkDrain() {
    checkDrainNow(false);
  }

  /** Runs the drain handler on the context once the backlog is at half the limit (or after a failure). */
  private void checkDrainNow(boolean force) {
    if (!drainWanted.get()) return;
    // A lane may see queued a little behind the event loop; at worst the drain comes early, and the event
    // loop checks writeQueueFull again before writing more.
    if (!force && failure == null && backlog() > maxQueueBytes / 2) return;
    if (!drainWanted.compareAndSet(true, false)) return;
    context.runOnContext(v -> {
      Handler<Void> h = drainHandler;
      drainHandler = null;
      if (h != null) h.handle(null);
    });
  }

  private <T> Future<T> onContext(Future<T> f) {
    Promise<T> p = Promise.promise();
    context.runOnContext(v -> p.handle(f));
    return p.future();
  }

  /**
   * A queue drained by at most one task at a time, so its items are handled in order on some thread; the
   * handler gets them in batches of what is waiting (at most BATCH).
   */
  private static final class Lane {
    private static final int BATCH = 64;
    private final Queue<ByteBuffer> items = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Executor executor;
    private final java.util.function.Consumer<java.util.List<ByteBuffer>> handler;

    Lane(Executor executor, java.util.function.Consumer<java.util.List<ByteBuffer>> handler) {
      this.executor = executor;
      this.handler = handler;
    }

    void offer(ByteBuffer b) {
      items.add(b);
      if (scheduled.compareAndSet(false, true)) executor.execute(this::drain);
    }

    private void drain() {
      java.util.List<ByteBuffer> batch = new java.util.ArrayList<>(BATCH);
      do {
        for (ByteBuffer b; (b = items.poll()) != null; ) {
          batch.add(b);
          if (b == END || batch.size() == BATCH) {
            handler.accept(batch);
            batch.clear();
          }
        }
        if (!batch.isEmpty()) {
          handler.accept(batch);
          batch.clear();
        }
        scheduled.set(false);
        // An item offered between the last poll and the reset above found "scheduled" set: take it here.
      } while (!items.isEmpty() && scheduled.compareAndSet(false, true));
    }
  }
}
