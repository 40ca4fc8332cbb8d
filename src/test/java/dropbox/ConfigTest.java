package dropbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings: command line beats environment beats config file beats default (ARCHITECTURE.md "Running it"). */
class ConfigTest {
  @TempDir Path dir;

  @Test
  void precedenceIsCommandLineThenEnvironmentThenFileThenDefault() throws Exception {
    Path file = dir.resolve("config.json");
    Files.writeString(file, new JsonObject()
        .put("tcp", new JsonObject().put("port", 1111).put("maxConnections", 5))
        .put("http", new JsonObject().put("port", 2222))
        .put("quota", new JsonObject().put("users", new JsonObject().put("alice", 42))).encode());
    JsonObject c = Config.load(List.of("--config", file.toString(), "--tcp-port", "3333"),
        Map.of("DROPBOX_TCP_PORT", "4444", "DROPBOX_HTTP_PORT", "5555", "DROPBOX_TCP_IDLE_TIMEOUT_SECONDS", "7"));
    assertEquals(3333, Config.integer(c, "tcp.port"));          // command line
    assertEquals(5555, Config.integer(c, "http.port"));         // environment over file
    assertEquals(5, Config.integer(c, "tcp.maxConnections"));   // file over default
    assertEquals(7, Config.integer(c, "tcp.idleTimeoutSeconds"));
    assertEquals(300 > 0, Config.bool(c, "tcp.noDelay"));        // default
    assertEquals("./data", Config.string(c, "storage.root"));
    assertEquals(42, Config.longValue(c, "quota.users.alice", 0));
  }

  @Test
  void environmentNamesFollowTheKey() {
    assertEquals("DROPBOX_TCP_MAX_CONNECTIONS", Config.envName("tcp.maxConnections"));
    assertEquals("DROPBOX_STORAGE_ROOT", Config.envName("storage.root"));
    assertEquals("DROPBOX_QUOTA_DEFAULT_BYTES", Config.envName("quota.defaultBytes"));
  }

  @Test
  void optionsAcceptBothSpellingsAndFlags() {
    JsonObject c = Config.load(List.of("--storage=/srv/x", "--default-quota", "1048576", "--cluster"), Map.of());
    assertEquals("/srv/x", Config.string(c, "storage.root"));
    assertEquals(1048576L, Config.longValue(c, "quota.defaultBytes", 0));
    assertEquals(true, Config.bool(c, "cluster.enabled"));
  }

  @Test
  void badInputIsAUsageErrorNamingTheSetting() {
    assertEquals("unknown option: --nope",
        assertThrows(Config.UsageException.class, () -> Config.load(List.of("--nope"), Map.of())).getMessage());
    assertThrows(Config.UsageException.class, () -> Config.load(List.of("--tcp-port"), Map.of()));
    assertThrows(Config.UsageException.class, () -> Config.load(List.of("--tcp-port", "eighty"), Map.of()));
    assertThrows(Config.UsageException.class, () -> Config.load(List.of("--default-quota", "-1"), Map.of()));
    assertThrows(Config.UsageException.class, () -> Config.load(List.of(), Map.of("DROPBOX_TCP_NO_DELAY", "maybe")));
    assertThrows(Config.UsageException.class,
        () -> Config.load(List.of("--config", dir.resolve("missing.json").toString()), Map.of()));
  }
}
