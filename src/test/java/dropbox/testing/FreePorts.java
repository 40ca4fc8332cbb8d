package dropbox.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports for servers a test starts later (Hazelcast members, PostgreSQL, child JVMs).
 *
 * <p>Why not {@code new ServerSocket(0)}: that hands out a port from the kernel's ephemeral range
 * (net.ipv4.ip_local_port_range, 32768-60999 on Linux), the same range the kernel draws the source port
 * of every outgoing connection from. Between "found free" and the real bind, often seconds later (a
 * cluster node joins, the next JVM boots), any connection this machine opens, such as one Hazelcast member
 * calling another or a pool connecting to PostgreSQL, can take it: CI once failed with "Port [34509] is
 * already in use". A port below the ephemeral range is never chosen for an outgoing connection, so once
 * it is free and not handed out twice by this JVM it stays free until the server binds it.
 *
 * <p>DROPBOX_TEST_PORTS=lo-hi restricts the choice to that range (shared machines).
 */
public final class FreePorts {
  private static final int FLOOR = 10_000;
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
  private static final int[] RANGE = range();

  private FreePorts() {}

  /** A port free on loopback now, outside the ephemeral range, never returned before by this JVM. */
  public static int reserve() {
    int lo = RANGE[0];
    int span = RANGE[1] - lo + 1;
    // A random start: two JVMs on one machine (a test and the child it spawns) rarely probe the same ports.
    int start = ThreadLocalRandom.current().nextInt(span);
    for (int i = 0; i < span; i++) {
      int port = lo + (start + i) % span;
      if (!HANDED_OUT.add(port)) continue;
      if (bindable(port)) return port;
    }
    throw new UncheckedIOException(new IOException("no free loopback port in " + RANGE[0] + "-" + RANGE[1]));
  }

  private static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException busy) {
      return false;
    }
  }

  private static int[] range() {
    String env = System.getenv("DROPBOX_TEST_PORTS");
    if (env != null && env.matches("\\d+-\\d+")) {
      String[] p = env.split("-");
      return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])};
    }
    int ephemeralLow = 32_768;
    int ephemeralHigh = 60_999;
    try {
      String[] p = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
      ephemeralLow = Integer.parseInt(p[0]);
      ephemeralHigh = Integer.parseInt(p[1]);
    } catch (IOException | RuntimeException notLinux) {
      // keep the Linux defaults
    }
    if (ephemeralLow - FLOOR >= 1_000) return new int[] {FLOOR, ephemeralLow - 1};
    if (65_535 - ephemeralHigh >= 1_000) return new int[] {ephemeralHigh + 1, 65_535};
    return new int[] {FLOOR, 65_535}; // an unusual range: still probed, just not guaranteed race-free
  }
}
