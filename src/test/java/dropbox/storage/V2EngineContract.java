package dropbox.storage;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dropbox.bus.QuotaPolicy;
import dropbox.storage.blob.FsBlobStore;
import dropbox.storage.meta.MetadataStore;
import dropbox.storage.meta.MetadataStores;

/**
 * The engine contract on the v2 engine, set up once for its two storage modes: every file a content file
 * (StorageServiceV2Test) and small files kept in the database (StorageServiceV2InlineTest). SQLite here;
 * the PostgreSQL subclasses override openMeta.
 */
abstract class V2EngineContract extends StorageEngineContract {
  static final long STALE_MS = 600_000;
  static final long GRACE_MS = 3_600_000;
  MetadataStore meta;
  FsBlobStore blobs;
  StorageServiceV2 v2;
  V2Upkeep upkeep;

  /** storage.inlineMaxBytes of the engine under test. */
  abstract long inlineMax();

  /** The metadata store of this run, on the test's clock. */
  MetadataStore openMeta(QuotaPolicy quotas) throws Exception {
    return MetadataStores.openSqlite(root.resolve(MetadataStores.SQLITE_FILE), 4, 5000, quotas::quotaFor, clock::get);
  }

  @Override StorageEngine open(long quota) throws Exception { return open(quota, inlineMax()); }

  StorageEngine open(long quota, long inlineMax) throws Exception {
    QuotaPolicy q = quotas(quota);
    meta = openMeta(q);
    blobs = new FsBlobStore(root, true);
    v2 = new StorageServiceV2(meta, blobs, new LocalLockManager(vertx), q, 5000, "node-a", events::add, clock::get,
        inlineMax);
    upkeep = new V2Upkeep(v2, blobs, true, () -> null, STALE_MS, GRACE_MS);
    return v2;
  }

  @Override int sweepContent(boolean pastGrace) throws Exception {
    if (pastGrace) clock.addAndGet(GRACE_MS + 1);
    return upkeep.sweepUnreferenced(clock.get());
  }

  @Override void assertConsistent(String user) {
    assertTrue(meta.checkUsage(user).consistent(), () -> meta.checkUsage(user).toString());
  }
}
