package dropbox.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * What the blob store's design rests on, measured on this machine's disk (docs/blob-store.md): the
 * cost of hashing beside writing 1 GiB (inline vs on its own thread), and the durable commit rate of a
 * small file (file + rename + directory fsync) against an SQLite WAL commit of the same bytes, alone
 * and 8 to a transaction. Prints, asserts nothing. The SQLite part needs sqlite-jdbc on the class path
 * (storage v2 brings it); without it that part is skipped with a note.
 *
 * <pre>java -cp target/test-classes:... dropbox.bench.BlobBench [dir] [MiB] [rounds] [vertx]</pre>
 */
public final class BlobBench {
  private static final int CHUNK = 1 << 20;

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory(Path.of(args.length > 0 ? args[0] : "."), "blob-bench");
    long mib = args.length > 1 ? Long.parseLong(args[1]) : 1024;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 300;
    try {
      byte[] data = new byte[CHUNK];
      new Random(1).nextBytes(data);
      if (args.length > 3 && args[3].equals("vertx")) { // only the front-end paths
        vertxPaths(dir, data, mib);
        return;
      }
      hashOnly(data, mib);
      for (int run = 0; run < 2; run++) {
        big("write+fsync, no hash", dir, data, mib, 0);
        big("write+fsync, hash inline (same thread)", dir, data, mib, 1);
        big("write+fsync, hash on its own thread", dir, data, mib, 2);
        big("same + background flush every 64 MiB", dir, data, mib, 3);
      }
      vertxPaths(dir, data, mib);
      small(dir, rounds);
      sqlite(dir, rounds, 1);
      sqlite(dir, rounds, 8);
    } finally {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void hashOnly(byte[] data, long mib) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    long t0 = System.nanoTime();
    for (long i = 0; i < mib; i++) md.update(data);
    md.digest();
    report("SHA-256 alone", mib, t0);
  }

  /**
   * mode 0: no hash; 1: hash then write on one thread; 2: a hasher thread beside the writer; 3: as 2, and a
   * flusher thread starts writing back (force) every 64 MiB, so the final fsync finds little left to do.
   */
  private static void big(String label, Path dir, byte[] data, long mib, int mode) throws Exception {
    Path f = dir.resolve("big-" + mode);
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    BlockingQueue<byte[]> toHash = new ArrayBlockingQueue<>(16);
    byte[] end = new byte[0];
    CompletableFuture<byte[]> hasher = mode < 2 ? null : CompletableFuture.supplyAsync(() -> {
      try {
        for (byte[] b; (b = toHash.take()) != end; ) md.update(b);
        return md.digest();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }, r -> new Thread(r, "hasher").start());
    long t0 = System.nanoTime();
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      java.util.concurrent.Semaphore flushes = new java.util.concurrent.Semaphore(0);
      if (mode == 3) {
        Thread flusher = new Thread(() -> {
          try {
            while (true) {
              flushes.acquire();
              ch.force(false);
            }
          } catch (Exception closedOrInterrupted) {
            // the run is over
          }
        }, "flusher");
        flusher.setDaemon(true);
        flusher.start();
      }
      for (long i = 0; i < mib; i++) {
        if (mode == 1) md.update(data);
        if (mode >= 2) toHash.put(data);
        ByteBuffer buf = ByteBuffer.wrap(data);
        while (buf.hasRemaining()) ch.write(buf);
        if (mode == 3 && i % 64 == 63 && flushes.availablePermits() == 0) flushes.release();
      }
      if (mode >= 2) {
        toHash.put(end);
        hasher.join();
      }
      ch.force(true);
    }
    report(label, mib, t0);
    Files.delete(f);
  }

