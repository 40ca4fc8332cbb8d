package dropbox.dav;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.testing.ClassicClient;
import dropbox.testing.Tools;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * rclone (Debian package) with a webdav remote against the real server: a tree of 300 files in nested
 * folders synced up, checked equal, listed with the right sizes and modification times (X-OC-Mtime),
 * changed and synced again, deletions propagated; the same tree over TCP LIST and the REST listing.
 */
class RcloneTest {
  @TempDir Path dir;

  @Test
  void syncChangeSyncCheckAndDelete() throws Exception {
    Tools.require("rclone");
    Path local = dir.resolve("local");
    Random rnd = new Random(9);
    Instant base = Instant.parse("2024-03-04T05:06:07Z");
    int n = 0;
    for (int d = 1; d <= 10; d++) {
      for (int f = 1; f <= 15; f++) {
        write(local.resolve("d" + d + "/f" + f + ".bin"), rnd, 1 + rnd.nextInt(20_000), base.plusSeconds(n++ * 61));
        write(local.resolve("d" + d + "/sub/deeper/g" + f + ".txt"), rnd, rnd.nextInt(300), base.plusSeconds(n++ * 61));
      }
    }
    try (DavServer server = DavServer.start(dir, new JsonObject(), 100_000_000L)) {
      Path conf = dir.resolve("rclone.conf");
      String obscured = Tools.run("rclone", "obscure", DavServer.PASSWORD).out().trim();
      Files.writeString(conf, "[dav]\ntype = webdav\nurl = " + server.dav() + "\nvendor = owncloud\nuser = "
          + DavServer.USER + "\npass = " + obscured + "\n");

      long t0 = System.nanoTime();
      rclone(conf, "sync", local.toString(), "dav:tree");
      System.out.printf("rclone sync of 300 files up: %.1f s%n", (System.nanoTime() - t0) / 1e9);
      rclone(conf, "check", local.toString(), "dav:tree");
      assertListingMatches(conf, local);

      // Change 20 files, delete 10, add 5; sync again.
      for (int i = 1; i <= 10; i++) {
        write(local.resolve("d" + i + "/f1.bin"), rnd, 5000 + i, base.plusSeconds(999_999 + i));
        write(local.resolve("d" + i + "/sub/deeper/g2.txt"), rnd, 10 + i, base.plusSeconds(888_888 + i));
        Files.delete(local.resolve("d" + i + "/f15.bin"));
      }
      for (int i = 1; i <= 5; i++) write(local.resolve("new/n" + i + ".bin"), rnd, 100 * i, base);
      rclone(conf, "sync", local.toString(), "dav:tree");
      rclone(conf, "check", local.toString(), "dav:tree");
      assertListingMatches(conf, local);

      // The same tree over TCP and REST.
      try (ClassicClient c = ClassicClient.connect(server.process.tcpPort()).signupOrLogin(DavServer.USER, DavServer.PASSWORD)) {
        String list = c.command("LIST tree/d3");
        assertTrue(list.contains("f1.bin") && list.contains("sub") && !list.contains("f15.bin"), list);
      }
      Map<String, Long> rest = restSizes(server);
      Map<String, Long> want = localSizes(local, "tree/");
      assertEquals(want, rest, "REST lists exactly the synced tree");

      // Deletions propagate, a whole folder included.
      try (Stream<Path> s = Files.walk(local.resolve("d10"))) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
      rclone(conf, "sync", local.toString(), "dav:tree");
      rclone(conf, "check", local.toString(), "dav:tree");
      rest = restSizes(server);
      assertEquals(localSizes(local, "tree/"), rest);
      assertFalse(rest.keySet().stream().anyMatch(k -> k.startsWith("tree/d10/")), "d10 is gone");
      List<String> errors = server.process.output().stream().filter(l -> l.contains(" ERROR ") || l.contains("BlockedThreadChecker")).toList();
      assertEquals(List.of(), errors);
    }
  }

  private static void write(Path p, Random rnd, int size, Instant mtime) throws Exception {
    Files.createDirectories(p.getParent());
    byte[] b = new byte[size];
    rnd.nextBytes(b);
    Files.write(p, b);
    Files.setLastModifiedTime(p, FileTime.from(mtime));
  }

  private static void rclone(Path conf, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("rclone", "--config", conf.toString(), "--retries", "1"));
    cmd.addAll(List.of(args));
    Tools.Result r = Tools.run(cmd, new byte[0], 300);
    assertEquals(0, r.exitCode(), String.join(" ", args) + ":\n" + r);
  }

  /** rclone lsjson -R of the remote: every local file with its size and modification time (seconds). */
  private static void assertListingMatches(Path conf, Path local) throws Exception {
    Tools.Result r = Tools.run(List.of("rclone", "--config", conf.toString(), "lsjson", "-R", "--files-only", "dav:tree"),
        new byte[0], 120);
    assertEquals(0, r.exitCode(), r.toString());
    Map<String, String> remote = new HashMap<>();
    for (Object o : new JsonArray(r.out())) {
      JsonObject j = (JsonObject) o;
      remote.put(j.getString("Path"), j.getLong("Size") + " " + Instant.parse(j.getString("ModTime")).getEpochSecond());
    }
    Map<String, String> want = new HashMap<>();
    try (Stream<Path> s = Files.walk(local)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        want.put(local.relativize(p).toString(), Files.size(p) + " " + Files.getLastModifiedTime(p).toInstant().getEpochSecond());
      }
    }
    assertEquals(want, remote);
  }

  private static Map<String, Long> localSizes(Path local, String prefix) throws Exception {
    Map<String, Long> out = new HashMap<>();
    try (Stream<Path> s = Files.walk(local)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) out.put(prefix + local.relativize(p), Files.size(p));
    }
    return out;
  }

  private static Map<String, Long> restSizes(DavServer server) throws Exception {
    DavServer.Answer a = server.curl(server.base() + "/api/files");
    assertEquals(200, a.status(), a.body());
    Map<String, Long> out = new HashMap<>();
    for (Object o : new JsonObject(a.body()).getJsonArray("files")) {
      JsonObject f = (JsonObject) o;
      out.put(f.getString("name"), f.getLong("size"));
    }
    return out;
  }
}
