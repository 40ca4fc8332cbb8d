package dropbox.http;

import dropbox.bus.FileInfo;
import dropbox.bus.FolderEntry;
import dropbox.bus.Usage;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The REST shapes of the bus records (times as ISO-8601 UTC with milliseconds), and how a JSON answer ends. */
final class Json {
  private static final DateTimeFormatter ISO_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /**
   * Ends a response with this JSON text and an explicit Content-Length: Vert.x computes the length only
   * from a body it sends, so the HEAD of a JSON endpoint (same handler, no body) would lack it.
   */
  static Future<Void> end(HttpServerResponse resp, String json) {
    return end(resp, Buffer.buffer(json));
  }

  static Future<Void> end(HttpServerResponse resp, Buffer body) {
    return resp.putHeader("Content-Length", Integer.toString(body.length())).end(body);
  }

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
