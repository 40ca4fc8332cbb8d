package dropbox.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.storage.meta.MetadataStore;
import dropbox.storage.meta.MetadataStores;
import dropbox.storage.meta.UsageCheck;
import dropbox.testing.ClassicClient;
import dropbox.testing.ServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability and recovery with a real crash: the server runs as its own process, acknowledges uploads
 * while others are in flight, is killed with SIGKILL, and restarted on the same storage. Every
 * acknowledged file must come back intact (same SHA-256), nothing partial may be visible, the ledger must
 * equal the listed sizes, and fsck must find the store consistent after the restart's recovery.
 *
 * <p>Names are reused, so at the kill a replacement may have been committed whose SUCCESS never reached
 * the writer: that newer complete version is a correct outcome, the acknowledged one it replaced is not
 * lost but superseded. What a name may hold afterwards is therefore exactly: its last acknowledged
 * version, or a version the writer sent after it without getting an answer. A version the server refused,
 * an older one, a mix or a truncation (no sent version has its hash) is corruption.
 */
class CrashRecoveryTest {
  @TempDir Path root;

  /** Options besides storage, ports and quota: none, the default engine (v2); CrashRecoveryV1Test: v1. */
  List<String> engineOptions() throws IOException { return List.of(); }

  /**
   * After the restart and the checks through the protocol: the engine's own consistency check. v2: the
   * database agrees with itself (usage rows = the tree and the reservations, none left), no staging file
   * survived the restart's recovery, and `fsck` agrees.
   */
  void assertStoreConsistent() throws Exception {
    try (MetadataStore meta = MetadataStores.openSqlite(root.resolve(MetadataStores.SQLITE_FILE), 1, 5000,
        user -> 1L << 30, System::currentTimeMillis)) {
      List<String> users = meta.users();
      assertTrue(users.containsAll(List.of("writer0", "writer1", "writer2", "partial")), users.toString());
      for (String user : users) {
        UsageCheck check = meta.checkUsage(user);
        assertTrue(check.consistent(), check.toString());
        assertEquals(0, check.stored().reservedBytes(), "no reservation outlived the crash: " + check);
      }
    }
    try (Stream<Path> staging = Files.walk(root.resolve("staging"))) {
      assertEquals(List.of(), staging.filter(Files::isRegularFile).toList(), "no staging leftovers");
    }
    ServerProcess.Result fsck = ServerProcess.run("fsck", "--storage", root.toString());
    assertEquals(0, fsck.exitCode(), fsck.output());
    assertTrue(fsck.output().contains("storage is consistent"), fsck.output());
  }

  @Test
  void everyAcknowledgedUploadSurvivesKillMinus9() throws Exception {
    Map<String, List<Version>> sent = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    List<String> options = new ArrayList<>(engineOptions());
    options.addAll(List.of("--storage", root.toString(), "--tcp-port", "0", "--http-port", "0",
        "--default-quota", String.valueOf(1L << 30)));
    String[] args = options.toArray(String[]::new);
    try (ServerProcess server = ServerProcess.start(List.of("-Xmx256m"), args)) {
      Thread[] writers = new Thread[3];
      for (int w = 0; w < writers.length; w++) {
        int id = w;
        writers[w] = new Thread(() -> uploadUntilStopped(server.tcpPort(), "writer" + id, sent, stop));
        writers[w].start();
      }
      // One client stuck in the middle of a data phase when the crash comes.
      ClassicClient partial = ClassicClient.connect(server.tcpPort()).signupOrLogin("partial", "pass");
      partial.sendLine("UPLOAD half.bin");
      assertEquals("SEND_FILE_DATA\n", partial.readLine());
      partial.send(ClassicClient.le64(1_000_000));
      partial.send(new byte[400_000]);

      long deadline = System.currentTimeMillis() + 20_000;
      while (acknowledged(sent) < 30 && System.currentTimeMillis() < deadline) Thread.sleep(50);
      server.kill9();
      stop.set(true);
      for (Thread t : writers) {
        t.join(30_000);
        assertFalse(t.isAlive(), "writer ended after the kill");
      }
    }
    assertTrue(acknowledged(sent) >= 30, "uploads were acknowledged before the crash: " + acknowledged(sent));

    try (ServerProcess server = ServerProcess.start(List.of("-Xmx256m"), args)) {
      for (String user : List.of("writer0", "writer1", "writer2")) {
        try (ClassicClient c = ClassicClient.connect(server.tcpPort()).signupOrLogin(user, "pass")) {
          String listing = c.command("LIST");
          long listedSum = 0;
          Matcher m = Pattern.compile("(?m)^(f\\S+)\\s+(\\d+)\\s").matcher(listing);
          Set<String> listed = new HashSet<>();
          while (m.find()) {
            listedSum += Long.parseLong(m.group(2));
            listed.add(m.group(1));
          }
          Matcher usage = Pattern.compile("Usage: (\\d+) of").matcher(listing);
          assertTrue(usage.find(), listing);
          assertEquals(listedSum, Long.parseLong(usage.group(1)), "ledger equals the listed sizes:\n" + listing);
          Set<String> names = new TreeSet<>(listed);
          sent.keySet().stream().filter(k -> k.startsWith(user + "/"))
              .forEach(k -> names.add(k.substring(user.length() + 1)));
          for (String name : names) {
            List<Version> versions = sent.getOrDefault(user + "/" + name, List.of());
            if (!listed.contains(name)) {
              // Absent is fine only if no version of it was ever acknowledged.
              assertTrue(versions.stream().noneMatch(v -> v.outcome == Outcome.ACKNOWLEDGED),
                  "acknowledged but missing: " + user + "/" + name);
              continue;
            }
            ClassicClient.Download d = c.download(name);
            assertTrue(d.ok(), name + ": " + d.trailer());
            String got = sha(d.data());
            assertTrue(allowedContents(versions).contains(got), user + "/" + name + " holds "
                + describe(got, versions) + "; allowed: its last acknowledged version or a later unanswered one");
          }
        }
      }
      try (ClassicClient c = ClassicClient.connect(server.tcpPort()).signupOrLogin("partial", "pass")) {
        String listing = c.command("LIST");
        assertFalse(listing.contains("half.bin"), listing);
        assertTrue(listing.contains("Usage: 0 of"), listing);
      }
    }
    assertStoreConsistent();
  }

