package dropbox.storage;

import dropbox.bus.ErrorCode;
import dropbox.bus.StorageException;
import dropbox.bus.StorageFull;
import dropbox.storage.blob.BlobKey;
import dropbox.storage.blob.FsBlobStore;
import dropbox.storage.blob.ScanReport;
import dropbox.storage.blob.ScanRules;
import dropbox.storage.blob.StagingEntry;
import dropbox.storage.meta.BlobRef;
import dropbox.storage.meta.MetadataStore;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovery and maintenance of the v2 engine. What a dead process leaves is never visible (the metadata
 * commit is the only point where a change appears), only in the way: reservations that hold quota,
 * staging files, blobs published but never committed. And what deletes leave: blobs at reference count 0,
 * removed once the read grace period has passed.
 *
 * <p>Every change to one user's blobs runs under that user's lock, like the upload path's check-and-commit
 * (docs/storage-v2.md "Sweeping blobs needs the user lock"); only a lone node's start, before the first
 * command, scans everything at once without locks.
 */
final class V2Upkeep implements StorageUpkeep {
  private static final Logger LOG = LoggerFactory.getLogger(StorageVerticle.class);
  private static final int SWEEP_BATCH = 500;
  /**
   * How long deleted content is kept when the storage is nearly full: long enough for a download that has
   * resolved a file to open its content (milliseconds, unless the node is stalled), short enough that a
   * user who deletes files to make room can upload again within a minute instead of the hour of the
   * normal grace period (storage.graceSeconds).
   */
  static final long LOW_SPACE_GRACE_MS = 30_000;
  /** The default of storage.lowSpaceBytes: below it, deleted content goes after LOW_SPACE_GRACE_MS. */
  static final long DEFAULT_LOW_SPACE_BYTES = 256L << 20;
  /** How often a clustered node records that it is alive (StorageVerticle's timer). */
  static final long HEARTBEAT_PERIOD_MS = 5_000;
  /** A node not seen for this long may be dead: six heartbeats missed. */
  static final long HEARTBEAT_LIVE_MS = 30_000;
  /** Heartbeat rows of nodes gone for this long are dropped (node ids are new at every start). */
  static final long HEARTBEAT_FORGET_MS = 24L * 3600_000;

  private final StorageServiceV2 engine;
  private final MetadataStore meta;
  private final FsBlobStore blobs;
  private final boolean alone;
  private final Supplier<Set<String>> liveNodes;
  private final long staleMillis;
  private final long graceMillis;
  private final V1Import v1Import;
  private final LongSupplier usableSpace;
  private final long lowSpaceBytes;
  private final SpaceReserve reserve;
  private long lastScan = Long.MIN_VALUE;
  private boolean lowSpace;

  /** liveNodes: the cluster's members, null when unknown; alone: no other node shares the storage. */
  V2Upkeep(StorageServiceV2 engine, FsBlobStore blobs, boolean alone, Supplier<Set<String>> liveNodes,
           long staleMillis, long graceMillis) {
    this(engine, blobs, alone, liveNodes, staleMillis, graceMillis, null);
  }

  /** v1Import: run first at every start (a v1 root's data into the database; nothing to do after that). */
  V2Upkeep(StorageServiceV2 engine, FsBlobStore blobs, boolean alone, Supplier<Set<String>> liveNodes,
           long staleMillis, long graceMillis, V1Import v1Import) {
    this(engine, blobs, alone, liveNodes, staleMillis, graceMillis, v1Import, blobs::usableSpace,
        DEFAULT_LOW_SPACE_BYTES, null);
  }

  /**
   * usableSpace: the bytes still free where the content lives (a test passes its own); lowSpaceBytes
   * (storage.lowSpaceBytes, 0 = never): below it {@link #relieve} sweeps with the short grace; reserve:
   * the space held back for a full disk, or null for none.
   */
  V2Upkeep(StorageServiceV2 engine, FsBlobStore blobs, boolean alone, Supplier<Set<String>> liveNodes,
           long staleMillis, long graceMillis, V1Import v1Import, LongSupplier usableSpace, long lowSpaceBytes,
           SpaceReserve reserve) {
    this.reserve = reserve;
    this.usableSpace = usableSpace;
    this.lowSpaceBytes = lowSpaceBytes;
    this.v1Import = v1Import;
    this.engine = engine;
    this.meta = engine.meta();
    this.blobs = blobs;
    this.alone = alone;
    this.liveNodes = liveNodes;
    this.staleMillis = staleMillis;
    this.graceMillis = graceMillis;
  }

