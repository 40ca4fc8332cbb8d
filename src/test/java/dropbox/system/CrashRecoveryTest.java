package dropbox.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.testing.ClassicClient;
import dropbox.testing.ServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability and recovery with a real crash: the server runs as its own process, acknowledges uploads
 * while others are in flight, is killed with SIGKILL, and restarted on the same storage. Every
 * acknowledged file must come back intact (same SHA-256), nothing partial may be visible, the ledger must
 * equal the listed sizes, and fsck must find the store consistent after the restart's recovery.
 */
class CrashRecoveryTest {
  @TempDir Path root;

  @Test
  void everyAcknowledgedUploadSurvivesKillMinus9() throws Exception {
    Map<String, String> acknowledged = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    String[] args = {"--storage", root.toString(), "--tcp-port", "0", "--http-port", "0",
        "--default-quota", String.valueOf(1L << 30)};
    try (ServerProcess server = ServerProcess.start(List.of("-Xmx256m"), args)) {
      Thread[] writers = new Thread[3];
      for (int w = 0; w < writers.length; w++) {
        int id = w;
        writers[w] = new Thread(() -> uploadUntilStopped(server.tcpPort(), "writer" + id, acknowledged, stop));
        writers[w].start();
      }
      // One client stuck in the middle of a data phase when the crash comes.
      ClassicClient partial = ClassicClient.connect(server.tcpPort()).signupOrLogin("partial", "pass");
      partial.sendLine("UPLOAD half.bin");
      assertEquals("SEND_FILE_DATA\n", partial.readLine());
      partial.send(ClassicClient.le64(1_000_000));
      partial.send(new byte[400_000]);

      long deadline = System.currentTimeMillis() + 20_000;
      while (acknowledged.size() < 30 && System.currentTimeMillis() < deadline) Thread.sleep(50);
      server.kill9();
      stop.set(true);
      for (Thread t : writers) t.join(30_000);
    }
    assertTrue(acknowledged.size() >= 30, "uploads were acknowledged before the crash: " + acknowledged.size());

    try (ServerProcess server = ServerProcess.start(List.of("-Xmx256m"), args)) {
      for (String user : List.of("writer0", "writer1", "writer2")) {
        try (ClassicClient c = ClassicClient.connect(server.tcpPort()).signupOrLogin(user, "pass")) {
          String listing = c.command("LIST");
          long listedSum = 0;
          Matcher m = Pattern.compile("(?m)^(f\\S+)\\s+(\\d+)\\s").matcher(listing);
          while (m.find()) listedSum += Long.parseLong(m.group(2));
          Matcher usage = Pattern.compile("Usage: (\\d+) of").matcher(listing);
          assertTrue(usage.find(), listing);
          assertEquals(listedSum, Long.parseLong(usage.group(1)), "ledger equals the listed sizes:\n" + listing);
          for (Map.Entry<String, String> e : acknowledged.entrySet()) {
            if (!e.getKey().startsWith(user + "/")) continue;
            String name = e.getKey().substring(user.length() + 1);
            ClassicClient.Download d = c.download(name);
            assertTrue(d.ok(), name + ": " + d.trailer());
            assertEquals(e.getValue(), sha(d.data()), "content of acknowledged " + e.getKey());
          }
        }
      }
      try (ClassicClient c = ClassicClient.connect(server.tcpPort()).signupOrLogin("partial", "pass")) {
        String listing = c.command("LIST");
        assertFalse(listing.contains("half.bin"), listing);
        assertTrue(listing.contains("Usage: 0 of"), listing);
      }
    }
    ServerProcess.Result fsck = ServerProcess.run("fsck", "--storage", root.toString());
    assertEquals(0, fsck.exitCode(), fsck.output());
    assertTrue(Files.list(root.resolve("users/partial/staging")).findAny().isEmpty(), "no staging leftovers");
  }

  private static void uploadUntilStopped(int port, String user, Map<String, String> acked, AtomicBoolean stop) {
    Random rnd = new Random(user.hashCode());
    try (ClassicClient c = ClassicClient.connect(port).signupOrLogin(user, "pass")) {
      for (int i = 0; !stop.get(); i++) {
        // Names repeat, so replacements of acknowledged files are in flight at the crash too.
        String name = "f" + (i % 12);
        byte[] data = new byte[rnd.nextInt(200_000)];
        rnd.nextBytes(data);
        String reply = c.upload(name, data);
        if (reply.startsWith("SUCCESS")) acked.put(user + "/" + name, sha(data));
      }
    } catch (IOException expected) {
      // the server was killed
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  static String sha(byte[] d) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(d));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
