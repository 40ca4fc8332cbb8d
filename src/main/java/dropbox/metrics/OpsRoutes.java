package dropbox.metrics;

import dropbox.cluster.NodeHealth;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;

/** The operator endpoints of the HTTP router: GET /health and GET /metrics (rest-api.md). */
public final class OpsRoutes {
  private OpsRoutes() {}

  /**
   * Mounts both routes (no authentication: they expose no user data). Returns the NodeHealth so the caller
   * can close() it when its verticle stops.
   */
  public static NodeHealth mount(Router router, Vertx vertx, JsonObject config) {
    NodeHealth health = new NodeHealth(vertx, config);
    router.get("/health").handler(ctx -> health.check().onComplete(ar -> {
      JsonObject body = ar.result();
      ctx.response().setStatusCode("UP".equals(body.getString("status")) ? 200 : 503)
          .putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store")
          .end(body.encode());
    }));
    if (Metrics.enabled()) {
      router.get("/metrics").handler(PrometheusScrapingHandler.create());
    } else {
      router.get("/metrics").handler(ctx -> ctx.response().setStatusCode(404)
          .putHeader("Content-Type", "text/plain; charset=utf-8").end("metrics are disabled\n"));
    }
    return health;
  }
}