  enum Outcome { ACKNOWLEDGED, REFUSED, UNANSWERED }

  /** One upload a writer sent, in sending order; UNANSWERED until its reply arrives. */
  static final class Version {
    final String sha;
    volatile Outcome outcome = Outcome.UNANSWERED;

    Version(String sha) { this.sha = sha; }
  }

  /**
   * The hashes a name may hold after the crash: its last acknowledged version and every version sent
   * after it that got no answer (committed or not, the kill decided). Refused versions never.
   */
  static List<String> allowedContents(List<Version> versions) {
    int last = -1;
    for (int i = 0; i < versions.size(); i++) {
      if (versions.get(i).outcome == Outcome.ACKNOWLEDGED) last = i;
    }
    List<String> out = new ArrayList<>();
    if (last >= 0) out.add(versions.get(last).sha);
    for (int i = last + 1; i < versions.size(); i++) {
      if (versions.get(i).outcome == Outcome.UNANSWERED) out.add(versions.get(i).sha);
    }
    return out;
  }

  private static String describe(String sha, List<Version> versions) {
    for (int i = 0; i < versions.size(); i++) {
      if (versions.get(i).sha.equals(sha)) {
        return "version " + (i + 1) + " of " + versions.size() + " sent (" + versions.get(i).outcome + ")";
      }
    }
    return "content no writer sent (partial or mixed)";
  }

  private static long acknowledged(Map<String, List<Version>> sent) {
    return sent.values().stream().flatMap(List::stream).filter(v -> v.outcome == Outcome.ACKNOWLEDGED).count();
  }

  private static void uploadUntilStopped(int port, String user, Map<String, List<Version>> sent, AtomicBoolean stop) {
    Random rnd = new Random(user.hashCode());
    try (ClassicClient c = ClassicClient.connect(port).signupOrLogin(user, "pass")) {
      for (int i = 0; !stop.get(); i++) {
        // Names repeat, so replacements of acknowledged files are in flight at the crash too.
        String name = "f" + (i % 12);
        byte[] data = new byte[1 + rnd.nextInt(200_000)]; // never empty: distinct versions, distinct hashes
        rnd.nextBytes(data);
        Version v = new Version(sha(data));
        sent.computeIfAbsent(user + "/" + name, k -> new CopyOnWriteArrayList<>()).add(v);
        // The kill shows as an IOException or as a reply cut short at EOF: both leave v UNANSWERED.
        String reply = c.upload(name, data);
        if (!reply.endsWith(ClassicClient.PROMPT)) return;
        v.outcome = reply.startsWith("SUCCESS") ? Outcome.ACKNOWLEDGED : Outcome.REFUSED;
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
