package dropbox.bench;

import dropbox.testing.ServerProcess;
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
 * What TLS costs on the HTTP port (scripts/bench.sh --tls): one run measures a large PUT and GET with
 * curl over plain HTTP/1.1, HTTPS HTTP/1.1 and HTTPS HTTP/2, against two server processes (one plain,
 * one --tls-self-signed) with the same settings. Numbers go to stdout; nothing here asserts timing.
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

  private static String call(List<String> curl, String... more) throws Exception {
    List<String> cmd = new ArrayList<>(curl);
    cmd.addAll(List.of(more));
    Tools.Result r = Tools.run(cmd, new byte[0], 1800);
    if (r.exitCode() != 0) throw new IllegalStateException("curl failed: " + r);
    return r.out().trim();
  }
}
