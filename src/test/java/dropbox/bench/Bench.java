package dropbox.bench;

import dropbox.testing.ClassicClient;
import dropbox.testing.ServerProcess;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Throughput, latency and memory of a real server process over TCP (scripts/bench.sh runs it):
 * a large upload and download, then N clients doing small upload/list/download/delete rounds.
 * Numbers go to stdout; nothing here asserts timing.
 */
public final class Bench {
  public static void main(String[] args) throws Exception {
    long bigBytes = Long.parseLong(prop("bench.bigBytes", String.valueOf(1L << 30)));
    int clients = Integer.parseInt(prop("bench.clients", "20"));
    int seconds = Integer.parseInt(prop("bench.seconds", "10"));
    String heap = prop("bench.heap", "256m");
    String ports = System.getProperty("bench.ports");
    if (ports != null) {
      // Against running nodes (e.g. scripts/cluster.sh): small ops only, clients spread over the nodes.
      int[] p = java.util.Arrays.stream(ports.split(",")).mapToInt(Integer::parseInt).toArray();
      smallOpsPhase(clients, seconds, p);
      return;
    }
    Path root = Files.createTempDirectory("dropbox-bench");
    // The clients all sign up from 127.0.0.1: lift the per-address sign-up limit for the bench only.
    Path cfg = Files.writeString(root.resolve("bench-config.json"), "{\"auth\":{\"signupsPerHour\":0}}");
    try (ServerProcess server = ServerProcess.start(List.of("-Xmx" + heap), "--config", cfg.toString(),
        "--storage", root.toString(),
        "--tcp-port", "0", "--http-port", "0", "--default-quota", String.valueOf(8L << 30))) {
      System.out.printf("server pid %d, heap -Xmx%s, storage %s (fsync on)%n", server.pid(), heap, root);
      byte[] chunk = new byte[1 << 16];
      new java.util.Random(1).nextBytes(chunk);
      try (ClassicClient c = ClassicClient.connect(server.tcpPort()).signupOrLogin("bench", "pass")) {
        long t0 = System.nanoTime();
        String r = c.upload("big.bin", bigBytes, off -> chunk);
        double up = secs(t0);
        if (!r.startsWith("SUCCESS")) throw new IllegalStateException(r);
        System.out.printf("upload   %,d bytes in %.2f s = %.0f MB/s (incl. fsync + commit)%n", bigBytes, up, bigBytes / up / 1e6);
        t0 = System.nanoTime();
        c.sendLine("DOWNLOAD big.bin");
        long n = c.readLe64();
        InputStream in = c.rawIn();
        byte[] buf = new byte[1 << 16];
        for (long left = n; left > 0; ) {
          int k = in.read(buf, 0, (int) Math.min(buf.length, left));
          if (k < 0) throw new IllegalStateException("eof");
          left -= k;
        }
        c.readUntil("> ");
        double down = secs(t0);
        System.out.printf("download %,d bytes in %.2f s = %.0f MB/s (sendFile)%n", n, down, n / down / 1e6);
        c.command("DELETE big.bin");
      }

      smallOpsPhase(clients, seconds, new int[] {server.tcpPort()});
      System.out.println("server peak RSS: " + peakRss(server.pid()));
      server.stop();
    } finally {
      try (var walk = Files.walk(root)) {
        walk.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void smallOpsPhase(int clients, int seconds, int[] ports) throws InterruptedException {
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    String run = Long.toString(System.currentTimeMillis() % 100000, 36);
    for (int i = 0; i < clients; i++) {
      String user = "small" + run + "x" + i;
      int port = ports[i % ports.length];
      Thread t = new Thread(() -> smallOps(port, user, latencies, stop));
      threads.add(t);
      t.start();
    }
    long start = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    stop.set(true);
    for (Thread t : threads) t.join();
    double el = secs(start);
    List<Long> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    System.out.printf("small ops: %d clients on %d node(s), %,d ops in %.1f s = %.0f ops/s; latency p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
        clients, ports.length, sorted.size(), el, sorted.size() / el, pct(sorted, 50), pct(sorted, 99), pct(sorted, 100));
  }

  private static void smallOps(int port, String user, List<Long> lat, AtomicBoolean stop) {
    byte[] data = new byte[1024];
    try (ClassicClient c = ClassicClient.connect(port).signupOrLogin(user, "pass")) {
      for (int i = 0; !stop.get(); i++) {
        String name = "f" + (i % 5);
        long t = System.nanoTime();
        c.upload(name, data);
        lat.add(System.nanoTime() - t);
        t = System.nanoTime();
        c.command("LIST");
        lat.add(System.nanoTime() - t);
        t = System.nanoTime();
        c.download(name);
        lat.add(System.nanoTime() - t);
        t = System.nanoTime();
        c.command("DELETE " + name);
        lat.add(System.nanoTime() - t);
      }
    } catch (Exception e) {
      System.err.println(user + ": " + e);
    }
  }

  private static double pct(List<Long> sorted, int p) {
    if (sorted.isEmpty()) return 0;
    int i = Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1);
    return sorted.get(Math.max(0, i)) / 1e6;
  }

  private static String peakRss(long pid) {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (l.startsWith("VmHWM")) return l.substring(6).trim();
      }
    } catch (Exception ignored) {
      // not Linux
    }
    return "n/a";
  }

  private static double secs(long t0) { return (System.nanoTime() - t0) / 1e9; }

  private static String prop(String k, String d) { return System.getProperty(k, d); }
}
