package dropbox.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.testing.ClassicClient;
import dropbox.testing.ServerProcess;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proof that bytes stream: a server limited to a 128 MiB heap accepts and serves a 2 GiB file and four
 * concurrent 256 MiB uploads. Any path that buffered a whole file would die with OutOfMemoryError.
 */
class StreamingMemoryTest {
  private static final long TWO_GIB = 2L << 30;
  private static final long MIB_256 = 256L << 20;
  @TempDir Path root;

  @Test
  void aServerWith128MiBHeapStreamsA2GiBFileAndConcurrent256MiBUploads() throws Exception {
    try (ServerProcess server = ServerProcess.start(List.of("-Xmx128m"), "--storage", root.toString(),
        "--tcp-port", "0", "--http-port", "0", "--default-quota", String.valueOf(4L << 30))) {
      byte[] pattern = new byte[1 << 16];
      new java.util.Random(7).nextBytes(pattern);
      MessageDigest expected = MessageDigest.getInstance("SHA-256");
      for (long done = 0; done < TWO_GIB; done += pattern.length) expected.update(pattern);
      String expectedSha = HexFormat.of().formatHex(expected.digest());

      try (ClassicClient c = ClassicClient.connect(server.tcpPort()).signupOrLogin("big", "pass")) {
        assertEquals(ClassicClient.SUCCESS + "> ", c.upload("two-gib.bin", TWO_GIB, off -> pattern));
        c.sendLine("DOWNLOAD two-gib.bin");
        assertEquals(TWO_GIB, c.readLe64());
        MessageDigest got = MessageDigest.getInstance("SHA-256");
        InputStream in = c.rawIn();
        byte[] buf = new byte[1 << 16];
        long left = TWO_GIB;
        while (left > 0) {
          int n = in.read(buf, 0, (int) Math.min(buf.length, left));
          assertTrue(n > 0, "connection closed with " + left + " bytes left");
          got.update(buf, 0, n);
          left -= n;
        }
        assertEquals(ClassicClient.SUCCESS + "> ", c.readUntil("> "));
        assertEquals(expectedSha, HexFormat.of().formatHex(got.digest()));
        assertEquals(ClassicClient.SUCCESS + "> ", c.command("DELETE two-gib.bin"));
      }

      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<String>> uploads = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        String name = "part" + i;
        uploads.add(pool.submit(() -> {
          try (ClassicClient c = ClassicClient.connect(server.tcpPort()).signupOrLogin("big", "pass")) {
            return c.upload(name, MIB_256, off -> pattern);
          }
        }));
      }
      for (Future<String> f : uploads) assertEquals(ClassicClient.SUCCESS + "> ", f.get());
      pool.shutdown();
      try (ClassicClient c = ClassicClient.connect(server.tcpPort()).signupOrLogin("big", "pass")) {
        assertTrue(c.command("QUOTA").startsWith("Usage: " + (4 * MIB_256) + " of"));
      }
      assertTrue(server.isAlive());
      assertTrue(server.output().stream().noneMatch(l -> l.contains("OutOfMemoryError")), "no OOM in the log");
    }
  }
}
