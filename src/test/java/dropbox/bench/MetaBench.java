package dropbox.bench;

import dropbox.bus.TreePath;
import dropbox.storage.meta.FileStream;
import dropbox.storage.meta.ListOrder;
import dropbox.storage.meta.MetadataStore;
import dropbox.storage.meta.MetadataStores;
import dropbox.testing.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Storage v2 metadata on this machine, SQLite vs PostgreSQL (both durable: synchronous=FULL / fsync on):
 * small-file commits per second (1 and 8 committing threads), first page of a 100 000-entry folder, and a
 * streamed walk of it. Prints numbers, asserts nothing. Run:
 * java -cp target/classes:target/test-classes:$(cat target/bench-classpath.txt) dropbox.bench.MetaBench
 * (scripts/bench.sh builds that classpath file). -Dbench.entries=N -Dbench.commits=N
 * -Dbench.databases=sqlite,postgresql
 */
public final class MetaBench {
  public static void main(String[] args) throws Exception {
    int entries = Integer.getInteger("bench.entries", 100_000);
    int commits = Integer.getInteger("bench.commits", 2000);
    String databases = System.getProperty("bench.databases", "sqlite,postgresql");
    Path dir = Files.createTempDirectory("dropbox-metabench");
    Path db = dir.resolve("dropbox.db");
    if (databases.contains("sqlite")) {
      try (MetadataStore s = MetadataStores.openSqlite(db, 8, 10_000, u -> Long.MAX_VALUE / 4, System::currentTimeMillis)) {
        run("SQLite", s, commits, entries, () -> DriverManager.getConnection("jdbc:sqlite:" + db));
      }
    }
    if (!databases.contains("postgresql")) return;
    try (PostgresServer pg = PostgresServer.startDurable()) {
      String schema = pg.newSchema();
      try (MetadataStore s = MetadataStores.openPostgres(pg.url(schema), PostgresServer.USER, null, 9, 10_000,
          u -> Long.MAX_VALUE / 4, System::currentTimeMillis)) {
        run("PostgreSQL", s, commits, entries, () -> DriverManager.getConnection(pg.url(schema), PostgresServer.USER, ""));
      }
    }
  }

  interface Raw {
    Connection open() throws Exception;
  }

  static void run(String name, MetadataStore s, int commits, int entries, Raw raw) throws Exception {
    for (int threads : new int[] {1, 8}) {
      AtomicInteger next = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      long t0 = System.nanoTime();
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        fs.add(pool.submit(() -> {
          for (int i; (i = next.getAndIncrement()) < commits; ) {
            String user = "u" + (i % 8);
            var r = s.reserve(user, 4096, "bench", Long.MAX_VALUE);
            s.commitUpload(user, TreePath.parse("t" + threads + "/d" + (i % 50) + "/f" + i), r.id(), 4096,
                String.format("%064x", i), null);
          }
          return null;
        }));
      }
      for (Future<?> f : fs) f.get();
      pool.shutdown();
      double secs = (System.nanoTime() - t0) / 1e9;
      System.out.printf("%-10s commits of 4 KiB files (reserve + commit), %d thread(s): %.0f/s%n",
          name, threads, commits / secs);
    }

    // The big folder's rows go in by one batch (setup, not measured); the listings below use the store.
    s.mkdirs("big", TreePath.parse("flat"));
    long root = s.resolve("big", TreePath.parse("flat")).orElseThrow().id();
    try (Connection c = raw.open()) {
      c.setAutoCommit(false);
      long user;
      try (var st = c.createStatement(); var rs = st.executeQuery("SELECT id FROM users WHERE name_key = 'big'")) {
        rs.next();
        user = rs.getLong(1);
      }
      String sha = "ab".repeat(32);
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO blobs (user_id, sha256, size, refcount, zero_since) VALUES (?, ?, 10, ?, NULL)")) {
        ps.setLong(1, user);
        ps.setString(2, sha);
        ps.setLong(3, entries);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO nodes (user_id, parent_id, name, walk_key, kind, "
          + "size, sha256, created, modified) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?)")) {
        for (int i = 0; i < entries; i++) {
          String n = "file-" + Integer.toHexString(i * 2654435761L > 0 ? i * 7919 : i) + "-" + i;
          ps.setLong(1, user);
          ps.setLong(2, root);
          ps.setString(3, n);
          ps.setString(4, n);
          ps.setLong(5, i % 1000);
          ps.setString(6, sha);
          ps.setLong(7, i);
          ps.setLong(8, i);
          ps.addBatch();
          if (i % 5000 == 4999) ps.executeBatch();
        }
        ps.executeBatch();
      }
      try (var st = c.createStatement()) {
        st.executeUpdate("UPDATE users SET file_count = " + entries + ", used_bytes = " + (long) entries * 500
            + " WHERE id = " + user);
      }
      c.commit();
      c.setAutoCommit(true); // ANALYZE inside a transaction that is never committed would be lost
      try (var st = c.createStatement()) {
        st.execute(name.equals("SQLite") ? "ANALYZE" : "ANALYZE nodes");
      }
    }
    if (Boolean.getBoolean("bench.explain")) {
      try (Connection c = raw.open(); var st = c.createStatement()) {
        for (String q : List.of(
            "SELECT id FROM nodes WHERE parent_id = " + root + " AND kind = 0 ORDER BY name ASC LIMIT 1001",
            "SELECT id FROM nodes WHERE parent_id = " + root + " AND kind = 1 ORDER BY name ASC LIMIT 1001",
            "SELECT id FROM nodes WHERE parent_id = " + root + " AND walk_key > 'file-5' ORDER BY walk_key LIMIT 500")) {
          try (var rs = st.executeQuery((name.equals("SQLite") ? "EXPLAIN QUERY PLAN " : "EXPLAIN ANALYZE ") + q)) {
            System.out.println(q);
            while (rs.next()) System.out.println("   " + rs.getString(name.equals("SQLite") ? 4 : 1));
          }
        }
      }
    }
    for (ListOrder order : List.of(ListOrder.DEFAULT, new ListOrder(ListOrder.Sort.SIZE, true, true),
        new ListOrder(ListOrder.Sort.MODIFIED, false, false))) {
      double[] ms = new double[7];
      String cursor = null;
      for (int k = 0; k < ms.length; k++) {
        long t0 = System.nanoTime();
        var page = s.list("big", TreePath.parse("flat"), order, 1000, null);
        ms[k] = (System.nanoTime() - t0) / 1e6;
        cursor = page.cursor();
      }
      long t0 = System.nanoTime();
      s.list("big", TreePath.parse("flat"), order, 1000, cursor);
      double second = (System.nanoTime() - t0) / 1e6;
      Arrays.sort(ms);
      System.out.printf("%-10s first page (1000) of a %d-entry folder, %s: median %.1f ms (max %.1f), next page %.1f ms%n",
          name, entries, order, ms[ms.length / 2], ms[ms.length - 1], second);
    }
    long t0 = System.nanoTime();
    long n = 0;
    Runtime rt = Runtime.getRuntime();
    long peak = 0;
    try (FileStream fs = s.streamFiles("big")) {
      while (fs.hasNext()) {
        fs.next();
        if (++n % 10_000 == 0) peak = Math.max(peak, rt.totalMemory() - rt.freeMemory());
      }
    }
    System.out.printf("%-10s streamed walk of %d files: %.0f ms, heap used at most %d MiB of -Xmx %d MiB%n", name, n,
        (System.nanoTime() - t0) / 1e6, peak >> 20, rt.maxMemory() >> 20);
  }
}
