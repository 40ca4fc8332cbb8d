package dropbox.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class IpLiteralTest {
  static String canon(String s) {
    byte[] a = IpLiteral.parse(s);
    return a == null ? null : IpLiteral.format(a);
  }

  @Test
  void ipv4() {
    assertEquals("192.0.2.1", canon("192.0.2.1"));
    assertEquals("0.0.0.0", canon("0.0.0.0"));
    assertEquals("255.255.255.255", canon("255.255.255.255"));
    for (String bad : new String[] {"256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1..2.3", "1.2.3.4 ", "a.b.c.d", "", "-1.2.3.4"}) {
      assertNull(canon(bad), bad);
    }
  }

  @Test
  void ipv6IsPrintedInOneCanonicalForm() {
    assertEquals("::1", canon("0:0:0:0:0:0:0:1"), "how Java prints a loopback peer");
    assertEquals("::1", canon("::1"));
    assertEquals("::", canon("::"));
    assertEquals("2001:db8::1", canon("2001:DB8:0:0:0:0:0:1"));
    assertEquals("2001:db8::1:0:0:1", canon("2001:db8:0:0:1:0:0:1"), "the first of equal zero runs");
    assertEquals("2001:db8:0:1:1:1:1:1", canon("2001:db8::1:1:1:1:1"), "a single zero group stays");
    assertEquals("fe80::1", canon("fe80::1%eth0"), "the zone is dropped");
    assertEquals("::c000:201", canon("::192.0.2.1"));
    assertEquals("64:ff9b::c000:201", canon("64:ff9b::192.0.2.1"));
  }

  @Test
  void ipv4MappedIsTheIpv4Address() {
    assertEquals("192.0.2.1", canon("::ffff:192.0.2.1"));
    assertEquals("192.0.2.1", canon("0:0:0:0:0:ffff:c000:201"));
  }

  @Test
  void nonLiteralsAreRefusedWithoutAnyLookup() {
    for (String bad : new String[] {"localhost", "example.com", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "::g",
        ":1", "1:", "[::1]", "1.2.3.4:80", "::ffff:1.2.3", "unknown", "x".repeat(1000)}) {
      assertNull(canon(bad), bad);
    }
  }
}