  /**
   * The upload paths as a front end drives them, 64 KiB buffers from the event loop with back-pressure:
   * v1's StagingWriter (AsyncFile, SHA-256 on the event loop, fsync afterwards) against HashingFileWriter
   * with and without its write-back lane.
   */
  private static void vertxPaths(Path dir, byte[] data, long mib) throws Exception {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    java.util.concurrent.ExecutorService io = java.util.concurrent.Executors.newCachedThreadPool();
    try {
      for (int run = 0; run < 2; run++) {
        for (int mode = 0; mode < 3; mode++) {
          Path f = Files.createFile(dir.resolve("vx-" + run + "-" + mode));
          long t0 = System.nanoTime();
          CompletableFuture<String> done = new CompletableFuture<>();
          int m = mode;
          vertx.runOnContext(v -> {
            io.vertx.core.Future<String> r;
            if (m == 0) {
              MessageDigest md = sha256();
              r = vertx.fileSystem().open(f.toString(), new io.vertx.core.file.OpenOptions().setWrite(true))
                  .compose(af -> pump(af, mib, data, b -> md.update(b.getBytes())).compose(x -> af.close()))
                  .compose(x -> vertx.executeBlocking(() -> {
                    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                      ch.force(true);
                    }
                    return java.util.HexFormat.of().formatHex(md.digest());
                  }));
            } else {
              r = dropbox.files.HashingFileWriter.open(vertx, f, io, true, m == 1 ? 64L << 20 : Long.MAX_VALUE)
                  .compose(w -> pump(w, mib, data, b -> { }).compose(x -> w.finish()))
                  .map(dropbox.files.HashingFileWriter.Written::sha256);
            }
            r.onComplete(ar -> {
              if (ar.succeeded()) done.complete(ar.result());
              else done.completeExceptionally(ar.cause());
            });
          });
          done.get();
          report(new String[] {"v1: AsyncFile + hash on event loop + fsync", "HashingFileWriter (write|hash|write-back)",
              "HashingFileWriter without write-back lane"}[mode], mib, t0);
          Files.delete(f);
        }
      }
    } finally {
      io.shutdownNow();
      vertx.close().await();
    }
  }

  /** Writes mib MiB in fresh 64 KiB buffers, honouring writeQueueFull, like a piped socket. */
  private static io.vertx.core.Future<Void> pump(io.vertx.core.streams.WriteStream<io.vertx.core.buffer.Buffer> w,
                                                 long mib, byte[] data,
                                                 java.util.function.Consumer<io.vertx.core.buffer.Buffer> tap) {
    io.vertx.core.Promise<Void> p = io.vertx.core.Promise.promise();
    long total = mib << 20;
    new Object() {
      long sent;

      void go() {
        while (sent < total) {
          if (w.writeQueueFull()) {
            w.drainHandler(v -> go());
            return;
          }
          int off = (int) (sent % data.length);
          io.vertx.core.buffer.Buffer b = io.vertx.core.buffer.Buffer.buffer(java.util.Arrays.copyOfRange(data, off, off + 65536));
          tap.accept(b);
          w.write(b);
          sent += 65536;
        }
        p.tryComplete(); // an AsyncFile calls its drain handler again later
      }
    }.go();
    return p.future();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One 4 KiB file made durable the way the blob store publishes: write, fsync, rename, fsync the directory. */
  private static void small(Path dir, int rounds) throws IOException {
    Path staging = Files.createDirectories(dir.resolve("staging"));
    Path blobs = Files.createDirectories(dir.resolve("blobs"));
    byte[] data = new byte[4096];
    long t0 = System.nanoTime();
    for (int i = 0; i < rounds; i++) {
      Path s = staging.resolve("s" + i);
      try (FileChannel ch = FileChannel.open(s, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap(data));
        ch.force(true);
      }
      Files.move(s, blobs.resolve("b" + i), StandardCopyOption.ATOMIC_MOVE);
      try (FileChannel d = FileChannel.open(blobs, StandardOpenOption.READ)) {
        d.force(true);
      }
    }
    rate("4 KiB file + fsync + rename + dir fsync", rounds, rounds, t0);
  }

  private static void sqlite(Path dir, int rounds, int perTx) throws Exception {
    try {
      Class.forName("org.sqlite.JDBC");
    } catch (ClassNotFoundException e) {
      System.out.println("SQLite: sqlite-jdbc not on the class path, skipped");
      return;
    }
    Path db = dir.resolve("bench-" + perTx + ".db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=FULL");
        s.execute("CREATE TABLE inline_blobs (id INTEGER PRIMARY KEY, content BLOB NOT NULL)");
      }
      c.setAutoCommit(false);
      byte[] data = new byte[4096];
      new Random(2).nextBytes(data);
      long t0 = System.nanoTime();
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO inline_blobs (content) VALUES (?)")) {
        for (int i = 0; i < rounds; i++) {
          for (int j = 0; j < perTx; j++) {
            ps.setBytes(1, data);
            ps.executeUpdate();
          }
          c.commit();
        }
      }
      rate("SQLite WAL FULL, " + perTx + " x 4 KiB row(s) per commit", rounds, rounds * perTx, t0);
    }
  }

  private static void report(String label, long mib, long t0) {
    double s = (System.nanoTime() - t0) / 1e9;
    System.out.printf("%-45s %8.1f MB/s  (%d MiB in %.2f s)%n", label, mib * CHUNK / 1e6 / s, mib, s);
  }

  private static void rate(String label, int commits, int items, long t0) {
    double s = (System.nanoTime() - t0) / 1e9;
    System.out.printf("%-45s %8.0f commits/s %8.0f files/s%n", label, commits / s, items / s);
  }
}
