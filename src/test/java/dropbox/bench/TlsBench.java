package dropbox.bench;

import dropbox.testing.ClassicClient;
import dropbox.testing.ServerProcess;
import dropbox.testing.TlsTestSupport;
import dropbox.testing.Tools;
import io.vertx.core.json.JsonObject;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * What TLS costs (scripts/bench.sh --tls): one run measures a large PUT and GET with curl over plain
 * HTTP/1.1, HTTPS HTTP/1.1 and HTTPS HTTP/2 (a plain and a --tls-self-signed server process with the
 * same settings), then an upload and download over the TCP protocol's plain and TLS ports. Numbers go to stdout; nothing here asserts timing.
 * Tunables: -Dbench.bigBytes=N (default 1 GiB) -Dbench.heap=256m
 */
public final class TlsBench {
  public static void main(String[] args) throws Exception {
    long bytes = Long.parseLong(System.getProperty("bench.bigBytes", String.valueOf(1L << 30)));
    String heap = System.getProperty("bench.heap", "256m");
    Tools.require("curl");
    Path work = Files.createTempDirectory("dropbox-tls-bench");
    try {
      Path file = work.resolve("big.bin");
      byte[] chunk = new byte[1 << 20];
      new Random(1).nextBytes(chunk);
      try (OutputStream out = Files.newOutputStream(file)) {
        for (long left = bytes; left > 0; left -= chunk.length) out.write(chunk, 0, (int) Math.min(chunk.length, left));
      }
      System.out.printf("payload %,d bytes; server heap -Xmx%s, fsync on; curl %s%n", bytes, heap,
          Tools.run("curl", "--version").out().lines().findFirst().orElse("?"));
      System.out.printf("%-22s %12s %12s%n", "mode", "PUT MB/s", "GET MB/s");
      run(work, file, bytes, heap, false, "--http1.1", "http  HTTP/1.1");
      run(work, file, bytes, heap, true, "--http1.1", "https HTTP/1.1");
      run(work, file, bytes, heap, true, "--http2", "https HTTP/2");
      tcp(work, bytes, heap);
    } finally {
      try (var walk = Files.walk(work)) {
        walk.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void run(Path work, Path file, long bytes, String heap, boolean tls, String version, String label)
      throws Exception {
    Path root = Files.createDirectories(work.resolve("store-" + label.replaceAll("\\W", "")));
    List<String> args = new ArrayList<>(List.of("--storage", root.toString(), "--host", "127.0.0.1",
        "--tcp-port", "0", "--http-port", "0", "--default-quota", String.valueOf(8L << 30),
        "--users", work.resolve("none.properties").toString()));
    if (tls) args.add("--tls-self-signed");
    Path cfg = Files.writeString(work.resolve("cfg.json"), "{\"tcp\":{\"tlsPort\":0}}");
    args.addAll(List.of("--config", cfg.toString()));
    try (ServerProcess server = ServerProcess.start(List.of("-Xmx" + heap), args.toArray(new String[0]))) {
      String base = (tls ? "https://localhost:" : "http://127.0.0.1:") + server.httpPort();
      List<String> curl = new ArrayList<>(List.of("curl", "-sS", "--fail", version));
      if (tls) curl.addAll(List.of("--cacert", root.resolve("tls").resolve("selfsigned-cert.pem").toString()));
      String body = new JsonObject().put("username", "bench").put("password", "bench-pw").encode();
      call(curl, "-H", "Content-Type: application/json", "-d", body, base + "/api/signup");
      String token = new JsonObject(call(curl, "-H", "Content-Type: application/json", "-d", body,
          base + "/api/login")).getString("token");
      String auth = "Authorization: Bearer " + token;
      double put = Double.parseDouble(call(curl, "-H", auth, "-T", file.toString(), "-o", "/dev/null",
          "-w", "%{time_total}", base + "/api/files/big.bin"));
      double get = Double.parseDouble(call(curl, "-H", auth, "-o", "/dev/null",
          "-w", "%{time_total}", base + "/api/files/big.bin"));
      System.out.printf("%-22s %12.0f %12.0f%n", label, bytes / put / 1e6, bytes / get / 1e6);
      server.stop();
    }
  }

  /** The TCP protocol: the same transfer over the plain port and the TLS port of one node. */
  private static void tcp(Path work, long bytes, String heap) throws Exception {
    Path root = Files.createDirectories(work.resolve("store-tcp"));
    Path cfg = Files.writeString(work.resolve("cfg.json"), "{\"tcp\":{\"tlsPort\":0}}");
    try (ServerProcess server = ServerProcess.start(List.of("-Xmx" + heap), "--storage", root.toString(),
        "--host", "127.0.0.1", "--tcp-port", "0", "--http-port", "0", "--default-quota", String.valueOf(8L << 30),
        "--users", work.resolve("none.properties").toString(), "--tls-self-signed", "--config", cfg.toString())) {
      int tlsPort = -1;
      for (String line : server.output()) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("tcps=(\\d+)").matcher(line);
        if (m.find()) tlsPort = Integer.parseInt(m.group(1));
      }
      byte[] chunk = new byte[1 << 16];
      new Random(1).nextBytes(chunk);
      for (boolean tls : new boolean[] {false, true}) {
        ClassicClient c = tls ? new ClassicClient(TlsTestSupport.connectRecording(tlsPort))
            : ClassicClient.connect(server.tcpPort());
        try (c) {
          c.signupOrLogin("tcpbench", "bench-pw");
          long t0 = System.nanoTime();
          String r = c.upload("big.bin", bytes, off -> chunk);
          double up = (System.nanoTime() - t0) / 1e9;
          if (!r.startsWith("SUCCESS")) throw new IllegalStateException(r);
          t0 = System.nanoTime();
          c.sendLine("DOWNLOAD big.bin");
          long n = c.readLe64();
          byte[] buf = new byte[1 << 16];
          for (long left = n; left > 0; ) {
            int k = c.rawIn().read(buf, 0, (int) Math.min(buf.length, left));
            if (k < 0) throw new IllegalStateException("eof");
            left -= k;
          }
          c.readUntil("> ");
          double down = (System.nanoTime() - t0) / 1e9;
          System.out.printf("%-22s %12.0f %12.0f%n", tls ? "tcp   TLS port" : "tcp   plain port", bytes / up / 1e6, n / down / 1e6);
          c.command("DELETE big.bin");
        }
      }
      server.stop();
    }
  }

  private static String call(List<String> curl, String... more) throws Exception {
    List<String> cmd = new ArrayList<>(curl);
    cmd.addAll(List.of(more));
    Tools.Result r = Tools.run(cmd, new byte[0], 1800);
    if (r.exitCode() != 0) throw new IllegalStateException("curl failed: " + r);
    return r.out().trim();
  }
}
