package dropbox.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real, throw-away PostgreSQL for tests: Debian's binaries (/usr/lib/postgresql/N/bin), initdb + pg_ctl
 * in a temp dir, on a free loopback port, trust authentication on loopback only. PostgreSQL refuses to
 * run as root, so as root the cluster belongs to the `postgres` system user of Debian's package (or a
 * `dropbox-pg` system user created for it). Missing PostgreSQL is a failure, never a skip: scripts/test.sh
 * installs it. One server per test class; {@link #newSchema} gives each test a clean schema.
 * Ports: FreePorts (DROPBOX_TEST_PORTS=lo-hi restricts the choice to that range on shared machines).
 */
public final class PostgresServer implements AutoCloseable {
  public static final String USER = "dropbox";
  private static final AtomicInteger SCHEMAS = new AtomicInteger();

  private final Path bin;
  private final Path dir;
  private final String runAs;
  private final int port;
  private boolean stopped;

  private PostgresServer(Path bin, Path dir, String runAs, int port) {
    this.bin = bin;
    this.dir = dir;
    this.runAs = runAs;
    this.port = port;
  }

  /**
   * For tests: synchronous_commit=off, so a commit does not wait for its WAL flush (crash durability of a
   * throw-away database is not what the tests examine; locking, constraints and visibility are unchanged).
   */
  public static PostgresServer start() throws IOException, InterruptedException {
    return start(false);
  }

  /** For measurements: every commit waits for its WAL fsync, as in production. */
  public static PostgresServer startDurable() throws IOException, InterruptedException {
    return start(true);
  }

  private static PostgresServer start(boolean durable) throws IOException, InterruptedException {
    Path bin = findBinaries();
    String runAs = isRoot() ? systemUser() : null;
    Path dir = Files.createTempDirectory("dropbox-pg-");
    if (runAs != null) run(List.of("chown", runAs, dir.toString()), null, dir);
    int port = FreePorts.reserve();
    PostgresServer pg = new PostgresServer(bin, dir, runAs, port);
    try {
      // A natural-language default collation (ICU en-US, as a production database would have), so a
      // column that forgot COLLATE "C" sorts wrongly and the byte-order tests notice.
      pg.pg("initdb", "-D", dir.resolve("data").toString(), "-U", USER, "-A", "trust", "-E", "UTF8",
          "--locale=C.UTF-8", "--locale-provider=icu", "--icu-locale=en-US", "--no-sync");
      // Loopback TCP only, socket in our own dir (not /var/run/postgresql), modest memory for CI.
      pg.pg("pg_ctl", "-D", dir.resolve("data").toString(), "-l", dir.resolve("server.log").toString(), "-w",
          "-t", "60", "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories="
              + dir + " -c shared_buffers=32MB -c max_connections=100"
              + (durable ? "" : " -c synchronous_commit=off"), "start");
    } catch (IOException | RuntimeException e) {
      String log = pg.log();
      pg.close();
      throw new IOException(e.getMessage() + (log.isEmpty() ? "" : "\nserver.log:\n" + log), e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(pg::close, "postgres-stop"));
    return pg;
  }

  public int port() { return port; }

  /** The temp dir holding the cluster, its socket and its log; removed by close. */
  public Path directory() { return dir; }

  /** The JDBC URL of database postgres (the one initdb makes), optionally with a search_path schema. */
  public String url(String schema) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres" + (schema == null ? "" : "?currentSchema=" + schema);
  }

  /** Creates an empty schema and returns its name: each test gets its own, on the one server. */
  public String newSchema() throws SQLException {
    String name = "t" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet();
    try (Connection c = DriverManager.getConnection(url(null), USER, "");
         Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + name);
    }
    return name;
  }

  @Override public synchronized void close() {
    if (stopped) return;
    stopped = true;
    try {
      if (Files.exists(dir.resolve("data/postmaster.pid"))) {
        pg("pg_ctl", "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop");
      }
    } catch (IOException | RuntimeException | InterruptedException e) {
      System.err.println("PostgresServer: stop failed: " + e.getMessage());
    } finally {
      deleteTree(dir);
    }
  }

  private String log() {
    try {
      return Files.readString(dir.resolve("server.log"));
    } catch (IOException e) {
      return "";
    }
  }

  private void pg(String tool, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    if (runAs != null) cmd.addAll(List.of("runuser", "-u", runAs, "--"));
    cmd.add(bin.resolve(tool).toString());
    cmd.addAll(List.of(args));
    run(cmd, runAs, dir);
  }

  private static void run(List<String> cmd, String user, Path cwd) throws IOException, InterruptedException {
    Path out = Files.createTempFile("dropbox-pg-cmd", ".log");
    try {
      Process p = new ProcessBuilder(cmd).directory(user == null ? null : cwd.toFile())
          .redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("timed out: " + String.join(" ", cmd));
      }
      if (p.exitValue() != 0) {
        throw new IOException("failed (exit " + p.exitValue() + "): " + String.join(" ", cmd) + "\n"
            + Files.readString(out, StandardCharsets.UTF_8));
      }
    } finally {
      Files.deleteIfExists(out);
    }
  }

  /** The newest installed major version's bin directory; a clear failure when there is none. */
  static Path findBinaries() {
    return findBinaries(Path.of("/usr/lib/postgresql"));
  }

  static Path findBinaries(Path base) {
    try (Stream<Path> versions = Files.isDirectory(base) ? Files.list(base) : Stream.empty()) {
      return versions.map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
          .max(Comparator.comparingInt(b -> major(b.getParent().getFileName().toString())))
          .orElseThrow(() -> new IllegalStateException("PostgreSQL is not installed (no "
              + "/usr/lib/postgresql/*/bin/initdb): the PostgreSQL tests need it. Install Debian's package "
              + "(apt-get install -y postgresql) or run scripts/test.sh, which does."));
    } catch (IOException e) {
      throw new IllegalStateException("cannot look for PostgreSQL in " + base, e);
    }
  }

  private static int major(String s) {
    try {
      return Integer.parseInt(s.replaceAll("\\..*", ""));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** Debian's package brings `postgres`; without it a system user of our own is made once. */
  private static String systemUser() throws IOException, InterruptedException {
    for (String u : List.of("postgres", "dropbox-pg")) {
      if (new ProcessBuilder("id", "-u", u).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0) {
        return u;
      }
    }
    run(List.of("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "dropbox-pg"), null, null);
    return "dropbox-pg";
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) return;
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException ignored) {
          // best effort: a temp dir
        }
      });
    } catch (IOException ignored) {
      // best effort
    }
  }
}
