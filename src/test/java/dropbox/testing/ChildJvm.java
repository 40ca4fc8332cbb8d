package dropbox.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Any main class of the test class path in its own JVM, for unit-level crash and memory tests that need
 * no server (ServerProcess starts dropbox.Main and waits for its ready line; this starts anything and
 * hands over its output line by line).
 */
public final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<String> all = java.util.Collections.synchronizedList(new ArrayList<>());
  private final Thread pump;

  private ChildJvm(Process process) {
    this.process = process;
    this.pump = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          all.add(line);
          lines.add(line);
        }
      } catch (IOException ignored) {
        // the process is gone
      }
    }, "child-jvm-output");
    pump.setDaemon(true);
    pump.start();
  }

  public static ChildJvm start(List<String> jvmOptions, Class<?> main, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main.getName());
    cmd.addAll(List.of(args));
    return new ChildJvm(new ProcessBuilder(cmd).redirectErrorStream(true).start());
  }

  /** The next output line, or null when none came within the timeout (or the process ended). */
  public String nextLine(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    while (System.nanoTime() < deadline) {
      String l = lines.poll(100, TimeUnit.MILLISECONDS);
      if (l != null) return l;
      if (!process.isAlive() && lines.isEmpty()) return null;
    }
    return null;
  }

  /** Everything it printed so far, for failure messages. */
  public String output() {
    synchronized (all) {
      return String.join("\n", all);
    }
  }

  /** Waits for the exit; -1 if it did not end in time (then it is killed). */
  public int waitFor(long timeout, TimeUnit unit) throws InterruptedException {
    if (process.waitFor(timeout, unit)) return process.exitValue();
    kill9();
    return -1;
  }

  /**
   * SIGKILL: no shutdown hook, no flush, what a crash leaves. Returns once the output pump has read to the
   * end of the pipe, so output() then holds every line the child wrote before it died (without the join a
   * caller could miss the last lines still in the pipe, and blame the child for a state it did announce).
   */
  public void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
    pump.join(TimeUnit.SECONDS.toMillis(30));
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) kill9();
  }
}
