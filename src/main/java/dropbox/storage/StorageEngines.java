package dropbox.storage;

import dropbox.bus.QuotaPolicy;
import dropbox.Config;
import dropbox.auth.SignupRepository;
import dropbox.bus.FileEvent;
import dropbox.storage.blob.FsBlobStore;
import dropbox.storage.meta.MetadataStore;
import dropbox.storage.meta.MetadataStores;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** Builds the engine storage.engine names: v1 (JSON files, the default) or v2 (database + blobs). */
final class StorageEngines {
  /** signups: the sign-ups in the engine's database (v2), or null when they stay in account files (v1). */
  record Opened(StorageEngine engine, StorageUpkeep upkeep, SignupRepository signups) {}

  private StorageEngines() {}

  /**
   * alone = no other node shares the storage (not clustered); liveNodes = the cluster's members (null
   * when unknown); nodeId = this node's id, the one the membership lists when clustered.
   */
  static Opened open(JsonObject cfg, LockManager locks, boolean alone, Supplier<Set<String>> liveNodes,
                     String nodeId, Consumer<FileEvent> events) throws IOException {
    Path root = Path.of(Config.string(cfg, "storage.root"));
    QuotaPolicy quotas = Config.quotaPolicy(cfg);
    boolean fsync = Config.bool(cfg, "storage.fsync");
    int lockTimeout = Config.integer(cfg, "locks.timeoutMillis");
    // Uploads idle longer than twice the TCP idle timeout are dead (their connection was closed).
    long staleMillis = Config.longValue(cfg, "storage.stagingStaleSeconds",
        Math.max(600, 2L * Config.integer(cfg, "tcp.idleTimeoutSeconds"))) * 1000;
    long graceMillis = Config.longValue(cfg, "storage.graceSeconds", 3600) * 1000;
    String engine = Config.string(cfg, "storage.engine");
    switch (engine == null ? "v1" : engine) {
      case "v1": {
        StorageService svc = new StorageService(new StorageLayout(root), new DurableFiles(fsync), locks, quotas,
            lockTimeout, nodeId, events, System::currentTimeMillis);
        V1Storage v1 = new V1Storage(svc, alone, liveNodes, staleMillis, graceMillis,
            Config.integer(cfg, "locks.ttlMillis"));
        return new Opened(v1, v1, null);
      }
      case "v2": {
        MetadataStore meta = MetadataStores.open(cfg, quotas::quotaFor);
        try {
          FsBlobStore blobs = new FsBlobStore(root, fsync);
          StorageServiceV2 v2 = new StorageServiceV2(meta, blobs, locks, quotas, lockTimeout, nodeId, events,
              System::currentTimeMillis, Config.inlineMaxBytes(cfg));
          String url = Config.string(cfg, "db.url");
          String where = url == null || url.isBlank() ? root.resolve(MetadataStores.SQLITE_FILE).toString()
              : "the PostgreSQL database";
          V1Import v1 = new V1Import(new StorageLayout(root), meta, blobs, v2.locks(), null);
          long lowSpace = Config.longValue(cfg, "storage.lowSpaceBytes", V2Upkeep.DEFAULT_LOW_SPACE_BYTES);
          return new Opened(v2, new V2Upkeep(v2, blobs, alone, liveNodes, staleMillis, graceMillis, v1,
              blobs::usableSpace, lowSpace, new SpaceReserve(root)),
              new MetadataSignups(meta, where));
        } catch (IOException | RuntimeException e) {
          meta.close();
          throw e;
        }
      }
      default:
        throw new Config.UsageException("storage.engine must be v1 or v2 (got " + engine + ")");
    }
  }
}