  /**
   * Alone: nothing runs yet and nobody else does, so every reservation, every staging file and every blob
   * the database does not know is a leftover. Clustered: the same rules as maintenance.
   */
  @Override
  public void recover() throws IOException {
    // Before the scan: content an interrupted import placed has no row yet and would be taken for an orphan.
    if (v1Import != null) v1Import.run();
    if (!alone) {
      maintain();
      return;
    }
    try {
      recoverAlone();
    } catch (RuntimeException e) {
      if (!StorageFull.causedBy(e)) throw e;
      // Refusing to start would also refuse the downloads and listings a full disk still allows.
      LOG.warn("storage recovery postponed, the storage is full: the server starts, writes are refused as"
          + " 'Storage full' until space is freed, and maintenance releases what recovery would have");
    }
  }

  private void recoverAlone() throws IOException {
    long now = engine.clock().getAsLong();
    int released = meta.releaseExpired(Long.MAX_VALUE);
    ScanReport r = blobs.scan(new ScanRules(this::known, e -> false, Long.MAX_VALUE), true);
    int swept = sweepUnreferenced(now);
    if (released > 0 || !r.clean()) {
      LOG.warn("recovery repaired: {} reservations released, {} staging files and {} unreferenced blobs removed"
          + " (examples {} {}), {} foreign entries left alone {}", released, r.deadStaging(), r.orphanBlobs(),
          r.deadStagingExamples(), r.orphanExamples(), r.foreign(), r.foreignExamples());
    }
    LOG.info("storage recovery (v2): {} blobs, {} content files past their grace period removed", r.blobs(), swept);
  }

  /** Clustered: this node is alive (see {@link #liveOwners}). Alone there is nobody to tell. */
  @Override
  public void heartbeat() {
    if (!alone) meta.heartbeat(engine.nodeId(), engine.clock().getAsLong());
  }

  /**
   * Clustered: the nodes whose uploads may be live: the members of this node's cluster, and every node
   * that wrote a heartbeat in the last {@link #HEARTBEAT_LIVE_MS}. Membership alone is what this node's
   * side sees: started with the wrong member list, or on one side of a network split, it took every
   * other node for dead and released their live uploads (every user's reservations and staging files, on
   * every node). Null: membership unknown, judge nothing.
   */
  private Set<String> liveOwners(long now) {
    Set<String> members = liveNodes.get();
    if (members == null || members.isEmpty()) return null;
    Set<String> live = new java.util.HashSet<>(members);
    live.addAll(meta.nodesSeenSince(now - HEARTBEAT_LIVE_MS, now - HEARTBEAT_FORGET_MS));
    return live;
  }

  @Override
  public void maintain() throws IOException {
    long now = engine.clock().getAsLong();
    int departed = releaseDepartedNodes();
    int released = meta.releaseExpired(now) + departed;
    // A member that left mid-upload leaves staging files beside its reservations: scan now, so its users
    // get the disk back with the quota rather than a stale period later.
    long removed = scanDue(now, departed > 0) ? scanAll(now) : 0;
    int swept = sweepUnreferenced(now);
    engine.forgetCreditsBefore(now - StorageServiceV2.RESERVATION_LIFETIME_MS);
    if (released + removed + swept > 0) {
      LOG.info("maintenance: {} reservations released, {} leftover files removed, {} content files swept",
          released, removed, swept);
    }
  }

  /**
   * The scan walks every content file and asks the database about each, holding the user's lock: its cost
   * grows with the files, so it runs once per stale period (nothing it finds can be younger than that)
   * rather than every minute like the indexed work.
   */
  private synchronized boolean scanDue(long now, boolean force) {
    if (!force && lastScan != Long.MIN_VALUE && now - lastScan < staleMillis) return false;
    lastScan = now;
    return true;
  }

  /**
   * A scan that could not finish (a user's lock busy past its timeout, a database error) is owed: the next
   * run scans again instead of a stale period later, or a kill -9's staging file next to a busy user would
   * hold its disk space for that long.
   */
  private synchronized void scanOwed() { lastScan = Long.MIN_VALUE; }

  private long scanAll(long now) {
    ScanRules rules = new ScanRules(this::known, liveStaging(now), now - staleMillis);
    long removed = 0;
    try {
      for (String user : meta.users()) {
        try {
          removed += engine.locks().with(() -> {
            ScanReport r = blobs.scanUser(user, rules, true);
            // A reaped staging file's upload is dead: give its quota back now rather than at its deadline.
            // The report names a few per user; the rest follow in the next runs (or at their deadline).
            for (StagingEntry dead : r.deadStagingExamples()) meta.release(user, dead.id().uploadId());
            return r.removed();
          }, StorageLocks.userLock(user));
        } catch (StorageException e) {
          if (e.code() != ErrorCode.BUSY) throw e;
          scanOwed(); // this user waits for the next run; the others need not
        }
      }
    } catch (RuntimeException e) {
      scanOwed();
      throw e;
    }
    return removed;
  }

