package dropbox.metrics;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;

/** GET (and HEAD) /metrics for the HTTP router (rest-api.md): Prometheus text, or 404 when metrics are off. */
public final class MetricsRoutes {
  private MetricsRoutes() {}

  /** Mount before any catch-all route (the UI). No authentication: it exposes no user data. */
  public static void mount(Router router) {
    if (Metrics.enabled()) {
      router.route("/metrics").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(PrometheusScrapingHandler.create());
    } else {
      router.route("/metrics").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(ctx -> ctx.response().setStatusCode(404)
          .putHeader("Content-Type", "text/plain; charset=utf-8").end("metrics are disabled\n"));
    }
  }
}
