package dropbox.dav;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The WebDAV settings and client quirks on a server of their own: dav.refuseMacMetadata refuses Finder's
 * "._*" and ".DS_Store" (403), and a chunked PUT announcing X-Expected-Entity-Length (Finder) is held to
 * the quota up front. (auth.allowPlaintextLogin=false needs TLS, so WebDAV never sees a plain request
 * then: StorageV2ProcessTest has the refused start.)
 */
class DavSettingsTest {
  @TempDir Path dir;

  @Test
  void macMetadataAndExpectedLength() throws Exception {
    JsonObject extra = new JsonObject().put("dav", new JsonObject().put("refuseMacMetadata", true));
    try (DavServer server = DavServer.start(dir, extra, 1_000_000L)) {
      Path f = Files.writeString(dir.resolve("x.txt"), "x");
      List<String> bearer = List.of("curl", "-s", "-H", "Authorization: Bearer " + server.token());
      assertEquals(201, DavServer.raw(with(bearer, "-T", f.toString(), server.dav() + "x.txt")).status());
      assertEquals(403, DavServer.raw(with(bearer, "-T", f.toString(), server.dav() + "._x.txt")).status());
      assertEquals(403, DavServer.raw(with(bearer, "-T", f.toString(), server.dav() + ".DS_Store")).status());
      assertEquals(403, DavServer.raw(with(bearer, "-X", "MKCOL", server.dav() + "._dir")).status());
      assertEquals(403, DavServer.raw(with(bearer, "-X", "COPY", "-H", "Destination: " + server.dav() + "._y",
          server.dav() + "x.txt")).status());

      // Finder: chunked, with the real length announced separately; more than the 999 999 bytes left -> 507
      // before the body.
      Path big = dir.resolve("big.bin");
      Files.write(big, new byte[200_000]);
      DavServer.Answer over = DavServer.raw(with(bearer, "-T", big.toString(), "-H", "Transfer-Encoding: chunked",
          "-H", "X-Expected-Entity-Length: 1000000", server.dav() + "big.bin"));
      assertEquals(507, over.status(), over.body());
      DavServer.Answer fits = DavServer.raw(with(bearer, "-T", big.toString(), "-H", "Transfer-Encoding: chunked",
          "-H", "X-Expected-Entity-Length: 200000", server.dav() + "big.bin"));
      assertEquals(201, fits.status(), fits.body());
    }
  }

  private static List<String> with(List<String> base, String... more) {
    List<String> out = new java.util.ArrayList<>(base);
    out.addAll(List.of(more));
    return out;
  }
}
