package dropbox.storage;

import dropbox.bus.ErrorCode;
import dropbox.bus.StorageException;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A user's quota ledger: committed bytes and file count (always the sums over the user's metadata) plus
 * the reservations of uploads in progress. Pure arithmetic, no I/O: the caller holds the user lock and
 * persists it. Invariant kept by every method: committed + reserved &lt;= quota.
 */
final class Ledger {
  /**
   * An upload's claim. covered = content bytes the claim allows; credit = size of the file it replaces
   * (replacing costs only the growth); bytes = reserved growth = max(0, covered - credit). node = the
   * storage node that opened it; owner = the cluster node whose front end holds the upload (null when not
   * clustered, or opened by a front end that did not say): when the owner leaves, the upload is dead.
   */
  record Reservation(long bytes, long covered, long credit, String node, String owner, long createdMillis) {
    JsonObject toJson() {
      JsonObject j = new JsonObject().put("bytes", bytes).put("covered", covered).put("credit", credit)
          .put("node", node).put("created", createdMillis);
      return owner == null ? j : j.put("owner", owner);
    }

    static Reservation fromJson(JsonObject j) {
      return new Reservation(j.getLong("bytes"), j.getLong("covered"), j.getLong("credit"),
          j.getString("node"), j.getString("owner"), j.getLong("created"));
    }
  }

  long committed;
  int files;
  final Map<String, Reservation> reservations = new LinkedHashMap<>();

  long reserved() {
    long sum = 0;
    for (Reservation r : reservations.values()) sum += r.bytes();
    return sum;
  }

  long free(long quota) { return Math.max(0, quota - committed - reserved()); }

  /** Adds a reservation for an upload of `covered` bytes that replaces a file of `credit` bytes. */
  Reservation reserve(String uploadId, long covered, long credit, long quota, String node, long now) {
    return reserve(uploadId, covered, credit, quota, node, null, now);
  }

  Reservation reserve(String uploadId, long covered, long credit, long quota, String node, String owner, long now) {
    long growth = Math.max(0, covered - credit);
    long free = free(quota);
    if (growth > free) throw quotaExceeded(growth, free);
    Reservation r = new Reservation(growth, covered, credit, node, owner, now);
    reservations.put(uploadId, r);
    return r;
  }

  /** Grows an open reservation by `more` content bytes (uploads of unknown size). */
  Reservation extend(String uploadId, long more, long quota) {
    Reservation r = reservation(uploadId);
    long covered = r.covered() + more;
    long growth = Math.max(0, covered - r.credit());
    long delta = growth - r.bytes();
    long free = free(quota);
    if (delta > free) throw quotaExceeded(delta, free);
    Reservation n = new Reservation(growth, covered, r.credit(), r.node(), r.owner(), r.createdMillis());
    reservations.put(uploadId, n);
    return n;
  }

  /**
   * Turns a reservation into committed bytes for a file of `size` replacing one of `oldSize` (-1 = new).
   * The quota is checked again against the real growth: the replaced file may have changed meanwhile.
   */
  void commit(String uploadId, long size, long oldSize, long quota) {
    Reservation r = reservation(uploadId);
    if (size > r.covered()) {
      throw StorageException.of(ErrorCode.BAD_REQUEST, "Upload larger than announced");
    }
    long growth = size - Math.max(0, oldSize);
    reservations.remove(uploadId);
    long free = free(quota);
    if (growth > 0 && growth > free) {
      reservations.put(uploadId, r); // unchanged: the caller aborts, which removes it
      throw quotaExceeded(growth, free);
    }
    committed += growth;
    if (oldSize < 0) files++;
  }

  void release(String uploadId) { reservations.remove(uploadId); }

  void removeFile(long size) {
    committed = Math.max(0, committed - size);
    files = Math.max(0, files - 1);
  }

  Reservation reservation(String uploadId) {
    Reservation r = reservations.get(uploadId);
    if (r == null) throw StorageException.of(ErrorCode.BUSY, "Upload expired or unknown"); // the server lost it: retry
    return r;
  }

  static StorageException quotaExceeded(long needs, long free) {
    return StorageException.of(ErrorCode.QUOTA_EXCEEDED,
        "Quota exceeded (needs " + needs + " bytes, " + free + " bytes free)");
  }

  JsonObject toJson() {
    JsonObject res = new JsonObject();
    reservations.forEach((id, r) -> res.put(id, r.toJson()));
    return new JsonObject().put("committed", committed).put("files", files).put("reservations", res);
  }

  static Ledger fromJson(JsonObject j) {
    Ledger l = new Ledger();
    l.committed = j.getLong("committed", 0L);
    l.files = j.getInteger("files", 0);
    JsonObject res = j.getJsonObject("reservations", new JsonObject());
    for (String id : res.fieldNames()) l.reservations.put(id, Reservation.fromJson(res.getJsonObject(id)));
    return l;
  }
}
