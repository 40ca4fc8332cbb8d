package dropbox.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

/**
 * A single node's own storage worker, reached by {@link StorageClient} without the event bus. Every small
 * operation is one or two storage commands; through the bus each cost a codec copy of the request and the
 * reply, a delivery context, a reply handler registered and removed, and a send timer armed and cancelled,
 * and Vert.x's delivery chain (EventBusImpl.sendOrPubInternal, DeliveryContextBase.next,
 * HandlerRegistration.dispatch) was the largest JIT compilation of a freshly started server's first
 * operations. When no other node serves storage (not clustered) the bus adds nothing but that cost, so the
 * storage verticle registers here and the client calls it directly: the same command, the same worker
 * queue and priorities, the same answers and error codes. Clustered nodes keep the bus, which spreads
 * commands over every node's workers. The bus consumer stays registered either way.
 */
public final class LocalStorage {
  private static final String MAP = "dropbox.localStorage";
  private static final String KEY = "worker";

  /**
   * The worker side: queues the command; the future completes on the caller's context, with the result or
   * the StorageException a bus reply would have carried, or TIMEOUT after timeoutMs (as a bus send would).
   */
  public interface Worker extends Shareable {
    Future<JsonObject> execute(Action action, Priority p, JsonObject body, long timeoutMs);
  }

  private LocalStorage() {}

  /** Makes worker this node's direct storage path (one per Vert.x instance). */
  public static void register(Vertx vertx, Worker worker) { map(vertx).put(KEY, worker); }

  /** Removes worker again (if it is still the one registered); commands go over the bus from now on. */
  public static void unregister(Vertx vertx, Worker worker) { map(vertx).removeIfPresent(KEY, worker); }

  /** The node's registered worker, or null. */
  static Worker of(Vertx vertx) { return map(vertx).get(KEY); }

  private static LocalMap<String, Worker> map(Vertx vertx) { return vertx.sharedData().getLocalMap(MAP); }
}