  private boolean known(BlobKey k) { return meta.hasBlob(k.user(), k.sha256()); }

  /** A staging file is live while its owner is (this process, or a member) and it was written lately. */
  private Predicate<StagingEntry> liveStaging(long now) {
    Predicate<String> owners;
    if (alone) {
      owners = engine.nodeId()::equals;
    } else {
      Set<String> live = liveOwners(now);
      if (live == null) return e -> true; // membership unknown: judge nothing
      owners = live::contains;
    }
    return StagingEntry.liveWhen(owners, now - staleMillis);
  }

  /** Clustered: the reservations of nodes that are no longer alive; their uploads died with them. */
  private int releaseDepartedNodes() {
    if (alone) return 0;
    Set<String> live = liveOwners(engine.clock().getAsLong());
    if (live == null) return 0;
    int n = 0;
    for (String owner : meta.reservationOwners()) if (!live.contains(owner)) n += meta.releaseNode(owner);
    return n;
  }

  /**
   * While the storage is nearly full (less than storage.lowSpaceBytes usable), content unreferenced for
   * LOW_SPACE_GRACE_MS is removed now rather than after the grace period: a full disk refuses every
   * upload, and deleting files to make room must make room. The price is the grace's protection of
   * downloads that resolved such content long ago (a long download on another node of a cluster over NFS
   * may fail with a stale handle); on one node an open content file stays readable after its removal.
   */
  @Override
  public void relieve() throws IOException {
    if (lowSpaceBytes <= 0) return;
    long free = usableSpace.getAsLong();
    if (free >= lowSpaceBytes) {
      if (lowSpace) LOG.info("storage space back above storage.lowSpaceBytes ({} bytes usable)", free);
      lowSpace = false;
      makeReserve(free);
      return;
    }
    if (!lowSpace) {
      LOG.warn("storage nearly full ({} bytes usable, storage.lowSpaceBytes is {}): deleted content is removed"
          + " {} s after its delete instead of {} s", free, lowSpaceBytes, LOW_SPACE_GRACE_MS / 1000, graceMillis / 1000);
      lowSpace = true;
    }
    if (free < SpaceReserve.RELEASE_BELOW && reserve != null && reserve.release()) {
      LOG.warn("storage full: released the {} MiB reserve ({}) so that deletes and the removal of deleted content"
          + " can commit", SpaceReserve.BYTES >> 20, reserve.file());
    }
    int swept;
    try {
      swept = sweepUnreferenced(engine.clock().getAsLong(), Math.min(graceMillis, LOW_SPACE_GRACE_MS));
    } catch (RuntimeException e) {
      if (!StorageFull.causedBy(e)) throw e;
      return; // reported (rate-limited) by the store; the next check tries again
    }
    if (swept > 0) LOG.info("storage nearly full: {} deleted content files removed early", swept);
    makeReserve(usableSpace.getAsLong());
  }

  private void makeReserve(long free) {
    if (reserve == null) return;
    try {
      if (reserve.ensure(free)) LOG.debug("space reserve made: {}", reserve.file());
    } catch (IOException e) {
      LOG.debug("space reserve not made: {}", e.toString());
    }
  }

  /** Deletes content unreferenced for longer than the grace period: row first, then file, under the user lock. */
  int sweepUnreferenced(long now) throws IOException {
    return sweepUnreferenced(now, graceMillis);
  }

  private int sweepUnreferenced(long now, long grace) throws IOException {
    long zeroBefore = now - grace;
    int swept = 0;
    while (true) {
      List<BlobRef> batch = meta.unreferencedBlobs(zeroBefore, SWEEP_BATCH);
      int forgotten = 0;
      for (BlobRef b : batch) {
        forgotten += engine.locks().with(() -> {
          if (!meta.forgetBlob(b.user(), b.sha256(), zeroBefore)) return 0; // referenced again meanwhile
          blobs.sweep(List.of(new BlobKey(b.user(), b.sha256())));
          return 1;
        }, StorageLocks.userLock(b.user()));
      }
      swept += forgotten;
      if (batch.size() < SWEEP_BATCH || forgotten == 0) return swept;
    }
  }
}
