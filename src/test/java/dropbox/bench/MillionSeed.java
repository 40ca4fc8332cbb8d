package dropbox.bench;

import dropbox.bus.FileInfo;
import dropbox.storage.meta.MetadataStore;
import dropbox.storage.meta.MetadataStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Seeds a v2 storage root for scripts/bench.sh --million: user "seeded_0" (tcpload's name for -x seeded
 * -u 1) with N files, 100 000 of them in big/, the rest 1000 per folder d0000, d0001, ... The user, its
 * folders and one file per folder go through MetadataStore.importFiles (the real code path); the other
 * rows are one batched INSERT into nodes (importFiles does a lookup per file: ~1.5 ms each here, 25 min
 * for a million), then repairUsage recomputes usage and blob counts from the rows. The files share one
 * blob row (LIST, upload and delete never read seeded content). Run:
 * java -cp ... dropbox.bench.MillionSeed STORAGE_ROOT [N]
 */
public final class MillionSeed {
  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]);
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
    Files.createDirectories(root);
    Path db = root.resolve(MetadataStores.SQLITE_FILE);
    String user = "seeded_0";
    String sha = "ab".repeat(32);
    long now = System.currentTimeMillis();
    int folders = Math.max(0, (n - 100_000) / 1000);
    long t0 = System.nanoTime();
    try (MetadataStore meta = MetadataStores.openSqlite(db, 1, 60_000, u -> 1L << 50, System::currentTimeMillis)) {
      List<FileInfo> firsts = new ArrayList<>();
      firsts.add(new FileInfo("big/f0000000", 10, sha, now, now));
      for (int f = 0; f < folders; f++) firsts.add(new FileInfo(String.format("d%04d/f0000000", f), 10, sha, now, now));
      meta.importFiles(user, firsts);
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
      c.setAutoCommit(false);
      List<long[]> parents = new ArrayList<>(); // {folder id, files to add}
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
          "SELECT f.id, f.name, f.user_id FROM nodes f JOIN users u ON u.id = f.user_id "
              + "WHERE u.name_key = '" + user + "' AND f.kind = 0 AND f.parent_id IS NOT NULL")) {
        while (rs.next()) parents.add(new long[] {rs.getLong(1), rs.getString(2).equals("big") ? 100_000 : 1000, rs.getLong(3)});
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO nodes (user_id, parent_id, name, walk_key, kind, "
          + "size, sha256, created, modified) VALUES (?, ?, ?, ?, 1, 10, ?, ?, ?)")) {
        int batch = 0;
        for (long[] p : parents) {
          for (int i = 1; i < p[1]; i++) {
            String name = String.format("f%07d", i);
            ps.setLong(1, p[2]);
            ps.setLong(2, p[0]);
            ps.setString(3, name);
            ps.setString(4, name);
            ps.setString(5, sha);
            ps.setLong(6, now);
            ps.setLong(7, now);
            ps.addBatch();
            if (++batch % 10_000 == 0) ps.executeBatch();
          }
        }
        ps.executeBatch();
      }
      c.commit();
    }
    try (MetadataStore meta = MetadataStores.openSqlite(db, 1, 60_000, u -> 1L << 50, System::currentTimeMillis)) {
      meta.repairUsage(user);
      meta.analyze();
      System.out.printf("seeded %s: %s in %.1f s%n", user, meta.usage(user), (System.nanoTime() - t0) / 1e9);
    }
  }
}
