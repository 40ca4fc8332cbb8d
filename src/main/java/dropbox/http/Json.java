package dropbox.http;

import dropbox.bus.FileInfo;
import dropbox.bus.FolderEntry;
import dropbox.bus.Usage;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The REST shapes of the bus records: times as ISO-8601 UTC with milliseconds. */
final class Json {
  private static final DateTimeFormatter ISO_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private Json() {}

  static String time(long epochMillis) { return ISO_MILLIS.format(Instant.ofEpochMilli(epochMillis)); }

  static JsonObject file(FileInfo f) {
    return new JsonObject().put("name", f.name()).put("size", f.size()).put("sha256", f.sha256())
        .put("created", time(f.created())).put("modified", time(f.modified()));
  }

  /**
   * A folder listing's entry (or a moved, copied or created one) under the given name: a folder has no
   * size and no sha256 (null), since what it holds is listed, not summed.
   */
  static JsonObject entry(FolderEntry e, String shownName) {
    FileInfo f = e.info();
    return new JsonObject().put("name", shownName).put("type", e.folder() ? "folder" : "file")
        .put("size", e.folder() ? null : f.size()).put("sha256", e.folder() ? null : f.sha256())
        .put("created", time(f.created())).put("modified", time(f.modified()));
  }

  static JsonObject usage(Usage u) { return u.toJson(); }
}
