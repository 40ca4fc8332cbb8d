package dropbox.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dropbox.Config;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator's view of bad TLS settings: one line that names what is wrong. */
class ServerTlsTest {
  @TempDir Path dir;

  @Test
  void aMissingPemFileIsNamedAsMissing() {
    Path cert = dir.resolve("nope-cert.pem");
    Path key = dir.resolve("nope-key.pem");
    JsonObject cfg = Config.load(List.of("--storage", dir.toString(), "--tls-cert", cert.toString(),
        "--tls-key", key.toString()), Map.of());
    ServerTls.TlsConfigException e = assertThrows(ServerTls.TlsConfigException.class, () -> ServerTls.resolve(cfg));
    assertEquals("tls: no such file: " + cert, e.getMessage());
  }
}
