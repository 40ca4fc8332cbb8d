package dropbox.storage;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consistency check and repair of a storage root: the startup recovery and the `fsck` subcommand.
 * Anything younger than staleMillis may belong to live work on another node and is left alone (staging
 * files, reservations, temp files, unreferenced content); startup of a lone node passes 0.
 * Repairs of one user run under that user's lock, like every other change to the user's state.
 */
public final class Fsck {
  private static final Logger LOG = LoggerFactory.getLogger(Fsck.class);

  /** repairable: --repair fixes it; otherwise it is only reported (foreign files, damaged content). */
  public record Problem(String user, String kind, String detail, boolean repairable) {
    public Problem(String user, String kind, String detail) {
      this(user, kind, detail, true);
    }

    @Override
    public String toString() { return user + ": " + kind + (detail.isEmpty() ? "" : " (" + detail + ")"); }
  }

  private final StorageService svc;
  private final StorageLayout layout;

  public Fsck(StorageService svc) {
    this.svc = svc;
    this.layout = svc.layout();
  }

  /** Checks every user; with repair, fixes what it found. Returns the problems found (before repair). */
  public List<Problem> run(boolean repair, long staleMillis, long now) throws IOException {
    List<Problem> problems = new ArrayList<>();
    if (!Files.isDirectory(layout.usersDir())) return problems;
    try (DirectoryStream<Path> users = Files.newDirectoryStream(layout.usersDir())) {
      for (Path userDir : users) {
        if (!Files.isDirectory(userDir)) continue;
        String user = userDir.getFileName().toString();
        if (repair) {
          svc.withLocks(() -> checkUser(user, true, staleMillis, now, problems), StorageService.userLock(user));
        } else {
          checkUser(user, false, staleMillis, now, problems);
        }
      }
    }
    return problems;
  }

  private Void checkUser(String user, boolean repair, long staleMillis, long now, List<Problem> out)
      throws IOException {
    long cutoff = now - staleMillis;
    DurableFiles files = svc.files();
    Ledger ledger = svc.readLedger(user);
    boolean ledgerChanged = false;

    for (Path dir : List.of(layout.userDir(user), layout.metaDir(user))) {
      for (Path p : entries(dir)) {
        String n = p.getFileName().toString();
        if (n.startsWith(".") && n.endsWith(DurableFiles.TMP_SUFFIX) && olderThan(p, cutoff)) {
          out.add(new Problem(user, "leftover temp file", n));
          if (repair) Files.deleteIfExists(p);
        }
      }
    }

    Set<String> staged = new HashSet<>();
    for (Path p : entries(layout.stagingDir(user))) {
      String id = p.getFileName().toString();
      boolean reserved = ledger.reservations.containsKey(id);
      // Only age decides: a staging file of live work may appear between our reading the ledger and the
      // directory, so "no reservation" alone does not make it a leftover; writes keep live ones young.
      if (olderThan(p, cutoff)) {
        out.add(new Problem(user, "leftover staging file", id));
        if (repair) {
          Files.deleteIfExists(p);
          if (reserved) {
            ledger.release(id);
            ledgerChanged = true;
          }
        }
      } else {
        staged.add(id);
      }
    }
    for (Map.Entry<String, Ledger.Reservation> e : List.copyOf(ledger.reservations.entrySet())) {
      if (!staged.contains(e.getKey()) && !Files.exists(layout.stagingDir(user).resolve(e.getKey()))
          && e.getValue().createdMillis() < cutoff) {
        out.add(new Problem(user, "stale reservation", e.getKey() + ", " + e.getValue().bytes() + " bytes"));
        if (repair) {
          ledger.release(e.getKey());
          ledgerChanged = true;
        }
      }
    }

    long sum = 0;
    int count = 0;
    Set<String> referenced = new HashSet<>();
    for (FileMeta m : svc.readAllMeta(user)) {
      if (!Files.exists(layout.blob(user, m.blob()))) {
        out.add(new Problem(user, "metadata without content", m.name()));
        if (repair) {
          LOG.error("content of {}/{} is missing; removing its metadata", user, m.name());
          Files.deleteIfExists(layout.metaFile(user, m.name()));
          files.syncDir(layout.metaDir(user));
        }
        continue;
      }
      referenced.add(m.blob());
      sum += m.size();
      count++;
    }
    for (Path p : entries(layout.blobDir(user))) {
      String id = p.getFileName().toString();
      if (!referenced.contains(id) && !Files.exists(layout.garbageDir(user).resolve(id)) && olderThan(p, cutoff)) {
        out.add(new Problem(user, "content without metadata", id));
        if (repair) svc.markGarbage(user, id);
      }
    }
    if (ledger.committed != sum || ledger.files != count) {
      out.add(new Problem(user, "ledger differs from files",
          "ledger " + ledger.committed + " bytes/" + ledger.files + " files, files " + sum + " bytes/" + count));
      ledger.committed = sum;
      ledger.files = count;
      ledgerChanged = true;
    }
    if (repair && ledgerChanged) svc.writeLedger(user, ledger, true);
    return null;
  }

