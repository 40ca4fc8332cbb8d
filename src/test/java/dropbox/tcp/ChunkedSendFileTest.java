package dropbox.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Chunked zero-copy sends over a real socket: every byte of the range arrives, and a stalled reader fails it. */
class ChunkedSendFileTest {
  @TempDir Path dir;
  private Vertx vertx;
  private NetServer server;

  @BeforeEach
  void start() { vertx = Vertx.vertx(); }

  @AfterEach
  void stop() throws Exception {
    if (server != null) server.close().await();
    vertx.close().await();
  }

  /** A server that sends with the given function to each connection; its result lands in the reference. */
  private int serve(Function<io.vertx.core.net.NetSocket, Future<Void>> send, AtomicReference<Future<Void>> result)
      throws Exception {
    server = vertx.createNetServer().connectHandler(so -> result.set(send.apply(so)));
    return server.listen(0, "127.0.0.1").await().actualPort();
  }

  @Test
  void aRangeOfSeveralChunksArrivesWhole() throws Exception {
    byte[] data = new byte[(int) (3 * ChunkedSendFile.CHUNK + 12_345)];
    new Random(7).nextBytes(data);
    Path f = Files.write(dir.resolve("f"), data);
    long offset = 1000;
    long length = data.length - 1000 - 17;
    AtomicReference<Future<Void>> result = new AtomicReference<>();
    int port = serve(so -> ChunkedSendFile.send(vertx, so, f.toString(), offset, length)
        .andThen(ar -> so.close()), result);
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      byte[] got = s.getInputStream().readAllBytes();
      assertArrayEquals(Arrays.copyOfRange(data, (int) offset, (int) (offset + length)), got);
    }
    result.get().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aClientThatTakesNothingFailsTheSendWithATimeout() throws Exception {
    byte[] data = new byte[32 << 20]; // far more than the socket buffers on both sides hold
    Path f = Files.write(dir.resolve("big"), data);
    AtomicReference<Future<Void>> result = new AtomicReference<>();
    int port = serve(so -> ChunkedSendFile.send(vertx, so, f.toString(), 0, data.length, 300), result);
    try (Socket s = new Socket("127.0.0.1", port)) {
      InputStream in = s.getInputStream();
      assertTrue(in.readNBytes(4096).length == 4096, "the send started");
      // Then reads nothing more: the sender sees no chunk finish for 300 ms and gives up.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (result.get() == null && System.nanoTime() < deadline) Thread.sleep(10);
      // get's own timeout would throw TimeoutException itself, not wrapped: only the send's failure passes.
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> result.get().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
      assertInstanceOf(TimeoutException.class, e.getCause());
    }
  }
}
