package dropbox.tcp;

import dropbox.bus.FileStreaming;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import java.util.concurrent.TimeoutException;

/**
 * A plain-port download as zero-copy sendfile calls of {@link #CHUNK} bytes each, one after the other.
 * Two reasons not to hand Vert.x the whole file in one call: its progress is then invisible until the end,
 * so a client that stops reading would hold the connection for ever (each finished chunk is progress here,
 * and {@link FileStreaming#STALL_MILLIS} without one fails the send, as the TLS port's streaming does); and
 * Vert.x splits a long call into regions of 1 MiB and logs a failed one as ERROR with its stack, which a
 * client leaving or the server stopping would otherwise write for every download cut short. A chunk below
 * 1 MiB is one region. The file is opened per chunk (Vert.x's API takes a path): about 1 000 opens a GiB.
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
  private final Promise<Void> done = Promise.promise();
  private long next;
  private long lastProgress;
  private long timer = -1;

  private ChunkedSendFile(Vertx vertx, NetSocket socket, String path, long offset, long length, long stallMillis) {
    this.vertx = vertx;
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
    ChunkedSendFile s = new ChunkedSendFile(vertx, socket, path, offset, length, stallMillis);
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
    socket.sendFile(path, next, n).onComplete(ar -> {
      if (ar.failed()) {
        finish(ar.cause());
        return;
      }
      next += n;
      lastProgress = System.nanoTime();
      sendNext();
    });
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
    if (failure == null) done.tryComplete();
    else done.tryFail(failure);
  }
}
