package dropbox.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.cluster.ClusterTestSupport;
import dropbox.testing.ClassicClient;
import dropbox.testing.PostgresServer;
import dropbox.testing.ServerProcess;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster as deployed on storage.engine=v2: two real node processes (`dropbox.Main --cluster`) with
 * the same db.url (a real PostgreSQL started here: initdb + pg_ctl in a temp dir) and the same blob root,
 * driven only by real clients over TCP and HTTP, each request sent to the node the test names. The tests
 * run in order on the same nodes: the sixth kills node A with SIGKILL, the last kills B too and runs fsck.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterPostgresProcessTest {
  private static final long RACER_QUOTA = 1000;
  private static final long STUCK_QUOTA = 1_000_000;
  private static final long LOCK_TTL_MS = 3000;

  @TempDir static Path dir;
  private static PostgresServer pg;
  private static String dbUrl;
  private static Path root;
  private static Path configFile;
  private static ServerProcess nodeA;
  private static ServerProcess nodeB;

  @BeforeAll
  static void startCluster() throws Exception {
    pg = PostgresServer.start();
    String schema = pg.newSchema();
    dbUrl = pg.url(schema);
    root = Files.createDirectories(dir.resolve("storage"));
    int[] hz = {ClusterTestSupport.freePort(), ClusterTestSupport.freePort()};
    String members = ClusterTestSupport.members(hz);
    configFile = dir.resolve("config.json");
    Files.writeString(configFile, new JsonObject()
        // A short stale period: an upload whose open was served by the killed node's workers and whose
        // reply died with it holds a reservation of the live front end that nothing will end; the scan
        // reaps it (its staging file unwritten) within this period, see the last test.
        .put("storage", new JsonObject().put("engine", "v2").put("stagingStaleSeconds", 30))
        .put("cluster", new JsonObject().put("name", ClusterTestSupport.newClusterName()))
        // A short lock TTL: locks the killed node held must free up well within the 10 s lock timeout.
        .put("locks", new JsonObject().put("ttlMillis", LOCK_TTL_MS))
        .put("quota", new JsonObject().put("users", new JsonObject().put("racer", RACER_QUOTA)
            .put("stuck", STUCK_QUOTA)))
        .mergeIn(ClusterTestSupport.database(pg, schema)) // the one database every node shares
        .encode());
    // One after the other: on a loaded 2-core box two JVMs warming up Hazelcast at once can miss the ready deadline.
    nodeA = startNode(hz[0], members);
    nodeB = startNode(hz[1], members);
  }

  private static ServerProcess startNode(int hzPort, String members) throws Exception {
    return ServerProcess.start(ClusterProcessTest.JVM, "--config", configFile.toString(), "--storage",
        root.toString(), "--tcp-port", "0", "--http-port", "0", "--default-quota", String.valueOf(1L << 30),
        "--cluster", "--cluster-host", "127.0.0.1", "--cluster-port", String.valueOf(hzPort),
        "--cluster-members", members);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    List<String> blocked = ServerProcess.closeAll(nodeB, nodeA);
    if (pg != null) pg.close();
    assertTrue(blocked.isEmpty(), "a node blocked an event loop or worker: " + blocked);
  }

  @Test
  @Order(1)
  void aSignUpOnOneNodeIsAnAccountInTheDatabaseThatEveryNodeKnows() throws Exception {
    try (ClassicClient onA = ClassicClient.connect(nodeA.tcpPort())) {
      onA.readUntil(ClassicClient.AUTH_PROMPT);
      onA.sendLine("SIGNUP roamer secret1");
      assertTrue(onA.readLine().startsWith("SIGNUP_SUCCESS"));
    }
    assertEquals(1, queryLong("SELECT COUNT(*) FROM accounts WHERE name_key = 'roamer'"), "one row in PostgreSQL");
    try (ClassicClient onB = ClassicClient.connect(nodeB.tcpPort())) {
      onB.readUntil(ClassicClient.AUTH_PROMPT);
      onB.sendLine("SIGNUP roamer other");
      assertTrue(onB.readLine().startsWith("SIGNUP_FAILED"), "the name is taken on B too");
      onB.readUntil(ClassicClient.AUTH_PROMPT);
      onB.sendLine("LOGIN roamer secret1");
      assertTrue(onB.readLine().startsWith("LOGIN_SUCCESS"));
    }
    // And over HTTP on B: the same account, the same password.
    HttpClient http = HttpClient.newHttpClient();
    String login = new JsonObject().put("username", "roamer").put("password", "secret1").encode();
    var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nodeB.httpPort() + "/api/login"))
        .header("Content-Type", "application/json").POST(BodyPublishers.ofString(login)).build(), BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
  }

  @Test
  @Order(2)
  void whatOneNodeUploadsTheOtherListsAndServes() throws Exception {
    byte[] data = random(300_000, 7);
    try (ClassicClient onA = login(nodeA, "roamer", "secret1")) {
      assertEquals(ClassicClient.SUCCESS + ClassicClient.PROMPT, onA.upload("big.bin", data));
    }
    try (ClassicClient onB = login(nodeB, "roamer", "secret1")) {
      String listing = onB.command("LIST");
      assertTrue(listing.contains("big.bin"), listing);
      assertEquals(300_000, usedBytes(listing));
      ClassicClient.Download d = onB.download("big.bin");
      assertTrue(d.ok(), d.trailer());
      assertEquals(CrashRecoveryTest.sha(data), CrashRecoveryTest.sha(d.data()));
    }
    // Over HTTP from B as well, with a token B issued.
    HttpClient http = HttpClient.newHttpClient();
    String token = token(http, nodeB, "roamer", "secret1");
    var file = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nodeB.httpPort() + "/api/files/big.bin"))
        .header("Authorization", "Bearer " + token).GET().build(), BodyHandlers.ofByteArray());
    assertEquals(200, file.statusCode());
    assertEquals(CrashRecoveryTest.sha(data), CrashRecoveryTest.sha(file.body()));
  }

  @Test
  @Order(3)
  void folderActionsOnOneNodeAreSeenAtOnceOnTheOther() throws Exception {
    byte[] notes = "notes of the meeting".getBytes();
    try (ClassicClient onA = login(nodeA, "folders", "secret1");
         ClassicClient onB = login(nodeB, "folders", "secret1")) {
      assertEquals(ClassicClient.SUCCESS + ClassicClient.PROMPT, onA.command("MKDIR docs/sub"));
      assertTrue(onB.command("LIST docs").contains("sub/"), "B sees the folder A made");
      assertEquals(ClassicClient.SUCCESS + ClassicClient.PROMPT, onA.upload("docs/sub/notes.txt", notes));
      assertEquals(ClassicClient.SUCCESS + ClassicClient.PROMPT, onB.command("MOVE docs archive"));
      String moved = onA.command("LIST archive/sub");
      assertTrue(moved.contains("notes.txt"), moved);
      assertTrue(onA.command("LIST docs").startsWith("ERROR: Folder not found"));
      assertEquals(ClassicClient.SUCCESS + ClassicClient.PROMPT, onA.command("COPY archive copy"));
      ClassicClient.Download d = onB.download("copy/sub/notes.txt");
      assertTrue(d.ok(), d.trailer());
      assertEquals(new String(notes), new String(d.data()));
      assertEquals(2L * notes.length, usedBytes(onB.command("LIST")), "the copy counts");
      assertEquals(ClassicClient.SUCCESS + ClassicClient.PROMPT, onB.command("RMDIR archive"));
      String all = onA.command("LIST");
      assertFalse(all.contains("archive/"), all);
      assertTrue(all.contains("copy/sub/notes.txt"), all);
      assertEquals(notes.length, usedBytes(all));
      assertTrue(onA.download("copy/sub/notes.txt").ok(), "the copy keeps the content the removed folder shared");
    }
    assertEquals(1, queryLong("SELECT b.refcount FROM blobs b JOIN users u ON u.id = b.user_id "
        + "WHERE u.name_key = 'folders'"), "one blob, one reference left");
  }

  /**
   * Both nodes replace the same path at the same moment, round after round: each commit has one winner,
   * the file always holds one of the two uploads whole, and the usage is the size of the one listed.
   */
  @Test
  @Order(4)
  void concurrentUploadsOfOnePathFromBothNodesLeaveOneWholeWinner() throws Exception {
    try (ClassicClient onA = login(nodeA, "both", "secret1");
         ClassicClient onB = login(nodeB, "both", "secret1")) {
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        for (int round = 0; round < 8; round++) {
          byte[] viaA = random(20_000 + round * 1000, round);
          byte[] viaB = random(40_000 + round * 1000, 100 + round);
          CountDownLatch go = new CountDownLatch(1);
          Future<String> a = pool.submit(() -> { go.await(); return onA.upload("same.bin", viaA); });
          Future<String> b = pool.submit(() -> { go.await(); return onB.upload("same.bin", viaB); });
          go.countDown();
          assertEquals(ClassicClient.SUCCESS + ClassicClient.PROMPT, a.get(60, TimeUnit.SECONDS));
          assertEquals(ClassicClient.SUCCESS + ClassicClient.PROMPT, b.get(60, TimeUnit.SECONDS));
          ClassicClient.Download d = onA.download("same.bin");
          assertTrue(d.ok(), d.trailer());
          String got = CrashRecoveryTest.sha(d.data());
          assertTrue(got.equals(CrashRecoveryTest.sha(viaA)) || got.equals(CrashRecoveryTest.sha(viaB)),
              "round " + round + ": one of the two uploads, whole");
          String listing = onB.command("LIST");
          assertEquals(1, count(listing, "same.bin"), listing);
          assertEquals(d.data().length, usedBytes(listing), "usage = the listed file: " + listing);
        }
      } finally {
        pool.shutdownNow();
      }
    }
    assertEquals(1, queryLong("SELECT SUM(b.refcount) FROM blobs b JOIN users u ON u.id = b.user_id "
        + "WHERE u.name_key = 'both'"), "only the winner's blob is referenced");
    assertEquals(0, queryLong("SELECT COUNT(*) FROM reservations"), "no reservation left behind");
  }

  /** Ten uploads of 300 bytes against a 1000-byte quota, half through each node: exactly three succeed. */
  @Test
  @Order(5)
  void parallelUploadsOnBothNodesCannotOverrunTheQuota() throws Exception {
    int n = 10;
    List<ClassicClient> clients = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      for (int i = 0; i < n; i++) clients.add(login(i % 2 == 0 ? nodeA : nodeB, "racer", "secret1"));
      CountDownLatch go = new CountDownLatch(1);
      List<Future<String>> replies = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        ClassicClient c = clients.get(i);
        String name = "f" + i;
        replies.add(pool.submit(() -> { go.await(); return c.upload(name, new byte[300]); }));
      }
      go.countDown();
      int ok = 0;
      for (Future<String> r : replies) {
        String reply = r.get(60, TimeUnit.SECONDS);
        if (reply.startsWith("SUCCESS")) ok++;
        else assertTrue(reply.startsWith("ERROR: Quota exceeded"), reply);
      }
      assertEquals(3, ok);
      String listing = clients.get(1).command("LIST");
      assertEquals(900, usedBytes(listing), listing);
      assertEquals(3, count(listing, "\nf"), listing);
    } finally {
      pool.shutdownNow();
      for (ClassicClient c : clients) c.close();
    }
    assertEquals(900, queryLong("SELECT used_bytes FROM users WHERE name_key = 'racer'"));
    assertEquals(0, queryLong("SELECT reserved_bytes FROM users WHERE name_key = 'racer'"));
  }

  /**
   * Writers on both nodes, one upload stuck half-way through A holding most of its user's quota, then
   * kill -9 of A: the stuck upload's reservation and staging file are released by B once the cluster has
   * noticed, every acknowledged file is served by B whole, usage = listing, and fsck finds nothing.
   */
  @Test
  @Order(6)
  void killMinus9OfANodeMidUploadReleasesItsReservationAndTheSurvivorServesEverything() throws Exception {
    Map<String, String> acked = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < 4; w++) {
      ServerProcess via = w % 2 == 0 ? nodeA : nodeB;
      String user = "crash" + w;
      Thread t = new Thread(() -> uploadUntilStopped(via, user, acked, stop), "writer-" + user);
      writers.add(t);
      t.start();
    }
    waitFor(() -> acked.size() >= 20, 60_000, "uploads acknowledged before the kill");
    ClassicClient stuck = login(nodeA, "stuck", "secret1");
    stuck.sendLine("UPLOAD half.bin");
    assertEquals("SEND_FILE_DATA\n", stuck.readLine());
    stuck.send(ClassicClient.le64(900_000));
    stuck.send(new byte[100_000]);
    Path stuckStaging = root.resolve("staging/stuck");
    waitFor(() -> stagingBytes(stuckStaging) > 0, 10_000, "A writes the upload into its staging file");
    assertEquals(900_000, queryLong("SELECT reserved_bytes FROM users WHERE name_key = 'stuck'"),
        "the reservation is in the database");
    try (ClassicClient probe = login(nodeB, "stuck", "secret1")) {
      assertTrue(probe.upload("probe.bin", new byte[500_000]).startsWith("ERROR: Quota exceeded"),
          "B sees A's reservation");
    }

    String nodeAId = queryRows("SELECT r.owner_node FROM reservations r JOIN users u ON u.id = r.user_id "
        + "WHERE u.name_key = 'stuck'").get(0);
    nodeA.kill9();
    long killedAt = System.nanoTime();
    int before = acked.size();
    waitFor(() -> queryLong("SELECT COUNT(*) FROM reservations r JOIN users u ON u.id = r.user_id "
        + "WHERE u.name_key = 'stuck'") == 0 && stagingBytes(stuckStaging) == 0, 60_000,
        "the dead node's reservation and staging file released");
    System.out.println("ClusterPostgresProcessTest: a dead node's reservation released "
        + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt) + " ms after kill -9");
    stuck.close();
    try (ClassicClient probe = login(nodeB, "stuck", "secret1")) {
      waitFor(() -> uploadOk(probe, "probe.bin", 500_000), 30_000, "B lets stuck use the freed quota");
    }
    waitFor(() -> acked.size() >= before + 10, 60_000, "uploads acknowledged through B after the kill");
    stop.set(true);
    for (Thread t : writers) {
      t.join(60_000);
      assertFalse(t.isAlive(), t.getName() + " ended");
    }

    for (int w = 0; w < 4; w++) {
      String user = "crash" + w;
      try (ClassicClient onB = login(nodeB, user, "secret1")) {
        // A commit cut short by the kill never half-happens: the database transaction either committed or not.
        String listing = onB.command("LIST");
        Set<String> listed = new HashSet<>();
        long sum = 0;
        Matcher m = Pattern.compile("(?m)^(file\\d+)\\s+(\\d+)\\s").matcher(listing);
        while (m.find()) {
          listed.add(m.group(1));
          sum += Long.parseLong(m.group(2));
        }
        assertEquals(sum, usedBytes(listing), "usage = listing for " + user + ":\n" + listing);
        for (String name : listed) {
          String want = acked.remove(user + "/" + name);
          if (want == null) continue; // committed just before the kill, never acknowledged: allowed
          ClassicClient.Download d = onB.download(name);
          assertTrue(d.ok(), user + "/" + name + ": " + d.trailer());
          assertEquals(want, CrashRecoveryTest.sha(d.data()), "content of " + user + "/" + name);
        }
      }
    }
    assertTrue(acked.isEmpty(), "acknowledged but missing: " + acked.keySet());
    assertEquals(List.of(), queryRows("SELECT r.id FROM reservations r WHERE r.owner_node = '" + nodeAId + "'"),
        "none of the dead node's reservations is left");
    // An open (or abort) that a writer on B sent to A's workers just before the kill may have reserved with
    // B as the owner and lost its reply: B is alive, so only the staleness of its unwritten staging file
    // shows it is dead. The scan reaps it within the stale period; nothing else may be left.
    waitFor(() -> queryLong("SELECT COUNT(*) FROM reservations") == 0, 150_000, "no reservation left: "
        + queryRows("SELECT u.name_key || ' ' || r.owner_node || ' ' || r.bytes FROM reservations r "
        + "JOIN users u ON u.id = r.user_id") + ", staging " + stagingFiles());

    // Read-only fsck of database and blobs next to the live node.
    ServerProcess.Result check = ServerProcess.run("fsck", "--config", configFile.toString(), "--storage",
        root.toString());
    assertEquals(0, check.exitCode(), check.output());
    assertTrue(check.output().contains("storage is consistent"), check.output());
  }

  /**
   * `fsck --repair` on the cluster's database and blob root once every node is down: a file whose content
   * file was lost is found, removed with its bytes taken off the usage and reported as lost; then clean.
   */
  @Test
  @Order(7)
  void fsckRepairOnTheStoppedClusterReportsLostContentAndFixesTheUsage() throws Exception {
    // Killed rather than stopped: repair after a crash of the last node is the harder case (nothing cleaned up).
    nodeB.kill9();
    String sha = CrashRecoveryTest.sha(random(300_000, 7)); // big.bin of roamer (test 2)
    Files.delete(root.resolve("blobs/roamer/" + sha.substring(0, 2) + "/" + sha));
    String[] fsck = {"fsck", "--config", configFile.toString(), "--storage", root.toString()};
    ServerProcess.Result found = ServerProcess.run(fsck);
    assertEquals(1, found.exitCode(), found.output());
    assertTrue(found.output().contains("problem: roamer: metadata without content (big.bin, 300000 bytes"),
        found.output());
    assertEquals(300_000, queryLong("SELECT used_bytes FROM users WHERE name_key = 'roamer'"), "read-only");
    ServerProcess.Result repaired = ServerProcess.run(java.util.stream.Stream.concat(java.util.Arrays.stream(fsck),
        java.util.stream.Stream.of("--repair")).toArray(String[]::new));
    assertEquals(0, repaired.exitCode(), repaired.output());
    assertTrue(repaired.output().contains("content lost, cannot be restored"), repaired.output());
    assertEquals(0, queryLong("SELECT used_bytes FROM users WHERE name_key = 'roamer'"));
    assertEquals(0, queryLong("SELECT COUNT(*) FROM nodes n JOIN users u ON u.id = n.user_id "
        + "WHERE u.name_key = 'roamer' AND n.kind = 1"));
    ServerProcess.Result clean = ServerProcess.run(fsck);
    assertEquals(0, clean.exitCode(), clean.output());
    assertTrue(clean.output().contains("storage is consistent"), clean.output());
  }

  // ---------------------------------------------------------------------------------------------

  private static void uploadUntilStopped(ServerProcess via, String user, Map<String, String> acked, AtomicBoolean stop) {
    Random rnd = new Random(user.hashCode());
    int i = 0;
    while (!stop.get()) {
      try (ClassicClient c = login(via, user, "secret1")) {
        for (; !stop.get(); i++) {
          byte[] data = new byte[1000 + rnd.nextInt(64_000)];
          rnd.nextBytes(data);
          String reply = c.upload("file" + i, data);
          // Refused while the cluster reshapes (a command sent to the dead node's workers): never acknowledged.
          if (reply.startsWith("SUCCESS")) acked.put(user + "/file" + i, CrashRecoveryTest.sha(data));
        }
      } catch (IOException e) {
        if (!via.isAlive()) return; // the node this writer talks to was killed
        i++;
      }
    }
  }

  private static boolean uploadOk(ClassicClient c, String name, int size) {
    try {
      return c.upload(name, new byte[size]).startsWith("SUCCESS");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static ClassicClient login(ServerProcess node, String user, String password) throws IOException {
    return ClassicClient.connect(node.tcpPort()).signupOrLogin(user, password);
  }

  private static String token(HttpClient http, ServerProcess node, String user, String password) throws Exception {
    String login = new JsonObject().put("username", user).put("password", password).encode();
    var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + "/api/login"))
        .header("Content-Type", "application/json").POST(BodyPublishers.ofString(login)).build(), BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body()).getString("token");
  }

  private static long usedBytes(String listing) {
    Matcher m = Pattern.compile("Usage: (\\d+) of").matcher(listing);
    assertTrue(m.find(), listing);
    return Long.parseLong(m.group(1));
  }

  private static int count(String haystack, String needle) {
    int n = 0;
    for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) n++;
    return n;
  }

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static long queryLong(String sql) {
    try (Connection c = DriverManager.getConnection(dbUrl, PostgresServer.USER, "");
         PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getLong(1) : -1;
    } catch (Exception e) {
      throw new IllegalStateException(sql, e);
    }
  }

  private static List<String> queryRows(String sql) {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(dbUrl, PostgresServer.USER, "");
         PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
      while (rs.next()) out.add(rs.getString(1));
      return out;
    } catch (Exception e) {
      throw new IllegalStateException(sql, e);
    }
  }

  private static List<String> stagingFiles() {
    try (var walk = Files.walk(root.resolve("staging"))) {
      return walk.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).toList();
    } catch (IOException e) {
      return List.of(e.toString());
    }
  }

  private static long stagingBytes(Path staging) {
    try (var files = Files.list(staging)) {
      return files.mapToLong(p -> p.toFile().length()).sum();
    } catch (java.nio.file.NoSuchFileException e) {
      return 0;
    } catch (Exception e) {
      return -1;
    }
  }

  private static void waitFor(java.util.function.BooleanSupplier cond, long ms, String what) throws Exception {
    long deadline = System.currentTimeMillis() + ms;
    while (!cond.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) throw new AssertionError("timed out waiting: " + what);
      Thread.sleep(100);
    }
  }
}
