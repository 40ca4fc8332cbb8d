package dropbox.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real server as a separate JVM (same classpath as the tests), for crash, memory and cluster tests:
 * started like an operator would, killed with SIGKILL or stopped with SIGTERM.
 */
public final class ServerProcess implements AutoCloseable {
  private static final Pattern READY = Pattern.compile("ready tcp=(-?\\d+) http=(\\d+)");

  private final Process process;
  private final List<String> output = Collections.synchronizedList(new ArrayList<>());
  private final CountDownLatch ready = new CountDownLatch(1);
  private volatile int tcpPort = -1;
  private volatile int httpPort = -1;
  /** Reads the output; kill9 and stop join it so that output() then holds the process's last lines too. */
  private final Thread pump;

  private ServerProcess(Process process) {
    this.process = process;
    this.pump = new Thread(this::pump, "server-process-output");
    pump.setDaemon(true);
    pump.start();
  }

  /** Starts `dropbox.Main args...` with the given JVM options and waits for its ready line. */
  public static ServerProcess start(List<String> jvmOptions, String... args) throws IOException, InterruptedException {
    return start(null, jvmOptions, args);
  }

  /** As {@link #start(List, String...)}, in the given working directory (null: the tests' own). */
  public static ServerProcess start(Path workingDir, List<String> jvmOptions, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("dropbox.Main");
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    if (workingDir != null) pb.directory(workingDir.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("DROPBOX_"));
    ServerProcess sp = new ServerProcess(pb.start());
    // Generous: a clustered TLS node also migrates and pools its database at start, and on a loaded 2-core
    // box (load 15-20 while other builds run) that start was measured at 60+ s. Not a speed check.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
    while (!sp.ready.await(100, TimeUnit.MILLISECONDS) && sp.process.isAlive() && System.nanoTime() < deadline) {
      // waiting for the ready line; a process that died says why below
    }
    if (sp.ready.getCount() > 0) {
      sp.process.destroyForcibly();
      sp.process.waitFor(10, TimeUnit.SECONDS);
      throw new IllegalStateException("server did not get ready:\n" + String.join("\n", sp.output));
    }
    return sp;
  }

  private void pump() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        output.add(line);
        Matcher m = READY.matcher(line);
        if (m.find()) {
          tcpPort = Integer.parseInt(m.group(1));
          httpPort = Integer.parseInt(m.group(2));
          ready.countDown();
        }
      }
    } catch (IOException ignored) {
      // process gone
    }
  }

  public int tcpPort() { return tcpPort; }

  public int httpPort() { return httpPort; }

  public List<String> output() { return List.copyOf(output); }

  /** SIGKILL: no shutdown hook, no flush: what a crash or power cut leaves. */
  public void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
    pump.join(TimeUnit.SECONDS.toMillis(30));
  }

  /** SIGTERM, then wait for a clean exit. Returns the exit code. */
  public int stop() throws InterruptedException {
    // Through the handle: Process.destroy() also closes our end of the output pipe at once, which loses
    // everything the server logs while shutting down.
    process.toHandle().destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("server did not stop on SIGTERM");
    }
    pump.join(TimeUnit.SECONDS.toMillis(30));
    return process.exitValue();
  }

  public boolean isAlive() { return process.isAlive(); }

  public long pid() { return process.pid(); }

  /** Runs `dropbox.Main args...` to completion (e.g. fsck) and returns its exit code and output. */
  public static Result run(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dropbox.Main"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(120, TimeUnit.SECONDS);
    return new Result(p.exitValue(), out);
  }

  public record Result(int exitCode, String output) {}

  /**
   * Kills the nodes that were started (nulls are skipped) and returns every blocked-thread warning they
   * printed: what a cluster test asserts is empty once its nodes are gone.
   */
  public static List<String> closeAll(ServerProcess... nodes) throws InterruptedException {
    List<String> blocked = new ArrayList<>();
    for (ServerProcess p : nodes) {
      if (p == null) continue;
      p.close();
      p.output().stream().filter(l -> l.contains("BlockedThreadChecker")).forEach(blocked::add);
    }
    return blocked;
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
