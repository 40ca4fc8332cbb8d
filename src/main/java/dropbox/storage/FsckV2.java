package dropbox.storage;

import dropbox.bus.FileInfo;
import dropbox.bus.TreePath;
import dropbox.storage.blob.BlobKey;
import dropbox.storage.blob.FsBlobStore;
import dropbox.storage.blob.ScanReport;
import dropbox.storage.blob.ScanRules;
import dropbox.storage.blob.StagingEntry;
import dropbox.storage.meta.FileStream;
import dropbox.storage.meta.MetadataStore;
import dropbox.storage.meta.UsageCheck;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The `fsck` subcommand on a v2 storage root: the database against the blobs. Per user: files whose
 * content is missing, usage rows that differ from the tree and reservations; then content files and
 * staging files the database does not know. Anything written in the last staleMillis may be live work of
 * a running node and is left alone. Repair removes the rows without content (the file is lost either
 * way; the row would only fail every download), rewrites usage from the tree, deletes the leftovers.
 */
public final class FsckV2 {
  private final MetadataStore meta;
  private final FsBlobStore blobs;

  public FsckV2(MetadataStore meta, FsBlobStore blobs) {
    this.meta = meta;
    this.blobs = blobs;
  }

  public List<Fsck.Problem> run(boolean repair, long staleMillis, long now) throws IOException {
    List<Fsck.Problem> out = new ArrayList<>();
    for (String user : meta.users()) {
      List<FileInfo> lost = new ArrayList<>();
      try (FileStream files = meta.streamFiles(user)) {
        while (files.hasNext()) {
          FileInfo f = files.next();
          if (!hasContent(user, f)) lost.add(f);
        }
      }
      for (FileInfo f : lost) {
        out.add(new Fsck.Problem(user, "metadata without content", f.name()));
        if (repair) meta.deleteFile(user, TreePath.parse(f.name()), null);
      }
      UsageCheck check = meta.checkUsage(user);
      if (!check.consistent()) {
        out.add(new Fsck.Problem(user, "usage differs from files", "stored " + check.stored() + ", files "
            + check.computed()));
        if (repair) meta.repairUsage(user);
      }
    }
    long cutoff = now - staleMillis;
    ScanRules rules = new ScanRules(k -> meta.hasBlob(k.user(), k.sha256()), e -> e.lastModified() >= cutoff, cutoff);
    ScanReport r = blobs.scan(rules, repair);
    for (BlobKey k : r.orphanExamples()) out.add(new Fsck.Problem(k.user(), "content without metadata", k.sha256()));
    for (StagingEntry e : r.deadStagingExamples()) {
      out.add(new Fsck.Problem(e.id().user(), "leftover staging file", e.id().uploadId()));
    }
    more(out, r.orphanBlobs() - r.orphanExamples().size(), "content without metadata");
    more(out, r.deadStaging() - r.deadStagingExamples().size(), "leftover staging file");
    // Not ours by name: reported, never deleted (an operator's file, another version's).
    for (var p : r.foreignExamples()) out.add(new Fsck.Problem("-", "foreign entry (left alone)", p.toString()));
    return out;
  }

  private boolean hasContent(String user, FileInfo f) {
    try {
      return blobs.exists(new BlobKey(user, f.sha256()));
    } catch (IllegalArgumentException notAHash) { // a damaged row: it can name no content
      return false;
    }
  }

  private static void more(List<Fsck.Problem> out, long n, String kind) {
    if (n > 0) out.add(new Fsck.Problem("-", kind, n + " more"));
  }
}
