package dropbox.metrics;

import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;

/** GET /metrics for the HTTP router (rest-api.md): Prometheus text, or 404 when metrics are off. */
public final class MetricsRoutes {
  private MetricsRoutes() {}

  /** Mount before any catch-all route (the UI). No authentication: it exposes no user data. */
  public static void mount(Router router) {
    if (Metrics.enabled()) {
      router.get("/metrics").handler(PrometheusScrapingHandler.create());
    } else {
      router.get("/metrics").handler(ctx -> ctx.response().setStatusCode(404)
          .putHeader("Content-Type", "text/plain; charset=utf-8").end("metrics are disabled\n"));
    }
  }
}
