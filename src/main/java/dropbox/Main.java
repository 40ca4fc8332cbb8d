package dropbox;

import dropbox.auth.ClientAddress;
import dropbox.cluster.ClusterSetup;
import dropbox.metrics.Metrics;
import dropbox.storage.DurableFiles;
import dropbox.storage.Fsck;
import dropbox.storage.FsckV2;
import dropbox.storage.LocalLockManager;
import dropbox.bus.QuotaPolicy;
import dropbox.storage.StorageLayout;
import dropbox.storage.RootLock;
import dropbox.storage.StorageService;
import dropbox.storage.blob.FsBlobStore;
import dropbox.storage.meta.MetadataStore;
import dropbox.storage.meta.MetadataStores;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Entry point: the server (default), `fsck`, and `client`. */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  private static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  public static void main(String[] args) {
    // Hazelcast completes async map calls on ForkJoinPool.commonPool() only when its parallelism is above 1,
    // and otherwise starts a new OS thread per completion: on 2 cores (parallelism 1) that was ~5 % of a
    // clustered node's CPU (docs/deploy.md "Measured"). Set before anything touches the common pool.
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(COMMON_POOL_PARALLELISM,
          Integer.toString(Math.max(2, Runtime.getRuntime().availableProcessors() - 1)));
    }
    List<String> rest = new ArrayList<>(Arrays.asList(args));
    String cmd = rest.isEmpty() ? "" : rest.get(0);
    int code;
    switch (cmd) {
      case "fsck":
        code = fsck(rest.subList(1, rest.size()));
        break;
      case "client":
        code = dropbox.client.ClientMain.run(rest.subList(1, rest.size()).toArray(new String[0]));
        break;
      case "help":
      case "--help":
      case "-h":
        usage();
        code = 0;
        break;
      default:
        if (cmd.equals("server")) rest.remove(0);
        code = server(rest);
        if (code == 0) return; // keep running until SIGTERM
    }
    System.exit(code);
  }

  private static void usage() {
    System.out.println("Usage: java -jar target/dropbox-server.jar [server] [--config FILE] [options]");
    Config.optionLines().forEach(System.out::println);
    System.out.println("       java -jar target/dropbox-server.jar fsck --storage DIR [--storage-engine v1] [--repair] [--verify]");
    System.out.println("       java -jar target/dropbox-server.jar client [--host H] [--port P] [--user U] [command ...]");
  }

  private static int server(List<String> args) {
    JsonObject config;
    try {
      config = Config.load(args, System.getenv());
      ClientAddress.fromConfig(config); // a bad http.trustedProxies entry is a usage error, before anything starts
      // Without TLS, "passwords only inside TLS" leaves the plain TCP port refusing every login and naming a
      // TLS port that is not open, while REST still takes passwords in clear: a setting that cannot work.
      if (!Config.bool(config, "auth.allowPlaintextLogin") && !dropbox.tls.ServerTls.configured(config)) {
        throw new Config.UsageException("auth.allowPlaintextLogin=false accepts passwords only inside TLS, and TLS"
            + " is off: give --tls-cert and --tls-key (or --tls-self-signed), or leave auth.allowPlaintextLogin"
            + " at true");
      }
      // A clustered start on SQLite is refused before it joins the cluster, not after Hazelcast's warm-up.
      if ("v2".equals(Config.string(config, "storage.engine"))) MetadataStores.checkSetup(config);
    } catch (Config.UsageException e) {
      System.err.println("dropbox-server: " + e.getMessage());
      usage();
      return 2;
    }
    Vertx vertx;
    try {
      vertx = ClusterSetup.createVertx(config).await(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.error("cannot start Vert.x{}: {}", Config.bool(config, "cluster.enabled") ? " (cluster)" : "",
          e.getMessage());
      return 1;
    }
    Metrics.bindNode(vertx);
    // NIO is the fallback when the epoll library cannot load (another OS or architecture): say which one runs.
    LOG.info("network transport: {}", vertx.isNativeTransportEnabled() ? "native (epoll)" : "NIO");
    Server server;
    try {
      server = Server.start(vertx, config).await(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      if (e instanceof dropbox.tls.ServerTls.TlsConfigException || e instanceof dropbox.storage.RootLock.InUseException) {
        LOG.error("startup failed: {}", e.getMessage()); // the operator's files or settings: no stack trace
      } else {
        LOG.error("startup failed: {}", e.getMessage(), e);
      }
      vertx.close();
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("shutting down");
      try {
        server.stop().await(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.warn("shutdown: {}", e.getMessage());
      }
      try {
        vertx.close().await(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.warn("close: {}", e.getMessage());
      }
      LOG.info("stopped");
    }, "dropbox-shutdown"));
    // Tests and scripts parse this line: "ready tcp=" stays first, the TLS port is appended.
    LOG.info("ready tcp={} http={}{}", server.tcpPort(), server.httpPort(),
        server.tlsPort() < 0 ? "" : " tcps=" + server.tlsPort());
    return 0;
  }

  /** fsck --storage DIR [--repair]: 0 consistent (or all repaired), 1 problems found (or left: foreign, damaged), 2 usage error. */
  static int fsck(List<String> args) {
    if (args.contains("--help") || args.contains("-h")) {
      System.out.println("Usage: java -jar target/dropbox-server.jar fsck --storage DIR [--storage-engine v1] [--repair] [--verify]");
      System.out.println("  checks the storage root (and its database) for what a crash or a hand edit left; exit 0 consistent,");
      System.out.println("  1 problems found (with --repair: problems left), 2 usage error. --repair fixes what it can (the server");
      System.out.println("  must be stopped); --verify also re-hashes every content file. Without --repair nothing is changed; work");
      System.out.println("  younger than storage.stagingStaleSeconds is taken for a running node's and left alone.");
      return 0;
    }
    boolean repair = args.remove("--repair");
    boolean verify = args.remove("--verify");
    JsonObject config;
    try {
      config = Config.load(args, System.getenv());
    } catch (Config.UsageException e) {
      System.err.println("fsck: " + e.getMessage());
      return 2;
    }
    Path root = Path.of(Config.string(config, "storage.root"));
    if (!Files.isDirectory(root)) {
      System.err.println("fsck: no storage root at " + root);
      return 2;
    }
    // A repair on the root of a running (unclustered) server would race with its work: refused.
    RootLock claimed = null;
    if (repair) {
      try {
        claimed = RootLock.acquire(root);
      } catch (RootLock.InUseException e) {
        System.err.println("fsck: " + e.getMessage() + "; --repair needs it stopped (fsck without --repair may run)");
        return 2;
      } catch (java.io.IOException e) {
        System.err.println("fsck: " + e.getMessage());
        return 2;
      }
    }
    Vertx vertx = Vertx.vertx();
    try {
      // Anything touched in the last 15 minutes may be live work of a running node: leave it alone.
      List<Fsck.Problem> problems;
      if ("v2".equals(Config.string(config, "storage.engine"))) {
        if (Files.isDirectory(root.resolve("users"))) {
          // Unimported (or half-imported) v1 data: its content may already sit in the blob store without a
          // row, and a v2 repair would take it for orphans.
          System.err.println("fsck: " + root + " holds v1 data (users/) not imported yet: start the server once "
              + "(storage.engine=v2 imports it at start), or check it as v1 with --storage-engine v1");
          return 2;
        }
        // The quotas are the servers' settings, not fsck's: fsck keeps what is stored.
        try (MetadataStore meta = MetadataStores.open(config, user -> MetadataStores.KEEP_STORED_QUOTA)) {
          problems = new FsckV2(meta, new FsBlobStore(root, true), verify).run(repair, 15 * 60_000L,
              Config.longValue(config, "storage.graceSeconds", 3600) * 1000, System.currentTimeMillis());
        }
      } else {
        StorageService svc = new StorageService(new StorageLayout(root), new DurableFiles(true),
            new LocalLockManager(vertx), Config.quotaPolicy(config), 10_000, "fsck", e -> { }, System::currentTimeMillis);
        problems = new Fsck(svc).run(repair, 15 * 60_000L, System.currentTimeMillis());
      }
      problems.forEach(p -> System.out.println((repair && p.repairable() ? "repaired: " : "problem: ") + p));
      long left = problems.stream().filter(p -> !repair || !p.repairable()).count();
      System.out.println(problems.isEmpty() ? "storage is consistent"
          : repair ? (problems.size() - left) + " problem(s) repaired" + (left > 0 ? ", " + left + " left for you (see above)" : "")
          : problems.size() + " problem(s) found");
      // With --repair: 0 only when nothing is left that fsck could not fix itself.
      return left == 0 ? 0 : 1;
    } catch (Exception e) {
      System.err.println("fsck: " + e.getMessage());
      return 1;
    } finally {
      vertx.close();
      if (claimed != null) {
        try {
          claimed.close();
        } catch (java.io.IOException e) {
          System.err.println("fsck: " + e.getMessage());
        }
      }
    }
  }
}
