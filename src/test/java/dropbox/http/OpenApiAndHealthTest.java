package dropbox.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.Config;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OpenAPI document matches the router route for route, and /health tells the truth. */
class OpenApiAndHealthTest {
  @TempDir static Path dir;
  static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start(dir, cfg -> { });
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) node.close();
  }

  @Test
  void everyRouteIsDocumentedAndEveryDocumentedOperationIsRouted() throws Exception {
    Http.Resp doc = node.http.get("/api/openapi.yaml", null);
    assertEquals(200, doc.status());
    assertTrue(doc.header("content-type").startsWith("application/yaml"));
    // No answer may be sniffed into a page: the text ones besides files and the UI (before: none had it).
    for (String path : new String[] {"/api/openapi.yaml", "/metrics", "/health", "/api/me", "/api/nothing"}) {
      assertEquals("nosniff", node.http.get(path, null).header("x-content-type-options"), path);
    }
    Set<String> documented = documentedOperations(doc.text());

    HttpVerticle v = new HttpVerticle(node.server.storage(), node.server.auth());
    node.vertx.deployVerticle(v, new io.vertx.core.DeploymentOptions().setConfig(
        node.server.config().copy().put("http", node.server.config().getJsonObject("http").copy().put("port", 0))))
        .await();
    Router router = v.router();
    Set<String> routed = new TreeSet<>();
    for (Route r : router.getRoutes()) {
      // A multi-segment route ("/api/files/*") is named by its template ("/api/files/:path").
      String p = r.getName() != null && r.getName().startsWith("/api/") ? r.getName() : r.getPath();
      if (p == null || !(p.startsWith("/api") || p.equals("/health") || p.equals("/metrics"))) continue;
      if (r.methods() == null || r.methods().isEmpty()) continue; // cross-cutting handlers (auth)
      String openapiPath = p.replaceAll(":([A-Za-z]+)", "{$1}");
      for (HttpMethod m : r.methods()) routed.add(m.name().toLowerCase(Locale.ROOT) + " " + openapiPath);
    }
    assertEquals(documented, routed);
    assertTrue(routed.size() >= 14, routed.toString());
  }

  /** "get /api/files" for each operation under paths: (a small reader for our own YAML layout). */
  static Set<String> documentedOperations(String yaml) {
    Set<String> ops = new TreeSet<>();
    Pattern path = Pattern.compile("^  (/\\S*):\\s*$");
    Pattern op = Pattern.compile("^    (get|put|post|delete|head|patch|options):\\s*$");
    boolean inPaths = false;
    String current = null;
    for (String line : yaml.split("\n")) {
      if (line.startsWith("paths:")) {
        inPaths = true;
        continue;
      }
      if (!inPaths) continue;
      if (!line.isEmpty() && !line.startsWith(" ")) break;
      Matcher pm = path.matcher(line);
      if (pm.matches()) current = pm.group(1);
      Matcher om = op.matcher(line);
      if (om.matches() && current != null) ops.add(om.group(1) + " " + current);
    }
    return ops;
  }

  @Test
  void healthIsUpThenDownWhenTheStorageRootGoesAway() throws Exception {
    Http.Resp up = node.http.get("/health", null);
    assertEquals(200, up.status(), up.toString());
    assertEquals("UP", up.json().getString("status"));
    Path root = Path.of(Config.string(node.server.config(), "storage.root"));
    Path aside = root.resolveSibling("store-aside");
    Files.move(root, aside);
    try {
      Http.Resp down = node.http.get("/health", null);
      assertEquals(503, down.status(), down.toString());
      assertEquals("DOWN", down.json().getString("status"));
    } finally {
      Files.move(aside, root);
    }
    assertEquals(200, node.http.get("/health", null).status());
  }

  /** Checks that overlap (two balancers, a readiness and a liveness probe) share one probe: all UP. */
  @Test
  void overlappingHealthChecksAreAllUp() throws Exception {
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(20);
    try {
      java.util.List<java.util.concurrent.Future<Http.Resp>> answers = new java.util.ArrayList<>();
      for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 20; i++) answers.add(pool.submit(() -> new Http(node.port()).get("/health", null)));
      }
      for (java.util.concurrent.Future<Http.Resp> a : answers) {
        Http.Resp r = a.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(200, r.status(), r.toString());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theUiIsServedWithProtectiveHeaders() throws Exception {
    Http.Resp index = node.http.get("/", null);
    assertEquals(200, index.status());
    assertTrue(index.text().contains("<html"), "index.html from webroot/");
    assertTrue(index.header("content-security-policy").contains("default-src 'self'"));
    assertEquals("no-referrer", index.header("referrer-policy"));
    assertEquals(200, node.http.get("/app.js", null).status());
    assertEquals(404, node.http.get("/nope.js", null).status());
  }
}
