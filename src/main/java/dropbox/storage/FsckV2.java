package dropbox.storage;

import dropbox.bus.FileInfo;
import dropbox.bus.TreePath;
import dropbox.files.Sha256;
import dropbox.storage.blob.BlobKey;
import dropbox.storage.blob.FsBlobStore;
import dropbox.storage.blob.ScanReport;
import dropbox.storage.blob.ScanRules;
import dropbox.storage.blob.StagingEntry;
import dropbox.storage.blob.StagingId;
import dropbox.storage.meta.BlobCount;
import dropbox.storage.meta.BlobRef;
import dropbox.storage.meta.FileStream;
import dropbox.storage.meta.MetadataStore;
import dropbox.storage.meta.Reservation;
import dropbox.storage.meta.UsageCheck;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The `fsck` subcommand on a v2 storage root: the database against the blobs. Per user, in this order
 * (each repair feeds the next check): file rows whose content file is missing, reservations no upload
 * will ever end, blob rows whose reference count disagrees with the tree, a usage row that differs from
 * the tree and the reservations. Then blob rows unreferenced for longer than the grace period (plus the
 * stale period: a running node's sweeper takes them first), and content and staging files the database
 * does not know. Anything written in the last staleMillis may be live work of a running node and is left
 * alone.
 *
 * <p>Repair removes the rows without content (the file is lost either way, the row would only fail every
 * download: reported as such, and the usage follows), releases the dead reservations, rewrites counts and
 * usage from the tree, deletes unreferenced content and leftovers. What it cannot fix is said in the
 * problem's detail.
 */
public final class FsckV2 {
  private final MetadataStore meta;
  private final FsBlobStore blobs;
  private final boolean verify;
  /** user/sha256 of content files re-hashed, with what was wrong ("" if nothing): shared content is read once. */
  private final java.util.Map<String, String> verified = new java.util.HashMap<>();

  public FsckV2(MetadataStore meta, FsBlobStore blobs) {
    this(meta, blobs, false);
  }

  /**
   * verify: also re-hash every content file (reads all the bytes), so a changed byte in a file of the
   * right size is found too; without it only the sizes are compared (one stat per file).
   */
  public FsckV2(MetadataStore meta, FsBlobStore blobs, boolean verify) {
    this.meta = meta;
    this.blobs = blobs;
    this.verify = verify;
  }

  /** Returns the problems found (before repair); with repair, each has been repaired as its detail says. */
  public List<Fsck.Problem> run(boolean repair, long staleMillis, long graceMillis, long now) throws IOException {
    List<Fsck.Problem> out = new ArrayList<>();
    long cutoff = now - staleMillis;
    java.util.Set<String> miscounted = new java.util.HashSet<>(); // user/sha256
    for (String user : meta.users()) {
      lostContent(user, repair, out);
      staleReservations(user, repair, cutoff, now, out);
      for (BlobCount b : meta.wrongBlobCounts(user)) {
        miscounted.add(user + "/" + b.sha256());
        out.add(new Fsck.Problem(user, "wrong reference count", b.sha256() + ": stored " + b.stored() + ", used by "
            + b.actual() + " file(s)" + (b.stored() == 0 && b.zeroSince() == null ? ", never swept" : "")
            + (b.actual() > 0 && b.stored() < b.actual() ? ": the sweeper could delete content still in use" : "")
            + (repair ? "; rewritten from the tree" : "")));
      }
      UsageCheck check = meta.checkUsage(user);
      // repairUsage also rewrites the reference counts reported above: one transaction for both.
      if (repair && (!check.consistent() || !meta.wrongBlobCounts(user).isEmpty())) meta.repairUsage(user);
      if (!check.consistent()) {
        out.add(new Fsck.Problem(user, "usage differs from files", "stored " + check.stored() + ", files "
            + check.computed() + (repair ? "; rewritten from the tree" : "")));
      }
    }
    sweepPastGrace(repair, now - graceMillis - staleMillis, miscounted, out);
    ScanRules rules = new ScanRules(k -> meta.hasBlob(k.user(), k.sha256()), e -> e.lastModified() >= cutoff, cutoff);
    ScanReport r = blobs.scan(rules, repair);
    for (BlobKey k : r.orphanExamples()) out.add(new Fsck.Problem(k.user(), "content without metadata", k.sha256()));
    for (StagingEntry e : r.deadStagingExamples()) {
      out.add(new Fsck.Problem(e.id().user(), "leftover staging file", e.id().uploadId()));
    }
    more(out, r.orphanBlobs() - r.orphanExamples().size(), "content without metadata");
    more(out, r.deadStaging() - r.deadStagingExamples().size(), "leftover staging file");
    // Not ours by name: reported, never deleted (an operator's file, another version's).
    for (var p : r.foreignExamples()) out.add(new Fsck.Problem("-", "foreign entry (left alone)", p.toString(), false));
    return out;
  }

  /** File rows whose content file is gone: nothing can bring the bytes back, so repair removes the row. */
  private void lostContent(String user, boolean repair, List<Fsck.Problem> out) {
    List<FileInfo> lost = new ArrayList<>();
    try (FileStream files = meta.streamFiles(user)) {
      while (files.hasNext()) {
        FileInfo f = files.next();
        if (!hasContent(user, f)) {
          lost.add(f);
        } else {
          damagedContent(user, f, out);
        }
      }
    }
    for (FileInfo f : lost) {
      String what = f.name() + ", " + f.size() + " bytes, blob " + f.sha256();
      if (repair) {
        meta.deleteFile(user, TreePath.parse(f.name()), null);
        what += ": content lost, cannot be restored; the file was removed and its bytes taken off the usage";
      }
      out.add(new Fsck.Problem(user, "metadata without content", what));
    }
  }

  /**
   * A reservation is dead when its deadline passed, or when it is older than the stale period and its
   * staging file is gone or was not written to within it (the upload's connection is long closed: the
   * front ends touch the file with every chunk, and an upload between its publish and its commit has no
   * staging file only for the moment of one lock wait). Its age comes from its deadline, which is set
   * RESERVATION_LIFETIME_MS after its creation.
   */
  private void staleReservations(String user, boolean repair, long cutoff, long now, List<Fsck.Problem> out)
      throws IOException {
    for (Reservation r : meta.reservations(user)) {
      long created = r.deadline() - StorageServiceV2.RESERVATION_LIFETIME_MS;
      String why;
      if (r.deadline() < now) {
        why = "past its deadline";
      } else if (created < cutoff && !liveStaging(user, r, cutoff)) {
        why = "its upload stopped (no staging file written within the stale period)";
      } else {
        continue;
      }
      if (repair) meta.release(user, r.id());
      out.add(new Fsck.Problem(user, "stale reservation", r.id() + ", " + r.bytes() + " bytes, node "
          + r.ownerNode() + ": " + why + (repair ? "; released" : "")));
    }
  }

  private boolean liveStaging(String user, Reservation r, long cutoff) throws IOException {
    StagingId id;
    try {
      id = new StagingId(user, r.ownerNode(), r.id());
    } catch (IllegalArgumentException malformed) { // no staging file can have this name
      return false;
    }
    Optional<StagingEntry> e = blobs.staging(id);
    return e.isPresent() && e.get().lastModified() >= cutoff;
  }

  /** Content unreferenced for longer than a running node's sweeper would leave it: repair deletes it. */
  private void sweepPastGrace(boolean repair, long zeroBefore, java.util.Set<String> miscounted,
                              List<Fsck.Problem> out) throws IOException {
    while (true) {
      List<BlobRef> batch = meta.unreferencedBlobs(zeroBefore, 500);
      int forgotten = 0;
      for (BlobRef b : batch) {
        // A count of 0 that is wrong is reported as such (and, repaired, is no longer 0): never delete by it.
        if (miscounted.contains(b.user() + "/" + b.sha256())) continue;
        boolean gone = repair && meta.forgetBlob(b.user(), b.sha256(), zeroBefore);
        if (gone) {
          blobs.sweep(List.of(new BlobKey(b.user(), b.sha256())));
          forgotten++;
        }
        out.add(new Fsck.Problem(b.user(), "unreferenced content past its grace period", b.sha256() + ", "
            + b.size() + " bytes" + (gone ? "; deleted" : "")));
      }
      if (!repair || batch.size() < 500 || forgotten == 0) return;
    }
  }

  /**
   * A content file whose size is not the file's: its bytes were cut or added to on disk, so downloads of
   * the file are refused. Not repaired (the intact bytes may be in a backup; deleting the file is the
   * user's or the operator's choice), only reported, so fsck says the root is not consistent.
   */
  private void damagedContent(String user, FileInfo f, List<Fsck.Problem> out) {
    Optional<Path> content;
    try {
      content = blobs.locate(new BlobKey(user, f.sha256()));
    } catch (IllegalArgumentException notAHash) {
      return;
    }
    if (content.isEmpty()) return; // inline
    long onDisk = FsBlobStore.sizeOnDisk(content.get());
    String wrong = onDisk < 0 ? " cannot be read" : onDisk != f.size() ? " has " + onDisk : null;
    if (wrong == null && verify) {
      wrong = verified.computeIfAbsent(user + "/" + f.sha256(), k -> rehash(content.get(), f.sha256()));
      if (wrong.isEmpty()) wrong = null;
    }
    if (wrong == null) return;
    out.add(new Fsck.Problem(user, "damaged content", f.name() + ": " + f.size() + " bytes, but its content file "
        + content.get() + wrong + "; not repaired: restore that file from a backup, or delete " + f.name(), false));
  }

  /** "" when the file's bytes hash to sha256, else what is wrong with them. */
  private static String rehash(Path content, String sha256) {
    try {
      String actual = Sha256.hex(content);
      return actual.equals(sha256) ? "" : " has other bytes (SHA-256 " + actual + ")";
    } catch (IOException e) {
      return " cannot be read (" + e.getMessage() + ")";
    }
  }

  private boolean hasContent(String user, FileInfo f) {
    try {
      // A small file's bytes may be in its blob row (storage.inlineMaxBytes) instead of a content file.
      return blobs.exists(new BlobKey(user, f.sha256())) || meta.inlineContent(user, f.sha256()).isPresent();
    } catch (IllegalArgumentException notAHash) { // a damaged row: it can name no content
      return false;
    }
  }

  private static void more(List<Fsck.Problem> out, long n, String kind) {
    if (n > 0) out.add(new Fsck.Problem("-", kind, n + " more"));
  }
}
