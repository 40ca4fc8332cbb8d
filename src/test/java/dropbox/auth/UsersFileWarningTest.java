package dropbox.auth;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dropbox.Config;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

@ExtendWith(VertxExtension.class)
class UsersFileWarningTest {
  @TempDir Path tmp;
  final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  final Logger logger = (Logger) LoggerFactory.getLogger(ProvisionedAccounts.class);

  @BeforeEach
  void capture() {
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void release() {
    logger.detachAppender(logs);
  }

  long warningsAboutReadability() {
    return logs.list.stream()
        .filter(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().contains("readable by group or others"))
        .count();
  }

  Accounts load(Vertx vertx, String perms) throws Exception {
    Path users = tmp.resolve("users.properties");
    Files.writeString(users, "user.Ops=secret,admin\n");
    Files.setPosixFilePermissions(users, PosixFilePermissions.fromString(perms));
    JsonObject c = new JsonObject();
    Config.put(c, "storage.root", tmp.resolve("data").toString());
    Config.put(c, "auth.usersFile", users.toString());
    return Accounts.create(vertx, c, 1000).await(30, SECONDS);
  }

  @Test
  void aWorldReadableFileIsAcceptedWithAWarning(Vertx vertx) throws Exception {
    Accounts a = load(vertx, "rw-r--r--");
    assertEquals(1, warningsAboutReadability());
    assertEquals("Ops", a.login("ops", "secret", Caller.refused("::1")).await(30, SECONDS));
  }

  @Test
  void anOwnerOnlyFileLoadsQuietly(Vertx vertx) throws Exception {
    Accounts a = load(vertx, "rw-------");
    assertEquals(0, warningsAboutReadability());
    assertEquals("Ops", a.login("OPS", "secret", Caller.refused("::1")).await(30, SECONDS));
    assertTrue(logs.list.stream().anyMatch(e -> e.getFormattedMessage().contains("1 provisioned account")));
  }
}
