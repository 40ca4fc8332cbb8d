package dropbox.bus;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.streams.WriteStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeoutException;

/**
 * Sends a byte range of a content file to a connection in large reads, for the connections where
 * zero-copy sendfile is not possible (TLS, HTTP/2). Vert.x's sendFile falls back there to reading 8 KiB
 * per blocking call on the event loop; 256 KiB positional reads on a worker send several times faster. Both front
 * ends' downloads use it (http/Download, tcp/TcpDownload); plain HTTP/1.1 and plain TCP keep sendfile.
 *
 * <p>The memory a download holds is bounded by the bytes the socket has not yet taken, counted from the
 * futures of the writes, not by the stream's "write queue full" signal: an HTTP/2 response cannot lower
 * that mark (setWriteQueueMaxSize does nothing in Vert.x 5.0.7) and it only reports full past ~16
 * messages, so a client that never read held ~4 MB per download. Now a download has at most
 * {@link #PER_DOWNLOAD} bytes out, every read first takes room in the process's {@link DownloadBuffers},
 * and a download whose socket takes nothing for {@link #STALL_MILLIS} fails (as nginx's send_timeout),
 * so a stalled client gives its room back; while other downloads wait for room, after
 * {@link #PRESSURED_STALL_MILLIS} already, so clients that stop reading cannot keep the others waiting
 * for long. A client that pauses a download is only dropped early when the room is needed. Until its
 * socket has taken a first write, a download holds only {@link #FIRST_READ} bytes: an HTTP/2 stream
 * opened with a window of 0 never takes one, and so costs an eighth of a running download.
 */
public final class FileStreaming {
  public static final int READ_BUFFER = 256 * 1024;
  /** Bytes one download may have written and not yet taken by its socket: two reads, so reading overlaps sending. */
  static final int PER_DOWNLOAD = 2 * READ_BUFFER;
  /** The one read a download has out until its socket took it (then reads grow to READ_BUFFER). */
  static final int FIRST_READ = 64 * 1024;
  /** A download whose socket takes no byte for this long is given up (nginx's send_timeout default). */
  public static final long STALL_MILLIS = 60_000;
  /** The same while other downloads wait for room in DownloadBuffers. */
  public static final long PRESSURED_STALL_MILLIS = 10_000;

  private FileStreaming() {}

  /**
   * Streams [offset, offset + length) of path into dst. endDst: end dst after the last byte (an HTTP
   * response); otherwise dst stays open for what follows (the TCP protocol's trailer). The file is closed
   * on every outcome; the future fails when the file cannot be read, dst fails or closes, or dst takes
   * nothing for STALL_MILLIS, or PRESSURED_STALL_MILLIS while others wait for room (a TimeoutException:
   * the caller then resets or closes the connection).
   */
  public static Future<Void> send(Vertx vertx, String path, long offset, long length, WriteStream<Buffer> dst,
      boolean endDst) {
    return send(vertx, path, offset, length, dst, endDst, DownloadBuffers.PROCESS,
        new Stall(STALL_MILLIS, PRESSURED_STALL_MILLIS));
  }

  /** How long a socket may take nothing: millis, or pressuredMillis while other downloads wait for room. */
  record Stall(long millis, long pressuredMillis) {}

  static Future<Void> send(Vertx vertx, String path, long offset, long length, WriteStream<Buffer> dst,
      boolean endDst, DownloadBuffers buffers, Stall stall) {
    Context context = vertx.getOrCreateContext();
    return vertx.executeBlocking(() -> FileChannel.open(Path.of(path), StandardOpenOption.READ), false)
        .compose(file -> new Sender(vertx, context, file, offset, length, dst, endDst, buffers, stall)
            .start().eventually(() -> vertx.executeBlocking(() -> {
              file.close();
              return null;
            }, false)));
  }

  /**
   * Reads n bytes at position straight into the array of a new buffer (AsyncFile.read would allocate a
   * second one and copy: a fifth of TLS download throughput). Fewer than n only at the end of the file.
   */
  private static Buffer readAt(FileChannel file, long position, int n) throws IOException {
    ByteBuf into = Unpooled.buffer(n, n); // on the heap: the garbage collector frees it after the write
    ByteBuffer target = into.nioBuffer(0, n);
    int got = 0;
    while (target.hasRemaining()) {
      int r = file.read(target, position + got);
      if (r < 0) break;
      got += r;
    }
    into.writerIndex(got);
    return BufferInternal.buffer(into);
  }

