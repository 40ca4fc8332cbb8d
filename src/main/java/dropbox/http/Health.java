package dropbox.http;

import dropbox.cluster.NodeHealth;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;

/**
 * GET /health through vertx-health-check: 200 {"status":"UP",...} while the storage root takes a real
 * write, the event bus delivers and (clustered) this node is a live member; 503 otherwise.
 */
final class Health {
  private Health() {}

  static HealthCheckHandler handler(Vertx vertx, JsonObject config) {
    return HealthCheckHandler.createWithHealthChecks(new NodeHealth(vertx, config).healthChecks());
  }
}
