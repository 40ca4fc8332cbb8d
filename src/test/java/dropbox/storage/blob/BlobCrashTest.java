package dropbox.storage.blob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.testing.ChildJvm;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a JVM that is publishing blobs: every published file is complete (its content hashes to its
 * name), everything acknowledged is there, and what was being written is only a staging file, which the
 * scan finds and removes once its owner is known to be gone.
 */
class BlobCrashTest {
  @TempDir Path root;

  @RepeatedTest(3)
  void aKilledWriterLeavesNoPartialBlobAndLosesNothingPublished() throws Exception {
    Map<String, Long> acknowledged = new HashMap<>();
    String lastWriting = null;
    try (ChildJvm child = ChildJvm.start(List.of("-Xmx64m"), PublishLoopChild.class, root.toString())) {
      int target = 3 + ThreadLocalRandom.current().nextInt(3);
      while (acknowledged.size() < target) {
        String line = child.nextLine(60, TimeUnit.SECONDS);
        assertNotNull(line, "child stopped early:\n" + child.output());
        if (line.startsWith("writing ")) lastWriting = line.substring(8);
        if (line.startsWith("published ")) {
          String[] f = line.split(" ");
          acknowledged.put(f[1], Long.parseLong(f[2]));
        }
      }
      // Kill it somewhere in its next upload: usually in the middle of writing, sometimes in publish.
      Thread.sleep(ThreadLocalRandom.current().nextInt(5, 60));
      child.kill9();
      for (String line : child.output().lines().collect(Collectors.toList())) {
        if (line.startsWith("published ")) {
          String[] f = line.split(" ");
          acknowledged.put(f[1], Long.parseLong(f[2]));
        }
        if (line.startsWith("writing ")) lastWriting = line.substring(8);
      }
    }

    FsBlobStore store = new FsBlobStore(root, true);
    Set<String> published;
    try (Stream<Path> s = Files.walk(root.resolve("blobs"))) {
      published = s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    }
    for (String sha : published) {
      Path p = store.locate(new BlobKey("crash", sha)).orElseThrow();
      assertEquals(sha, sha256(p), "a published blob is complete: " + p);
    }
    for (Map.Entry<String, Long> e : acknowledged.entrySet()) {
      Path p = store.locate(new BlobKey("crash", e.getKey())).orElseThrow(() -> new AssertionError("lost " + e));
      assertEquals(e.getValue(), Files.size(p));
    }
    // At most the one upload in flight got published without its acknowledgement reaching us.
    assertTrue(published.size() - acknowledged.size() <= 1, published.size() + " vs " + acknowledged.size());

    // Recovery: the child's node is gone, so its staging file (if the kill came mid-write) is a leftover.
    ScanRules rules = new ScanRules(k -> true, StagingEntry.liveWhen(node -> false, 0), 0);
    ScanReport report = store.scan(rules, true);
    assertEquals(report.deadStaging(), report.removed());
    assertTrue(report.deadStaging() <= 1, report.toString());
    if (report.deadStaging() == 1) {
      assertEquals(lastWriting, report.deadStagingExamples().get(0).id().uploadId());
    }
    try (Stream<Path> s = Files.list(root.resolve("staging/crash"))) {
      assertEquals(0, s.count(), "no staging left after recovery");
    }
    assertEquals(published.size(), store.scan(rules, false).blobs());
  }

  private static String sha256(Path p) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(p)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
