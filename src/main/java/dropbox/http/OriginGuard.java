package dropbox.http;

import dropbox.Config;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Refuses cross-origin writes (rest-api.md "Transport and browser safety"). A browser attaches cached
 * Basic credentials to a form another site submits to us, so a POST, PUT, PATCH or DELETE that a browser
 * marks as coming from a foreign origin ({@code Origin}, or {@code Sec-Fetch-Site: cross-site}) is answered
 * 403 forbidden_origin before authentication runs or any body byte is read. Clients that send no Origin
 * (curl, scripts, the CLI) are not browsers acting for a third party, and pass.
 */
final class OriginGuard implements Handler<RoutingContext> {
  /** Every method that changes something, WebDAV's included (a form cannot send those, but fetch() can try). */
  private static final Set<HttpMethod> WRITES = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH,
      HttpMethod.DELETE, HttpMethod.MKCOL, HttpMethod.COPY, HttpMethod.MOVE, HttpMethod.PROPPATCH,
      HttpMethod.LOCK, HttpMethod.UNLOCK);

  /** Normalised origins ("scheme://host:port") allowed besides the server's own. */
  private final Set<String> allowed;

  OriginGuard(Set<String> allowed) { this.allowed = Set.copyOf(allowed); }

  /** From http.allowedOrigins (a comma-separated string or a JSON array); a malformed entry stops the start. */
  static OriginGuard fromConfig(JsonObject config) {
    Set<String> out = new LinkedHashSet<>();
    for (String o : entries(Config.get(config, "http.allowedOrigins"))) {
      String n = normalise(o);
      if (n == null) throw new IllegalArgumentException("http.allowedOrigins: not an origin (scheme://host[:port]): " + o);
      out.add(n);
    }
    return new OriginGuard(out);
  }

  private static List<String> entries(Object v) {
    List<String> out = new ArrayList<>();
    if (v instanceof JsonArray a) {
      a.forEach(e -> out.add(String.valueOf(e).trim()));
    } else if (v != null) {
      for (String s : v.toString().split(",")) out.add(s.trim());
    }
    out.removeIf(String::isEmpty);
    return out;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    if (!WRITES.contains(req.method()) || isAllowed(req)) {
      ctx.next();
      return;
    }
    HttpVerticle.refuse(ctx, new HttpFailure(403, "forbidden_origin",
        "Cross-origin writes are refused: this request came from a page on another site"));
  }

  /**
   * Every copy of the headers counts: a browser sends one of each, so a second Origin or Sec-Fetch-Site is
   * not a browser's, and the one that would refuse the request must not hide behind the one that passes.
   */
  boolean isAllowed(HttpServerRequest req) {
    for (String site : req.headers().getAll("Sec-Fetch-Site")) {
      if ("cross-site".equalsIgnoreCase(site.trim())) return false;
    }
    List<String> origins = req.headers().getAll("Origin");
    if (origins.isEmpty()) return true;
    if (origins.size() > 1) return false;
    String o = normalise(origins.get(0).trim());
    // "null" (sandboxed frames, file: pages, some redirects) and unparsable values are foreign.
    if (o == null) return false;
    return o.equals(ownOrigin(req)) || allowed.contains(o);
  }

  /** The origin this request reached: its scheme and the authority (Host / :authority) it named. */
  static String ownOrigin(HttpServerRequest req) {
    HostAndPort a = req.authority();
    if (a == null || a.host() == null || a.host().isEmpty()) return null;
    String host = a.host();
    if (host.indexOf(':') >= 0 && !host.startsWith("[")) host = "[" + host + "]";
    return normalise((req.isSSL() ? "https" : "http") + "://" + host + (a.port() >= 0 ? ":" + a.port() : ""));
  }

  /** "scheme://host:port" in lower case with the default port filled in, or null when not an http(s) origin. */
  static String normalise(String origin) {
    if (origin == null || origin.equalsIgnoreCase("null")) return null;
    URI u;
    try {
      u = new URI(origin);
    } catch (URISyntaxException e) {
      return null;
    }
    String scheme = u.getScheme() == null ? null : u.getScheme().toLowerCase(Locale.ROOT);
    if (!"http".equals(scheme) && !"https".equals(scheme)) return null;
    if (u.getHost() == null || u.getRawUserInfo() != null || u.getRawQuery() != null || u.getRawFragment() != null) return null;
    if (u.getRawPath() != null && !u.getRawPath().isEmpty()) return null;
    int port = u.getPort() >= 0 ? u.getPort() : scheme.equals("https") ? 443 : 80;
    return scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + ":" + port;
  }
}