  /** One download's reads and writes; every field is used on its context only. */
  private static final class Sender {
    private final Vertx vertx;
    private final Context context;
    private final FileChannel file;
    private final WriteStream<Buffer> dst;
    private final boolean endDst;
    private final DownloadBuffers buffers;
    private final Stall stall;
    private final Promise<Void> done = Promise.promise();
    private long position;
    private long remaining; // not read yet
    private long outstanding; // written, not yet taken by the socket; held in buffers
    private boolean reading; // a read (its room taken or asked for) is under way
    private boolean finished;
    private boolean moving; // the socket took a write: reads may grow from FIRST_READ to READ_BUFFER
    private long lastProgress;
    private long stallTimer = -1;

    Sender(Vertx vertx, Context context, FileChannel file, long offset, long length, WriteStream<Buffer> dst,
        boolean endDst, DownloadBuffers buffers, Stall stall) {
      this.vertx = vertx;
      this.context = context;
      this.file = file;
      this.position = offset;
      this.remaining = length;
      this.dst = dst;
      this.endDst = endDst;
      this.buffers = buffers;
      this.stall = stall;
    }

    Future<Void> start() {
      if (remaining <= 0) return endDst ? dst.end() : Future.succeededFuture();
      pump();
      return done.future();
    }

    private void pump() {
      if (finished || reading || remaining == 0 || outstanding >= (moving ? PER_DOWNLOAD : FIRST_READ)) return;
      int n = (int) Math.min(moving ? READ_BUFFER : FIRST_READ, remaining);
      reading = true;
      buffers.take(n, context, () -> read(n));
    }

    private void read(int n) {
      if (finished) {
        buffers.release(n);
        return;
      }
      long at = position;
      vertx.executeBlocking(() -> readAt(file, at, n), false).onComplete(ar -> {
        reading = false;
        if (finished) {
          buffers.release(n);
        } else if (ar.failed() || ar.result().length() != n) {
          buffers.release(n);
          fail(ar.failed() ? ar.cause() : new IOException("content file ended before its size"));
        } else {
          write(ar.result(), n);
        }
      });
    }

    private void write(Buffer bytes, int n) {
      position += n;
      remaining -= n;
      if (outstanding == 0) lastProgress = System.nanoTime(); // waiting for room was not the socket's stall
      outstanding += n;
      Future<Void> written;
      try {
        written = remaining == 0 && endDst ? dst.end(bytes) : dst.write(bytes);
      } catch (RuntimeException e) { // a response already closed
        written = Future.failedFuture(e);
      }
      watchForStall();
      written.onComplete(r -> taken(n, r));
      pump();
    }

    private void taken(int n, AsyncResult<Void> r) {
      if (finished) return; // its room went back when the download finished
      outstanding -= n;
      buffers.release(n);
      lastProgress = System.nanoTime();
      moving = true;
      if (r.failed()) {
        fail(r.cause());
      } else if (remaining == 0 && outstanding == 0) {
        finish();
        done.tryComplete();
      } else {
        pump();
      }
    }

    /** While bytes are out, looks every pressuredMillis whether the socket took any for too long. */
    private void watchForStall() {
      if (stallTimer >= 0 || finished) return;
      long every = Math.min(stall.millis(), stall.pressuredMillis());
      stallTimer = vertx.setTimer(every, id -> {
        stallTimer = -1;
        if (finished || outstanding == 0) return;
        long idleMillis = (System.nanoTime() - lastProgress) / 1_000_000;
        long limit = buffers.waiting() > 0 ? stall.pressuredMillis() : stall.millis();
        if (idleMillis >= limit) {
          fail(new TimeoutException("the client took no byte for " + idleMillis / 1000 + " s"));
        } else {
          watchForStall();
        }
      });
    }

    private void fail(Throwable cause) {
      if (finished) return;
      finish();
      done.tryFail(cause);
    }

    /** Gives back the room of the bytes still out: the caller resets or closes dst, which drops them. */
    private void finish() {
      finished = true;
      buffers.release(outstanding);
      outstanding = 0;
      if (stallTimer >= 0) vertx.cancelTimer(stallTimer);
      stallTimer = -1;
    }
  }
}
