package dropbox.bus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Downloads streamed by FileStreaming into real sockets (a Vert.x NetServer, java.net.Socket clients):
 * the bytes sent, and the memory bound when clients stop reading, which is what it is for.
 */
class FileStreamingTest {
  private static final FileStreaming.Stall LONG = new FileStreaming.Stall(60_000, 60_000);
  @TempDir Path dir;
  private Vertx vertx;
  private NetServer server;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** Listens; every connection gets onConnect run on its event loop. Returns the port. */
  private int listen(Consumer<NetSocket> onConnect) throws Exception {
    server = vertx.createNetServer().connectHandler(onConnect::accept);
    return server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
  }

  @Test
  void aRangeArrivesExactlyAndItsRoomIsGivenBack() throws Exception {
    byte[] content = new byte[3 * 1024 * 1024 + 12_345];
    new Random(7).nextBytes(content);
    Path file = Files.write(dir.resolve("blob"), content);
    DownloadBuffers buffers = new DownloadBuffers(1 << 20);
    CompletableFuture<Void> sent = new CompletableFuture<>();
    int port = listen(s -> FileStreaming.send(vertx, file.toString(), 1000, content.length - 5000, s, false,
        buffers, LONG).onComplete(ar -> {
          if (ar.succeeded()) sent.complete(null);
          else sent.completeExceptionally(ar.cause());
          s.close();
        }));
    try (Socket c = new Socket("127.0.0.1", port); InputStream in = c.getInputStream()) {
      byte[] got = in.readAllBytes();
      assertArrayEquals(Arrays.copyOfRange(content, 1000, content.length - 4000), got);
    }
    sent.get(10, TimeUnit.SECONDS);
    assertEquals(0, buffers.inUse());
  }

