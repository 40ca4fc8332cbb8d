package dropbox.http;

import dropbox.Config;
import io.vertx.core.Vertx;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * GET /health: 200 {"status":"UP",...} while the storage root is a writable directory and (when
 * clustered) the cluster's shared data answers; 503 otherwise. Checks run off the event loop.
 */
final class Health {
  private Health() {}

  static HealthCheckHandler handler(Vertx vertx, io.vertx.core.json.JsonObject config) {
    Path root = Path.of(Config.string(config, "storage.root"));
    HealthChecks hc = HealthChecks.create(vertx);
    hc.register("storage", 2000, p -> vertx.executeBlocking(() ->
            Files.isDirectory(root) && Files.isWritable(root), false)
        .onComplete(ar -> p.complete(ar.succeeded() && ar.result() ? Status.OK() : Status.KO())));
    if (vertx.isClustered()) {
      hc.register("cluster", 2000, p -> vertx.sharedData().getAsyncMap(TokenStore.SESSIONS)
          .compose(m -> m.size())
          .onComplete(ar -> p.complete(ar.succeeded() ? Status.OK() : Status.KO())));
    }
    return HealthCheckHandler.createWithHealthChecks(hc);
  }
}
