package dropbox.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.spi.FilterReply;
import dropbox.testing.ClassicClient;
import dropbox.testing.ProductionLogging;
import dropbox.testing.ServerProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A peer that goes away is no ERROR: the filter's rules, that logback.xml installs it, and a real server
 * (with the production logging configuration) whose TCP client resets in the middle of a large download.
 */
class PeerResetNoiseTest {
  private final PeerResetNoise filter = new PeerResetNoise();
  private final LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
  @TempDir Path dir;

  @Test
  void onlyResetsAndBrokenPipesOfVertxConnectionsAreDropped() {
    var connection = ctx.getLogger("io.vertx.core.net.impl.VertxConnection");
    var base = ctx.getLogger("io.vertx.core.net.impl.ConnectionBase");
    String reset = "sendfile(..) failed with error(-104): Connection reset by peer";
    assertEquals(FilterReply.DENY, filter.decide(event(connection, Level.ERROR, reset, new IOException(reset))));
    assertEquals(FilterReply.DENY, filter.decide(event(base, Level.ERROR,
        "recvAddress(..) failed with error(-104): Connection reset by peer", null)));
    assertEquals(FilterReply.DENY, filter.decide(event(base, Level.ERROR, "writev(..) failed: Broken pipe", null)));
    assertEquals(FilterReply.NEUTRAL, filter.decide(event(base, Level.ERROR, "Something else broke", null)));
    assertEquals(FilterReply.NEUTRAL, filter.decide(event(connection, Level.ERROR, "x", new IOException("No space left"))));
    assertEquals(FilterReply.NEUTRAL, filter.decide(event(ctx.getLogger("dropbox.tcp.TcpDownload"), Level.ERROR, reset, null)));
    assertEquals(FilterReply.NEUTRAL, filter.decide(event(base, Level.WARN, reset, null)));
  }

  @Test
  void theProductionLogbackXmlInstallsIt() throws Exception {
    assertTrue(ProductionLogging.read().appenderFilters().stream().anyMatch(f -> f instanceof PeerResetNoise),
        "logback.xml does not install the filter");
  }

  @Test
  void aClientLeavingMidDownloadIsOneWarnLineNotAnError() throws Exception {
    String logback = Path.of(getClass().getClassLoader().getResource("logback.xml").toURI()).toString();
    try (ServerProcess server = ServerProcess.start(List.of("-Dlogback.configurationFile=" + logback),
        "--host", "127.0.0.1", "--tcp-port", "0", "--http-port", "0", "--storage", dir.resolve("data").toString())) {
      byte[] big = new byte[16 << 20]; // many sendfile regions of 1 MiB: Vert.x logged each failed one
      new Random(3).nextBytes(big);
      try (ClassicClient c = ClassicClient.connect(server.tcpPort()).signupOrLogin("leaver", "secret1")) {
        assertTrue(c.upload("big.bin", big).startsWith("SUCCESS"));
      }
      for (int round = 0; round < 3; round++) {
        ClassicClient c = ClassicClient.connect(server.tcpPort()).signupOrLogin("leaver", "secret1");
        c.sendLine("DOWNLOAD big.bin");
        c.rawIn().readNBytes(4096);
        c.socket().setSoLinger(true, 0); // close() sends a reset with megabytes still unsent
        c.close();
      }
      // The server is fine and says so once per download, at WARN.
      try (ClassicClient c = ClassicClient.connect(server.tcpPort()).signupOrLogin("leaver", "secret1")) {
        assertTrue(c.download("big.bin").ok());
      }
      List<String> out = server.output();
      List<String> errors = out.stream().filter(l -> l.contains(" ERROR ")).toList();
      assertEquals(List.of(), errors, "no ERROR for a client that left");
      assertEquals(3, out.stream().filter(l -> l.contains(" WARN ") && l.contains("download of big.bin")).count(), String.join("\n", out));
    }
  }

  private static ILoggingEvent event(ch.qos.logback.classic.Logger logger, Level level, String message, Throwable t) {
    return new LoggingEvent(PeerResetNoiseTest.class.getName(), logger, level, message, t, null);
  }
}
