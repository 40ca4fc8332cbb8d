package dropbox.auth;

/** An address range such as 10.0.0.0/8 or fd00::/8 (a bare address is a range of one). */
record Cidr(byte[] network, int prefix) {

  /** Parses "addr/len" or "addr"; IllegalArgumentException with an operator-readable message otherwise. */
  static Cidr parse(String text) {
    String s = text.trim();
    int slash = s.indexOf('/');
    byte[] addr = IpLiteral.parse(slash < 0 ? s : s.substring(0, slash));
    if (addr == null) throw new IllegalArgumentException("not an IP address or CIDR range: '" + text + "'");
    int bits = addr.length * 8;
    int prefix = bits;
    if (slash >= 0) {
      String len = s.substring(slash + 1);
      try {
        prefix = Integer.parseInt(len);
      } catch (NumberFormatException e) {
        prefix = -1;
      }
      // An IPv4-mapped range (::ffff:10.0.0.0/104) was folded to IPv4: its prefix shrinks with it.
      if (bits == 32 && s.substring(0, slash).indexOf(':') >= 0 && prefix >= 96) prefix -= 96;
      if (prefix < 0 || prefix > bits || !len.matches("\\d{1,3}")) {
        throw new IllegalArgumentException("bad prefix length in '" + text + "' (0-" + bits + ")");
      }
    }
    return new Cidr(mask(addr, prefix), prefix);
  }

  boolean contains(byte[] addr) {
    if (addr == null || addr.length != network.length) return false;
    byte[] masked = mask(addr, prefix);
    return java.util.Arrays.equals(masked, network);
  }

  private static byte[] mask(byte[] a, int prefix) {
    byte[] out = a.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - 8 * i));
      out[i] = (byte) (out[i] & (0xff00 >> keep));
    }
    return out;
  }

  @Override
  public String toString() {
    return IpLiteral.format(network) + "/" + prefix;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c && c.prefix == prefix && java.util.Arrays.equals(c.network, network);
  }

  @Override
  public int hashCode() {
    return 31 * java.util.Arrays.hashCode(network) + prefix;
  }
}
