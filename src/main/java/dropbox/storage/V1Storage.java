package dropbox.storage;

import dropbox.bus.CommitResult;
import dropbox.bus.DownloadHandle;
import dropbox.bus.FileInfo;
import dropbox.bus.Listing;
import dropbox.bus.Preconditions;
import dropbox.bus.UploadTicket;
import dropbox.bus.Usage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * storage.engine=v1: today's JSON-file StorageService behind the engine interface, with the recovery and
 * maintenance StorageVerticle used to run itself (moved here unchanged).
 */
final class V1Storage implements StorageEngine, StorageUpkeep {
  private static final Logger LOG = LoggerFactory.getLogger(StorageVerticle.class);

  private final StorageService service;
  private final Fsck fsck;
  private final boolean alone;
  private final Supplier<Set<String>> liveNodes;
  private final long staleMillis;
  private final long graceMillis;
  private final long lockTtlMillis;

  /** liveNodes: the cluster's members (null when unknown); alone: no other node shares the root. */
  V1Storage(StorageService service, boolean alone, Supplier<Set<String>> liveNodes, long staleMillis,
            long graceMillis, long lockTtlMillis) {
    this.service = service;
    this.fsck = new Fsck(service);
    this.alone = alone;
    this.liveNodes = liveNodes;
    this.staleMillis = staleMillis;
    this.graceMillis = graceMillis;
    this.lockTtlMillis = lockTtlMillis;
  }

  @Override public UploadTicket openUpload(String user, String name, long size, String owner) {
    return service.openUpload(user, name, size, owner);
  }

  @Override public long extendUpload(String user, String uploadId, long more) {
    return service.extendUpload(user, uploadId, more);
  }

  @Override public CommitResult commitUpload(String user, String name, String uploadId, long size, String sha256,
                                             Preconditions pre, String owner) {
    return service.commitUpload(user, name, uploadId, size, sha256, pre);
  }

  @Override public void abortUpload(String user, String uploadId, String owner) { service.abortUpload(user, uploadId); }

  @Override public DownloadHandle openDownload(String user, String name) { return service.openDownload(user, name); }

  @Override public FileInfo delete(String user, String name) { return service.delete(user, name); }

  @Override public Listing list(String user) { return service.list(user); }

  @Override public Usage usage(String user) { return service.usage(user); }

  @Override public void recover() throws IOException {
    List<Fsck.Problem> problems = new ArrayList<>(releaseDepartedNodes());
    problems.addAll(fsck.run(true, alone ? 0 : staleMillis, System.currentTimeMillis()));
    int swept = fsck.sweepGarbage(graceMillis, System.currentTimeMillis());
    problems.forEach(p -> LOG.warn("recovery repaired: {}", p));
    LOG.info("storage recovery: {} problems repaired, {} old content files removed", problems.size(), swept);
  }

  @Override public void maintain() throws IOException {
    releaseDepartedNodes().forEach(p -> LOG.info("maintenance repaired: {}", p));
    fsck.run(true, staleMillis, System.currentTimeMillis()).forEach(p -> LOG.info("maintenance repaired: {}", p));
    fsck.sweepGarbage(graceMillis, System.currentTimeMillis());
  }

  /**
   * Clustered: frees the reservations of uploads whose owner node is no longer a member (killed, or a
   * whole cluster restarted). Reservations younger than the lock TTL are left alone: their node may have
   * joined a moment ago. Alone, recovery's fsck already reaps every leftover.
   */
  private List<Fsck.Problem> releaseDepartedNodes() throws IOException {
    if (alone) return List.of();
    Set<String> live = liveNodes.get();
    if (live == null || live.isEmpty()) return List.of();
    return fsck.releaseReservationsOfDepartedNodes(live::contains, System.currentTimeMillis() - lockTtlMillis);
  }
}