  /**
   * Releases the reservations (and removes the staging files) of uploads whose owner node is not live:
   * that node left the cluster, and with it the connection that was sending the upload. Only
   * reservations created before cutoff count, so a node that joined a moment ago and is not yet in
   * every member's view keeps its uploads; reservations without an owner (single node, or written by an
   * older version) are left to the staleness rule of {@link #run}. Runs under each user's lock.
   */
  public List<Problem> releaseReservationsOfDepartedNodes(Predicate<String> live, long cutoff) throws IOException {
    List<Problem> problems = new ArrayList<>();
    if (!Files.isDirectory(layout.usersDir())) return problems;
    try (DirectoryStream<Path> users = Files.newDirectoryStream(layout.usersDir())) {
      for (Path userDir : users) {
        if (!Files.isDirectory(userDir)) continue;
        String user = userDir.getFileName().toString();
        if (!StorageLayout.isUserName(user) || !Files.exists(layout.ledger(user))) continue;
        svc.withLocks(() -> {
          Ledger ledger = svc.readLedger(user);
          boolean changed = false;
          for (Map.Entry<String, Ledger.Reservation> e : List.copyOf(ledger.reservations.entrySet())) {
            Ledger.Reservation r = e.getValue();
            if (r.owner() == null || live.test(r.owner()) || r.createdMillis() >= cutoff) continue;
            problems.add(new Problem(user, "reservation of a departed node",
                e.getKey() + ", " + r.bytes() + " bytes, node " + r.owner()));
            ledger.release(e.getKey());
            if (StorageLayout.isId(e.getKey())) Files.deleteIfExists(layout.staging(user, e.getKey()));
            changed = true;
          }
          if (changed) svc.writeLedger(user, ledger, false);
          return null;
        }, StorageService.userLock(user));
      }
    }
    return problems;
  }

  /** Deletes content files whose garbage marker is older than graceMillis (and that nothing references). */
  public int sweepGarbage(long graceMillis, long now) throws IOException {
    int removed = 0;
    if (!Files.isDirectory(layout.usersDir())) return 0;
    try (DirectoryStream<Path> users = Files.newDirectoryStream(layout.usersDir())) {
      for (Path userDir : users) {
        String user = userDir.getFileName().toString();
        List<Path> due = new ArrayList<>();
        for (Path marker : entries(layout.garbageDir(user))) {
          if (olderThan(marker, now - graceMillis)) due.add(marker);
        }
        if (due.isEmpty()) continue;
        Set<String> referenced = new HashSet<>();
        for (FileMeta m : svc.readAllMeta(user)) referenced.add(m.blob());
        for (Path marker : due) {
          String id = marker.getFileName().toString();
          if (!referenced.contains(id)) {
            Files.deleteIfExists(layout.blobDir(user).resolve(id));
            removed++;
          }
          Files.deleteIfExists(marker);
        }
      }
    }
    return removed;
  }

  private static boolean olderThan(Path p, long cutoff) throws IOException {
    try {
      return Files.getLastModifiedTime(p).toMillis() <= cutoff;
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  private static List<Path> entries(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) return out;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) if (Files.isRegularFile(p)) out.add(p);
    }
    return out;
  }
}
