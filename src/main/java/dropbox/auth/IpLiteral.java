package dropbox.auth;

/**
 * IPv4 and IPv6 address literals, parsed and printed without ever asking DNS (InetAddress.getByName
 * would look up anything that is not a literal, on an event loop). Printing is canonical, so one
 * client has one throttle key: IPv6 in RFC 5952 form, and IPv4-mapped IPv6 (::ffff:a.b.c.d, how a
 * dual-stack socket reports an IPv4 peer) as the plain IPv4 address.
 */
final class IpLiteral {
  private IpLiteral() {}

  /** 4 or 16 bytes, or null if {@code s} is not an address literal. A zone ("%eth0") is dropped. */
  static byte[] parse(String s) {
    if (s == null || s.isEmpty() || s.length() > 64) return null;
    if (s.indexOf(':') < 0) return parseV4(s);
    int zone = s.indexOf('%');
    return unmap(parseV6(zone >= 0 ? s.substring(0, zone) : s));
  }

  /** The canonical text of an address of {@link #parse}. */
  static String format(byte[] a) {
    if (a.length == 4) return (a[0] & 255) + "." + (a[1] & 255) + "." + (a[2] & 255) + "." + (a[3] & 255);
    int[] g = new int[8];
    for (int i = 0; i < 8; i++) g[i] = ((a[2 * i] & 255) << 8) | (a[2 * i + 1] & 255);
    // RFC 5952: the longest run (the first of equal ones) of two or more zero groups becomes "::".
    int bestStart = -1;
    int bestLen = 1;
    for (int i = 0; i < 8; ) {
      if (g[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && g[j] == 0) j++;
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') sb.append(':');
      sb.append(Integer.toHexString(g[i]));
    }
    return sb.toString();
  }

  private static byte[] parseV4(String s) {
    byte[] out = new byte[4];
    int part = 0;
    int value = -1;
    for (int i = 0; i <= s.length(); i++) {
      char c = i < s.length() ? s.charAt(i) : '.';
      if (c == '.') {
        if (value < 0 || part > 3) return null;
        out[part++] = (byte) value;
        value = -1;
      } else if (c >= '0' && c <= '9') {
        // No leading zeros: "010" is octal to some parsers and decimal to others.
        if (value == 0) return null;
        value = (value < 0 ? 0 : value * 10) + (c - '0');
        if (value > 255) return null;
      } else {
        return null;
      }
    }
    return part == 4 ? out : null;
  }

  private static byte[] parseV6(String s) {
    byte[] out = new byte[16];
    int gap = s.indexOf("::");
    if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) return null;
    String head = gap >= 0 ? s.substring(0, gap) : s;
    String tail = gap >= 0 ? s.substring(gap + 2) : "";
    byte[] h = groups(head, gap < 0);
    byte[] t = groups(tail, true);
    if (h == null || t == null) return null;
    if (gap < 0) return h.length == 16 ? h : null;
    if (h.length + t.length > 14) return null;
    System.arraycopy(h, 0, out, 0, h.length);
    System.arraycopy(t, 0, out, 16 - t.length, t.length);
    return out;
  }

  /** Colon-separated hex groups, the last of them possibly a dotted IPv4 address when {@code mayEndInV4}. */
  private static byte[] groups(String s, boolean mayEndInV4) {
    if (s.isEmpty()) return new byte[0];
    String[] parts = s.split(":", -1);
    byte[] out = new byte[parts.length * 2 + 2];
    int n = 0;
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      if (i == parts.length - 1 && mayEndInV4 && p.indexOf('.') >= 0) {
        byte[] v4 = parseV4(p);
        if (v4 == null) return null;
        System.arraycopy(v4, 0, out, n, 4);
        n += 4;
        continue;
      }
      if (p.isEmpty() || p.length() > 4) return null;
      int v = 0;
      for (int k = 0; k < p.length(); k++) {
        int d = Character.digit(p.charAt(k), 16);
        if (d < 0) return null;
        v = v * 16 + d;
      }
      out[n++] = (byte) (v >> 8);
      out[n++] = (byte) v;
    }
    if (n > 16) return null;
    byte[] exact = new byte[n];
    System.arraycopy(out, 0, exact, 0, n);
    return exact;
  }

  private static byte[] unmap(byte[] a) {
    if (a == null || a.length != 16) return a;
    for (int i = 0; i < 10; i++) if (a[i] != 0) return a;
    if (a[10] != (byte) 0xff || a[11] != (byte) 0xff) return a;
    return new byte[] {a[12], a[13], a[14], a[15]};
  }
}