  @Test
  void clientsThatStopReadingHoldAtMostTheBudgetAndGiveItBackWhenOthersWait() throws Exception {
    Path file = dir.resolve("big");
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(256L << 20); // sparse: reads cost no disk
    }
    // Four reads of room for eight downloads; a minute of stall allowed, one second while others wait.
    DownloadBuffers buffers = new DownloadBuffers(1 << 20);
    FileStreaming.Stall stall = new FileStreaming.Stall(60_000, 1_000);
    List<CompletableFuture<Throwable>> outcomes = new ArrayList<>();
    for (int i = 0; i < 8; i++) outcomes.add(new CompletableFuture<>());
    long[] peak = new long[1];
    vertx.setPeriodic(5, id -> peak[0] = Math.max(peak[0], buffers.inUse()));
    int[] next = new int[1];
    int port = listen(s -> {
      CompletableFuture<Throwable> outcome = outcomes.get(next[0]++);
      FileStreaming.send(vertx, file.toString(), 0, 256L << 20, s, false, buffers, stall)
          .onComplete(ar -> outcome.complete(ar.cause()));
    });
    List<Socket> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 8; i++) {
        Socket c = new Socket();
        c.setReceiveBufferSize(4096);
        c.connect(new InetSocketAddress("127.0.0.1", port));
        clients.add(c); // never read
      }
      // Before: a stalled download never ended and held its bytes. Now those holding room while others
      // wait give up after the pressured stall time, until nobody waits: the last ones (two reads each,
      // the whole budget) may stay, as a client pausing a download would, for the minute.
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
      int timedOut = 0;
      while (System.nanoTime() < until && (timedOut = count(outcomes, TimeoutException.class)) < 6) {
        Thread.sleep(20);
      }
      assertTrue(timedOut >= 6, timedOut + " of 8 stalled downloads given up while others waited");
      assertEquals(0, buffers.waiting());
    } finally {
      for (Socket c : clients) c.close();
    }
    for (CompletableFuture<Throwable> o : outcomes) assertTrue(o.get(30, TimeUnit.SECONDS) != null);
    assertTrue(peak[0] <= buffers.budget(), "peak " + peak[0]);
    assertTrue(peak[0] >= 3 * FileStreaming.READ_BUFFER, "peak " + peak[0]);
    assertEquals(0, buffers.inUse());
  }

  private static int count(List<CompletableFuture<Throwable>> outcomes, Class<?> type) {
    int n = 0;
    for (CompletableFuture<Throwable> o : outcomes) if (type.isInstance(o.getNow(null))) n++;
    return n;
  }

  /**
   * The attack that killed the server: HTTP/2 streams opened with a window of 0, which never let a byte
   * through. Each now holds one FIRST_READ (before: ~4 MB each), and a closed connection gives it back.
   */
  @Test
  void http2StreamsWithAZeroWindowHoldOneFirstReadEach() throws Exception {
    Path file = dir.resolve("big");
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(64L << 20);
    }
    DownloadBuffers buffers = new DownloadBuffers(64L << 20);
    io.vertx.core.http.HttpServer h2 = vertx.createHttpServer().requestHandler(req -> {
      req.response().putHeader("Content-Length", Long.toString(64L << 20));
      FileStreaming.send(vertx, file.toString(), 0, 64L << 20, req.response(), true, buffers, LONG);
    });
    int port = h2.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    io.vertx.core.http.HttpClient client = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions()
        .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false)
        .setInitialSettings(new io.vertx.core.http.Http2Settings().setInitialWindowSize(0)));
    int streams = 8;
    for (int i = 0; i < streams; i++) {
      // Not awaited: Vert.x may hold the response head back until the first DATA may pass.
      client.request(io.vertx.core.http.HttpMethod.GET, port, "127.0.0.1", "/big")
          .compose(io.vertx.core.http.HttpClientRequest::send);
    }
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (buffers.inUse() < (long) streams * FileStreaming.FIRST_READ && System.nanoTime() < until) Thread.sleep(10);
    Thread.sleep(500); // and no more than that
    assertEquals((long) streams * FileStreaming.FIRST_READ, buffers.inUse());
    client.close().await(10, TimeUnit.SECONDS);
    until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (buffers.inUse() > 0 && System.nanoTime() < until) Thread.sleep(10);
    assertEquals(0, buffers.inUse(), "closing the connection gives the room back");
  }

  @Test
  void aClientLeavingFailsTheDownloadAndGivesItsRoomBack() throws Exception {
    Path file = dir.resolve("big");
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(256L << 20);
    }
    DownloadBuffers buffers = new DownloadBuffers(1 << 20);
    CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    int port = listen(s -> FileStreaming.send(vertx, file.toString(), 0, 256L << 20, s, false, buffers, LONG)
        .onComplete(ar -> outcome.complete(ar.cause())));
    try (Socket c = new Socket("127.0.0.1", port)) {
      c.getInputStream().readNBytes(1 << 20);
    }
    assertTrue(outcome.get(30, TimeUnit.SECONDS) != null, "a closed connection fails the download");
    assertEquals(0, buffers.inUse());
  }

  @Test
  void aContentFileShorterThanItsSizeFails() throws Exception {
    Path file = Files.write(dir.resolve("short"), new byte[100_000]);
    DownloadBuffers buffers = new DownloadBuffers(1 << 20);
    CompletableFuture<Void> sent = new CompletableFuture<>();
    int port = listen(s -> FileStreaming.send(vertx, file.toString(), 0, 300_000, s, false, buffers, LONG)
        .onComplete(ar -> {
          if (ar.succeeded()) sent.complete(null);
          else sent.completeExceptionally(ar.cause());
          s.close();
        }));
    try (Socket c = new Socket("127.0.0.1", port)) {
      c.getInputStream().readAllBytes();
    }
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> sent.get(10, TimeUnit.SECONDS));
    assertTrue(e.getCause().getMessage().contains("ended before its size"), e.getCause().toString());
    assertEquals(0, buffers.inUse());
  }
}
