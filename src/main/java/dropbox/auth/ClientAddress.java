package dropbox.auth;

import dropbox.Config;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The client address the login throttle and the sign-up limit count by, resolved here and nowhere
 * else. It is the TCP peer, unless the peer is one of {@code http.trustedProxies} (CIDRs): then it
 * is the right-most X-Forwarded-For address that is not itself a trusted proxy. Everything to the
 * left of that address was written by the client and proves nothing; no other header is believed.
 * Addresses are printed canonically (see {@link IpLiteral}), so one client has one key.
 */
public final class ClientAddress {
  public static final String CONFIG_KEY = "http.trustedProxies";
  static final String FORWARDED_FOR = "X-Forwarded-For";
  static final String UNKNOWN = "unknown";
  /** Hops walked through X-Forwarded-For: a real proxy chain is a handful; the header itself is bounded. */
  static final int MAX_HOPS = 64;

  private final List<Cidr> trusted;

  private ClientAddress(List<Cidr> trusted) {
    this.trusted = List.copyOf(trusted);
  }

  /** Nothing trusted: every address is the peer's. */
  public static ClientAddress direct() {
    return new ClientAddress(List.of());
  }

  /**
   * Reads http.trustedProxies: a comma-separated string ("10.0.0.0/8, ::1") or, in a config file, a
   * JSON array of such strings. A malformed entry is a {@link Config.UsageException} naming it.
   */
  public static ClientAddress fromConfig(JsonObject config) {
    Object v = Config.get(config, CONFIG_KEY);
    List<String> entries = new ArrayList<>();
    if (v instanceof JsonArray a) {
      for (Object o : a) entries.add(String.valueOf(o));
    } else if (v != null) {
      for (String s : v.toString().split(",")) if (!s.isBlank()) entries.add(s);
    }
    return trusting(entries);
  }

  static ClientAddress trusting(List<String> cidrs) {
    List<Cidr> out = new ArrayList<>();
    for (String s : cidrs) {
      try {
        out.add(Cidr.parse(s));
      } catch (IllegalArgumentException e) {
        throw new Config.UsageException(CONFIG_KEY + ": " + e.getMessage());
      }
    }
    return new ClientAddress(out);
  }

  /** The peer of a TCP connection (the classic protocol has no proxy header). */
  public static String peer(SocketAddress remote) {
    if (remote == null) return UNKNOWN;
    String host = remote.hostAddress() != null ? remote.hostAddress() : remote.host();
    return canonical(host);
  }

  /** The client of an HTTP request. */
  public String of(HttpServerRequest req) {
    return of(peer(req.remoteAddress()), req.headers().getAll(FORWARDED_FOR));
  }

  /** The rule itself: {@code peer} as printed by {@link #peer}, the X-Forwarded-For header lines in order. */
  String of(String peer, List<String> forwardedFor) {
    byte[] hop = IpLiteral.parse(peer);
    if (hop == null || !isTrusted(hop) || forwardedFor == null || forwardedFor.isEmpty()) return peer;
    List<String> entries = new ArrayList<>();
    for (String line : forwardedFor) {
      for (String e : line.split(",")) {
        String t = e.trim();
        if (!t.isEmpty()) entries.add(t);
      }
    }
    String current = peer;
    int walked = 0;
    for (int i = entries.size() - 1; i >= 0 && walked < MAX_HOPS; i--, walked++) {
      byte[] a = IpLiteral.parse(stripPort(entries.get(i)));
      // A trusted proxy only ever appends a real address: junk means the hop we trust passed on
      // something it did not write, so that hop is the best we know.
      if (a == null) return current;
      current = IpLiteral.format(a);
      if (!isTrusted(a)) return current;
    }
    return current; // every hop is a trusted proxy: the request started at the farthest one
  }

  boolean isTrusted(byte[] addr) {
    for (Cidr c : trusted) if (c.contains(addr)) return true;
    return false;
  }

  List<Cidr> trusted() {
    return trusted;
  }

  private static String canonical(String host) {
    if (host == null || host.isEmpty()) return UNKNOWN;
    byte[] a = IpLiteral.parse(host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host);
    return a == null ? host : IpLiteral.format(a);
  }

  /** "1.2.3.4:5678" and "[2001:db8::1]:443" as some proxies write them; a bare IPv6 address stays whole. */
  private static String stripPort(String entry) {
    if (entry.startsWith("[")) {
      int close = entry.indexOf(']');
      return close < 0 ? entry : entry.substring(1, close);
    }
    int colon = entry.indexOf(':');
    if (colon >= 0 && colon == entry.lastIndexOf(':')) return entry.substring(0, colon);
    return entry;
  }
}
