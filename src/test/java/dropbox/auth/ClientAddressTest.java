package dropbox.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.Config;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The resolution rule and every way a client might try to choose its own address. */
class ClientAddressTest {
  static final ClientAddress PROXIED = ClientAddress.trusting(List.of("10.0.0.0/8", "fd00::/8"));

  @Test
  void withoutTrustedProxiesThePeerIsTheClientWhateverItSends() {
    ClientAddress direct = ClientAddress.direct();
    assertEquals("198.51.100.7", direct.of("198.51.100.7", List.of("1.2.3.4")));
    assertEquals("198.51.100.7", direct.of("198.51.100.7", List.of()));
    assertEquals("198.51.100.7", direct.of("198.51.100.7", null));
  }

  @Test
  void anUntrustedPeerCannotSpoofThroughTheHeader() {
    assertEquals("198.51.100.7", PROXIED.of("198.51.100.7", List.of("10.0.0.1")), "claiming to be a proxy");
    assertEquals("198.51.100.7", PROXIED.of("198.51.100.7", List.of("203.0.113.9, 10.0.0.2")));
  }

  @Test
  void behindATrustedProxyTheRightMostUntrustedAddressIsTheClient() {
    assertEquals("203.0.113.9", PROXIED.of("10.0.0.2", List.of("203.0.113.9")));
    // The client wrote the left part itself: only what the trusted proxy appended counts.
    assertEquals("203.0.113.9", PROXIED.of("10.0.0.2", List.of("6.6.6.6, 203.0.113.9")));
    assertEquals("203.0.113.9", PROXIED.of("10.0.0.2", List.of("10.9.9.9, 203.0.113.9")), "a proxy address the client wrote");
    // A chain of trusted proxies is walked through, in header order across repeated lines.
    assertEquals("203.0.113.9", PROXIED.of("10.0.0.2", List.of("6.6.6.6, 203.0.113.9", "10.0.0.3,fd00::5")));
    assertEquals("203.0.113.9", PROXIED.of("fd00::1", List.of("203.0.113.9")));
    assertEquals("2001:db8::1", PROXIED.of("10.0.0.2", List.of("2001:DB8:0:0:0:0:0:1")), "canonical form");
    assertEquals("192.0.2.1", PROXIED.of("10.0.0.2", List.of("::ffff:192.0.2.1")), "IPv4-mapped is IPv4");
  }

  @Test
  void portsAndBracketsThatSomeProxiesWriteAreUnderstood() {
    assertEquals("203.0.113.9", PROXIED.of("10.0.0.2", List.of("203.0.113.9:51234")));
    assertEquals("2001:db8::1", PROXIED.of("10.0.0.2", List.of("[2001:db8::1]:443")));
    assertEquals("2001:db8::1", PROXIED.of("10.0.0.2", List.of("[2001:db8::1]")));
  }

  @Test
  void junkOrNothingBehindTheProxyMakesTheProxyTheClient() {
    assertEquals("10.0.0.2", PROXIED.of("10.0.0.2", List.of()), "no header: the proxy itself (e.g. its health check)");
    assertEquals("10.0.0.2", PROXIED.of("10.0.0.2", List.of("unknown")));
    assertEquals("10.0.0.2", PROXIED.of("10.0.0.2", List.of("1.2.3.4, garbage")), "junk right of a real address stops the walk");
    assertEquals("10.0.0.3", PROXIED.of("10.0.0.2", List.of("_hidden, 10.0.0.3")), "the last trusted hop we saw");
    assertEquals("10.0.0.4", PROXIED.of("10.0.0.2", List.of("10.0.0.4, 10.0.0.3")), "all trusted: the farthest hop");
    assertEquals("10.0.0.2", PROXIED.of("10.0.0.2", List.of(" , ,")));
  }

  @Test
  void anEndlessChainIsNotWalkedToTheEnd() {
    StringBuilder sb = new StringBuilder("203.0.113.9");
    for (int i = 0; i < 1000; i++) sb.append(", 10.0.").append(i / 250).append('.').append(i % 250);
    String got = PROXIED.of("10.0.0.2", List.of(sb.toString()));
    assertTrue(got.startsWith("10.0."), got);
  }

  @Test
  void peersArePrintedCanonically() {
    assertEquals("127.0.0.1", ClientAddress.peer(SocketAddress.inetSocketAddress(1234, "127.0.0.1")));
    assertEquals("::1", ClientAddress.peer(SocketAddress.inetSocketAddress(1234, "0:0:0:0:0:0:0:1")));
    assertEquals("unknown", ClientAddress.peer(null));
  }

  @Test
  void theSettingIsACommaSeparatedStringOrAJsonArray() {
    JsonObject fromEnv = Config.load(List.of(), Map.of("DROPBOX_HTTP_TRUSTED_PROXIES", "10.0.0.0/8, ::1"));
    assertEquals(List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("::1")), ClientAddress.fromConfig(fromEnv).trusted());
    JsonObject fromFile = new JsonObject();
    Config.put(fromFile, "http.trustedProxies", new JsonArray().add("192.168.0.0/16").add("fd00::/8"));
    assertEquals(List.of(Cidr.parse("192.168.0.0/16"), Cidr.parse("fd00::/8")), ClientAddress.fromConfig(fromFile).trusted());
    assertEquals(List.of(), ClientAddress.fromConfig(Config.load(List.of(), Map.of())).trusted(), "none by default");
    JsonObject bad = new JsonObject();
    Config.put(bad, "http.trustedProxies", "10.0.0.0/8,10.0.0.0/40");
    Config.UsageException e = assertThrows(Config.UsageException.class, () -> ClientAddress.fromConfig(bad));
    assertTrue(e.getMessage().startsWith("http.trustedProxies: ") && e.getMessage().contains("10.0.0.0/40"), e.getMessage());
  }
}
