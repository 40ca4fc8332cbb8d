package dropbox.metrics;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;

/** GET (and HEAD) /metrics for the HTTP router (rest-api.md): Prometheus text, or 404 when metrics are off. */
public final class MetricsRoutes {
  private MetricsRoutes() {}

  /**
   * Mount before any catch-all route (the UI). No authentication: it exposes no user data. first: run
   * before the scrape on the same route (the HTTP front end's HEAD Content-Length).
   */
  public static void mount(Router router, Handler<RoutingContext> first) {
    if (Metrics.enabled()) {
      router.route("/metrics").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(first)
          .handler(PrometheusScrapingHandler.create());
    } else {
      router.route("/metrics").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(first).handler(ctx -> ctx.response().setStatusCode(404)
          .putHeader("Content-Type", "text/plain; charset=utf-8").end("metrics are disabled\n"));
    }
  }
}
