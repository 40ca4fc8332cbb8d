package dropbox.files;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Child JVM of HashingFileWriterTest: streams size bytes (a 64 KiB pattern of seed 7, repeated, in fresh 1 MiB
 * buffers) into a new file through a HashingFileWriter with fsync, then prints
 * "written &lt;sha256&gt; &lt;size&gt; &lt;MB/s&gt;" and exits 0. Run with a small heap, it proves the writer streams.
 */
public final class HashingWriterChild {
  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    long size = Long.parseLong(args[1]);
    byte[] pattern = pattern();
    Files.createFile(file);
    Vertx vertx = Vertx.vertx();
    ExecutorService io = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "blob-io");
      t.setDaemon(true);
      return t;
    });
    CompletableFuture<HashingFileWriter.Written> result = new CompletableFuture<>();
    long t0 = System.nanoTime();
    vertx.runOnContext(v -> HashingFileWriter.open(vertx, file, io, true)
        .compose(w -> Feed.feed(w, size, off -> chunk(pattern)))
        .onComplete(ar -> {
          if (ar.succeeded()) result.complete(ar.result());
          else result.completeExceptionally(ar.cause());
        }));
    try {
      HashingFileWriter.Written w = result.get();
      double secs = (System.nanoTime() - t0) / 1e9;
      System.out.printf("written %s %d %.1f%n", w.sha256(), w.size(), w.size() / 1e6 / secs);
      System.out.flush();
    } finally {
      vertx.close().await();
    }
  }

  /**
   * A fresh 1 MiB buffer of the pattern: made at memory speed, far faster than a disk takes it, so a
   * writer that ignored its queue limit would hold the whole gigabyte and die in this heap.
   */
  static Buffer chunk(byte[] pattern) {
    byte[] b = new byte[CHUNK];
    for (int off = 0; off < CHUNK; off += pattern.length) System.arraycopy(pattern, 0, b, off, pattern.length);
    return Buffer.buffer(b);
  }

  static final int CHUNK = 1 << 20;

  static byte[] pattern() {
    byte[] p = new byte[64 * 1024];
    new Random(7).nextBytes(p);
    return p;
  }
}
