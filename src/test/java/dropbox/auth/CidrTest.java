package dropbox.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CidrTest {
  static boolean in(String cidr, String addr) {
    return Cidr.parse(cidr).contains(IpLiteral.parse(addr));
  }

  @Test
  void ipv4Ranges() {
    assertTrue(in("10.0.0.0/8", "10.255.1.2"));
    assertFalse(in("10.0.0.0/8", "11.0.0.1"));
    assertTrue(in("192.168.1.0/23", "192.168.0.7"));
    assertFalse(in("192.168.1.0/23", "192.168.2.7"));
    assertTrue(in("172.16.0.0/12", "172.31.255.255"));
    assertFalse(in("172.16.0.0/12", "172.32.0.0"));
    assertTrue(in("0.0.0.0/0", "8.8.8.8"));
    assertTrue(in("192.0.2.5", "192.0.2.5"), "a bare address is a range of one");
    assertFalse(in("192.0.2.5", "192.0.2.6"));
    assertFalse(in("192.0.2.5/32", "::1"), "families never match each other");
  }

  @Test
  void ipv6Ranges() {
    assertTrue(in("fd00::/8", "fd12:3456::1"));
    assertFalse(in("fd00::/8", "fe80::1"));
    assertTrue(in("2001:db8::/32", "2001:db8:ffff::1"));
    assertTrue(in("::1", "0:0:0:0:0:0:0:1"));
    assertTrue(in("2001:db8::/127", "2001:db8::1"));
    assertFalse(in("2001:db8::/127", "2001:db8::2"));
    assertTrue(in("::ffff:10.0.0.0/104", "10.1.2.3"), "an IPv4-mapped range is the IPv4 range");
    assertTrue(in("10.0.0.0/8", "::ffff:10.1.2.3"), "a mapped peer is its IPv4 address");
  }

  @Test
  void malformedRangesNameTheEntry() {
    for (String bad : new String[] {"10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/", "10.0.0.0/8/8", "::/129", "example.com/8",
        "10.0.0/8", "", "10.0.0.0/ 8", "10.0.0.0/0x8"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(bad), bad);
      assertTrue(e.getMessage().contains("'" + bad.trim() + "'") || e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
    assertEquals("10.0.0.0/8", Cidr.parse(" 10.1.2.3/8 ").toString(), "host bits are masked, spaces trimmed");
  }
}
