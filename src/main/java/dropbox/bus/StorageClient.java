package dropbox.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The typed client of the storage commands: the only way a front end touches files. Every method
 * sends one JSON request on {@link Addresses#STORAGE} (served by any node), or on the sending event loop's
 * {@link LocalInbox} of this node's storage workers, and maps a failure reply
 * back to a {@link StorageException} with its {@link ErrorCode}.
 */
public class StorageClient {
  /** Long enough for an fsync of a multi-GiB commit on a slow disk; the worker queue bounds the wait. */
  public static final long DEFAULT_TIMEOUT_MS = 120_000;

  private final Vertx vertx;
  private final long timeoutMs;
  private final PathLocks locks;
  /** The WebDAV lock tokens this client's requests submit (none for REST and TCP). */
  private final Set<String> tokens;

  public StorageClient(Vertx vertx) { this(vertx, DEFAULT_TIMEOUT_MS); }

  public StorageClient(Vertx vertx, long timeoutMs) {
    this(vertx, timeoutMs, new PathLocks(vertx), Set.of());
  }

  private StorageClient(Vertx vertx, long timeoutMs, PathLocks locks, Set<String> tokens) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
    this.locks = locks;
    this.tokens = tokens;
  }

  /** The same client, its changes submitting these lock tokens (a WebDAV request's If: header). */
  public StorageClient submitting(Collection<String> lockTokens) {
    return new StorageClient(vertx, timeoutMs, locks, Set.copyOf(lockTokens));
  }

  /** The cluster-wide WebDAV locks every change of this client is checked against. */
  public PathLocks locks() { return locks; }

  /** Every change first asks the lock table: a path a WebDAV lock guards is LOCKED without its token. */
  private Future<Void> unlocked(String user, PathLocks.Target... targets) {
    return locks.check(user, tokens, targets);
  }

  private static PathLocks.Target one(String path) { return new PathLocks.Target(path, false); }

  private static PathLocks.Target tree(String path) { return new PathLocks.Target(path, true); }

  /**
   * size is the announced length, or -1 when unknown (chunked HTTP: reserve with {@link #extendUpload}).
   * Clustered, the request names this node ("node"): the upload lives as long as this node does, so when
   * it leaves the cluster the survivors release the reservation at once.
   */
  public Future<UploadTicket> openUpload(String user, String name, long size, Priority p) {
    JsonObject body = new JsonObject().put("user", user).put("name", name).put("size", size);
    return unlocked(user, one(name)).compose(v -> call(Action.UPLOAD_OPEN, p, withNode(body), UploadTicket::fromJson));
  }

  /**
   * Every step of an upload names the node that holds it: the v2 engine's staging file carries its
   * owner in its name, and the commit or abort may be served by any node.
   */
  private JsonObject withNode(JsonObject body) {
    String node = clusterNodeId();
    return node == null ? body : body.put("node", node);
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
    return unlocked(user, one(name)).compose(v -> call(Action.UPLOAD_COMMIT, p, withNode(body), CommitResult::fromJson));
  }

  /**
   * A whole small upload in one command (SmallUploads): no reservation, no staging file; storage checks
   * the quota at the commit and, up to storage.inlineMaxBytes, keeps the bytes in the database.
   */
  public Future<CommitResult> putSmall(String user, String name, Buffer content, Preconditions pre, Priority p) {
    JsonObject body = new JsonObject().put("user", user).put("name", name).put("content", content)
        .put("preconditions", pre.toJson());
    return unlocked(user, one(name)).compose(v -> call(Action.UPLOAD_SMALL, p, withNode(body), CommitResult::fromJson));
  }

  /** Releases the reservation and removes the staging file. Aborts jump the queue: they free resources. */
  public Future<Void> abortUpload(String user, String uploadId) {
    return call(Action.UPLOAD_ABORT, Priority.HIGH,
        withNode(new JsonObject().put("user", user).put("uploadId", uploadId)), j -> null);
  }

  public Future<DownloadHandle> openDownload(String user, String name, Priority p) {
    return call(Action.DOWNLOAD_OPEN, p, new JsonObject().put("user", user).put("name", name),
        DownloadHandle::fromJson);
  }

  public Future<FileInfo> delete(String user, String name, Priority p) {
    return unlocked(user, one(name)).compose(v ->
        call(Action.DELETE, p, new JsonObject().put("user", user).put("name", name), FileInfo::fromJson));
  }

  public Future<Listing> list(String user, Priority p) {
    return call(Action.LIST, p, new JsonObject().put("user", user), Listing::fromJson);
  }

  public Future<Usage> usage(String user, Priority p) {
    return call(Action.USAGE, p, new JsonObject().put("user", user), Usage::fromJson);
  }

  // ---- folders (storage.engine=v2; v1 answers BAD_REQUEST "Folders need storage.engine=v2")

  /** One page of a folder's children in the default order (folders first, by name). */
  public Future<FolderPage> listFolder(String user, String folder, int limit, String cursor, Priority p) {
    return listFolder(user, folder, limit, cursor, FolderSort.DEFAULT, p);
  }

  /** One page of a folder's children; limit 1..10000, cursor null for the first page, else from the same sort. */
  public Future<FolderPage> listFolder(String user, String folder, int limit, String cursor, FolderSort sort,
                                       Priority p) {
    JsonObject body = sort.writeTo(new JsonObject().put("user", user).put("name", folder).put("limit", limit));
    if (cursor != null) body.put("cursor", cursor);
    return call(Action.LIST_FOLDER, p, body, FolderPage::fromJson);
  }

  /**
   * Every file of the tree (name = full path) in UTF-8 byte order of the path, one page of at most limit
   * (1..10000) after cursor (null: from the start); the page's cursor is null after the last file.
   */
  public Future<Listing> listPage(String user, int limit, String cursor, Priority p) {
    JsonObject body = new JsonObject().put("user", user).put("limit", limit);
    if (cursor != null) body.put("cursor", cursor);
    return call(Action.LIST, p, body, Listing::fromJson);
  }

  /** Creates the folder and its missing parents; already there is a success with created false. */
  public Future<CommitResult> mkdir(String user, String folder, Priority p) {
    return unlocked(user, one(folder)).compose(v ->
        call(Action.MKDIR, p, new JsonObject().put("user", user).put("name", folder), CommitResult::fromJson));
  }

  /** Moves or renames a file or folder atomically; overwrite replaces a file (never a folder). */
  public Future<FolderEntry> move(String user, String from, String to, boolean overwrite, Priority p) {
    return unlocked(user, tree(from), tree(to)).compose(v -> call(Action.MOVE, p, new JsonObject().put("user", user)
        .put("from", from).put("to", to).put("overwrite", overwrite), FolderEntry::fromJson));
  }

  /** Copies a file or folder (no content copied; the copy's bytes count against the quota). */
  public Future<FolderEntry> copy(String user, String from, String to, boolean overwrite, Priority p) {
    return unlocked(user, tree(to)).compose(v -> call(Action.COPY, p, new JsonObject().put("user", user)
        .put("from", from).put("to", to).put("overwrite", overwrite), FolderEntry::fromJson));
  }

  /** Removes a folder and everything in it, atomically. */
  public Future<Void> rmdir(String user, String folder, Priority p) {
    return unlocked(user, tree(folder)).compose(v ->
        call(Action.RMDIR, p, new JsonObject().put("user", user).put("name", folder), j -> null));
  }

  // ---- WebDAV's needs (storage.engine=v2)

  /** What is at a path: a folder or a file (the root "" is a folder); NOT_FOUND when nothing is. */
  public Future<FolderEntry> stat(String user, String path, Priority p) {
    return call(Action.STAT, p, new JsonObject().put("user", user).put("name", path), FolderEntry::fromJson);
  }

  /** Sets a file's modified time (X-OC-Mtime), epoch millis. */
  public Future<FileInfo> setModified(String user, String path, long modified, Priority p) {
    return unlocked(user, one(path)).compose(v -> call(Action.SET_MODIFIED, p, new JsonObject().put("user", user)
        .put("name", path).put("modified", modified), FileInfo::fromJson));
  }

  /** The dead properties of a file or folder. */
  public Future<List<DeadProperty>> properties(String user, String path, Priority p) {
    return call(Action.PROPS_GET, p, new JsonObject().put("user", user).put("name", path),
        j -> DeadProperty.fromJson(j.getJsonArray("props")));
  }

  /** Sets and removes dead properties in one transaction (all of it or nothing, as PROPPATCH wants). */
  public Future<Void> patchProperties(String user, String path, List<DeadProperty> set, List<DeadProperty> remove,
                                      Priority p) {
    return unlocked(user, one(path)).compose(v -> call(Action.PROPS_PATCH, p, new JsonObject().put("user", user)
        .put("name", path).put("set", DeadProperty.toJson(set)).put("remove", DeadProperty.toJson(remove)), j -> null));
  }

  private <T> Future<T> call(Action action, Priority p, JsonObject body, Function<JsonObject, T> decode) {
    DeliveryOptions opts = new DeliveryOptions().setSendTimeout(timeoutMs)
        .addHeader(Addresses.ACTION, action.wire()).addHeader(Addresses.PRIORITY, p.wire());
    // This event loop's inbox of the node's own storage workers when it has one, else any node's (LocalInbox).
    return vertx.eventBus().<JsonObject>request(LocalInbox.addressFor(vertx), body, opts)
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
