package dropbox.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;

/**
 * The typed client of the storage commands: the only way a front end touches files. Every method
 * sends one JSON request on {@link Addresses#STORAGE} (served by any node) and maps a failure reply
 * back to a {@link StorageException} with its {@link ErrorCode}.
 */
public class StorageClient {
  /** Long enough for an fsync of a multi-GiB commit on a slow disk; the worker queue bounds the wait. */
  public static final long DEFAULT_TIMEOUT_MS = 120_000;

  private final Vertx vertx;
  private final long timeoutMs;

  public StorageClient(Vertx vertx) { this(vertx, DEFAULT_TIMEOUT_MS); }

  public StorageClient(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
  }

  /**
   * size is the announced length, or -1 when unknown (chunked HTTP: reserve with {@link #extendUpload}).
   * Clustered, the request names this node ("node"): the upload lives as long as this node does, so when
   * it leaves the cluster the survivors release the reservation at once.
   */
  public Future<UploadTicket> openUpload(String user, String name, long size, Priority p) {
    JsonObject body = new JsonObject().put("user", user).put("name", name).put("size", size);
    String node = clusterNodeId();
    if (node != null) body.put("node", node);
    return call(Action.UPLOAD_OPEN, p, body, UploadTicket::fromJson);
  }

  private String clusterNodeId() {
    return vertx instanceof VertxInternal vi && vi.clusterManager() != null ? vi.clusterManager().getNodeId() : null;
  }

  /** Reserves more bytes for an upload of unknown size; succeeds with the new reserved total. */
  public Future<Long> extendUpload(String user, String uploadId, long additionalBytes) {
    return call(Action.UPLOAD_EXTEND, Priority.HIGH,
        new JsonObject().put("user", user).put("uploadId", uploadId).put("bytes", additionalBytes),
        j -> j.getLong("reservedBytes"));
  }

  public Future<CommitResult> commitUpload(String user, String name, String uploadId, long size, String sha256,
                                           Preconditions pre, Priority p) {
    JsonObject body = new JsonObject().put("user", user).put("name", name).put("uploadId", uploadId)
        .put("size", size).put("sha256", sha256).put("preconditions", pre.toJson());
    return call(Action.UPLOAD_COMMIT, p, body, CommitResult::fromJson);
  }

  /** Releases the reservation and removes the staging file. Aborts jump the queue: they free resources. */
  public Future<Void> abortUpload(String user, String uploadId) {
    return call(Action.UPLOAD_ABORT, Priority.HIGH, new JsonObject().put("user", user).put("uploadId", uploadId),
        j -> null);
  }

  public Future<DownloadHandle> openDownload(String user, String name, Priority p) {
    return call(Action.DOWNLOAD_OPEN, p, new JsonObject().put("user", user).put("name", name),
        DownloadHandle::fromJson);
  }

  public Future<FileInfo> delete(String user, String name, Priority p) {
    return call(Action.DELETE, p, new JsonObject().put("user", user).put("name", name), FileInfo::fromJson);
  }

  public Future<Listing> list(String user, Priority p) {
    return call(Action.LIST, p, new JsonObject().put("user", user), Listing::fromJson);
  }

  public Future<Usage> usage(String user, Priority p) {
    return call(Action.USAGE, p, new JsonObject().put("user", user), Usage::fromJson);
  }

  private <T> Future<T> call(Action action, Priority p, JsonObject body, Function<JsonObject, T> decode) {
    DeliveryOptions opts = new DeliveryOptions().setSendTimeout(timeoutMs)
        .addHeader(Addresses.ACTION, action.wire()).addHeader(Addresses.PRIORITY, p.wire());
    return vertx.eventBus().<JsonObject>request(Addresses.STORAGE, body, opts)
        .recover(err -> Future.failedFuture(toStorageException(err)))
        .map(Message::body)
        .map(decode);
  }

  /** The single place where event-bus failures become error codes. */
  public static StorageException toStorageException(Throwable err) {
    if (err instanceof StorageException se) return se;
    if (err instanceof ReplyException re) {
      if (re.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
        return new StorageException(ErrorCode.fromNumber(re.failureCode()), re.getMessage());
      }
      if (re.failureType() == ReplyFailure.TIMEOUT) {
        return new StorageException(ErrorCode.TIMEOUT, "Storage did not answer in time");
      }
      if (re.failureType() == ReplyFailure.NO_HANDLERS) {
        return new StorageException(ErrorCode.BUSY, "Storage is not available");
      }
    }
    return new StorageException(ErrorCode.INTERNAL, "Internal error");
  }
}
