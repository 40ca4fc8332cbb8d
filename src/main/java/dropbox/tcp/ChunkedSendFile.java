package dropbox.tcp;

import dropbox.bus.FileStreaming;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.VertxConnection;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeoutException;

/**
 * A plain-port download as zero-copy sendfile calls of {@link #CHUNK} bytes each, one after the other.
 * Two reasons not to hand Vert.x the whole file in one call: its progress is then invisible until the end,
 * so a client that stops reading would hold the connection for ever (each finished chunk is progress here,
 * and {@link FileStreaming#STALL_MILLIS} without one fails the send, as the TLS port's streaming does); and
 * Vert.x splits a long call into regions of 1 MiB and logs a failed one as ERROR with its stack, which a
 * client leaving or the server stopping would otherwise write for every download cut short. A chunk below
 * 1 MiB is one region. The file is opened once (on the event loop, as Vert.x's own sendFile does) and each
 * chunk goes through Vert.x's connection as a region of that channel; only a socket that is not Vert.x's
 * own connection class falls back to the path-taking API, which opens the file per chunk.
 * Measured (bench.sh --tcp-big, 1 GiB DOWNLOAD): chunks of 256 KiB cost a fifth of the rate, these nothing
 * measurable; the price is that a client slower than one chunk a minute (17 kB/s) is taken for stalled.
 */
final class ChunkedSendFile {
  static final long CHUNK = 1020 * 1024;
  /** How often progress is checked: a stall is seen within STALL_MILLIS + CHECK_MILLIS. */
  static final long CHECK_MILLIS = 10_000;

  private final Vertx vertx;
  private final NetSocket socket;
  private final String path;
  private final long end;
  private final long stallMillis;
  /** The file, open for the whole send; null when the socket only takes paths. */
  private final FileChannel channel;
  private final Promise<Void> done = Promise.promise();
  private long next;
  private long lastProgress;
  private long timer = -1;

  private ChunkedSendFile(Vertx vertx, NetSocket socket, String path, FileChannel channel, long offset, long length,
      long stallMillis) {
    this.vertx = vertx;
    this.channel = channel;
    this.socket = socket;
    this.path = path;
    this.next = offset;
    this.end = offset + length;
    this.stallMillis = stallMillis;
  }

  /** Sends length bytes of the file from offset; fails with a TimeoutException when the client stalls. */
  static Future<Void> send(Vertx vertx, NetSocket socket, String path, long offset, long length) {
    return send(vertx, socket, path, offset, length, FileStreaming.STALL_MILLIS);
  }

  static Future<Void> send(Vertx vertx, NetSocket socket, String path, long offset, long length, long stallMillis) {
    FileChannel channel = null;
    if (socket instanceof VertxConnection) {
      try {
        channel = FileChannel.open(Path.of(path), StandardOpenOption.READ);
      } catch (IOException e) {
        return Future.failedFuture(e);
      }
    }
    ChunkedSendFile s = new ChunkedSendFile(vertx, socket, path, channel, offset, length, stallMillis);
    s.lastProgress = System.nanoTime();
    s.timer = vertx.setPeriodic(Math.min(CHECK_MILLIS, stallMillis), id -> s.check());
    s.sendNext();
    return s.done.future();
  }

  private void sendNext() {
    if (next >= end) {
      finish(null);
      return;
    }
    long n = Math.min(CHUNK, end - next);
    if (channel == null) {
      socket.sendFile(path, next, n).onComplete(ar -> sent(n, ar.cause()));
    } else {
      ((VertxConnection) socket).sendFile(channel, next, n).addListener(f -> sent(n, f.cause()));
    }
  }

  /** A chunk's end, on the connection's event loop: progress, or the send's failure. */
  private void sent(long n, Throwable failure) {
    if (failure != null) {
      finish(failure);
      return;
    }
    next += n;
    lastProgress = System.nanoTime();
    sendNext();
  }

  private void check() {
    long idle = (System.nanoTime() - lastProgress) / 1_000_000;
    if (idle >= stallMillis) finish(new TimeoutException("the client took no byte for " + idle / 1000 + " s"));
  }

  private void finish(Throwable failure) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // read-only: nothing was lost
      }
    }
    if (failure == null) done.tryComplete();
    else done.tryFail(failure);
  }
}
