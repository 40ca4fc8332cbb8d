package dropbox.dav;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.testing.Tools;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * litmus, the WebDAV server test suite (Debian package litmus), against the real server: every test of
 * basic, copymove, props, locks and http must pass. Its report (stdout, debug.log, child.log) is kept
 * under target/litmus/.
 */
class LitmusTest {
  static final List<String> SUITES = List.of("basic", "copymove", "props", "locks", "http");
  private static final Pattern SUMMARY = Pattern.compile("<- summary for `(\\w+)': of (\\d+) tests run: (\\d+) passed, (\\d+) failed");

  @TempDir Path dir;

  @Test
  void everySuitePassesCompletely() throws Exception {
    Tools.require("litmus");
    Path report = Path.of("target", "litmus").toAbsolutePath();
    Files.createDirectories(report);
    try (DavServer server = DavServer.start(dir, new JsonObject(), 100_000_000L)) {
      // litmus writes debug.log and child.log into its working directory: the report's directory.
      ProcessBuilder pb = new ProcessBuilder("litmus", "-k", server.dav(), DavServer.USER, DavServer.PASSWORD)
          .directory(report.toFile()).redirectErrorStream(true);
      pb.environment().put("TESTS", String.join(" ", SUITES));
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes());
      assertTrue(p.waitFor(5, java.util.concurrent.TimeUnit.MINUTES));
      Files.writeString(report.resolve("litmus-report.txt"), out);

      List<String> seen = new ArrayList<>();
      List<String> problems = new ArrayList<>();
      Matcher m = SUMMARY.matcher(out);
      while (m.find()) {
        seen.add(m.group(1));
        if (!m.group(4).equals("0") || !m.group(2).equals(m.group(3))) problems.add(m.group());
      }
      for (String line : out.split("\n")) if (line.contains("FAIL")) problems.add(line.trim());
      assertEquals(SUITES, seen, "every suite ran:\n" + out);
      assertEquals(List.of(), problems, "report in " + report);
      assertEquals(0, p.exitValue(), out);
      List<String> errors = server.process.output().stream().filter(l -> l.contains(" ERROR ") || l.contains("BlockedThreadChecker")).toList();
      assertEquals(List.of(), errors, "no ERROR line in the server log");
    }
  }
}
