package dropbox.storage;

import dropbox.bus.ErrorCode;
import dropbox.bus.FileInfo;
import dropbox.bus.FileNames;
import dropbox.bus.Listing;
import dropbox.bus.StorageException;
import dropbox.bus.TreePath;
import dropbox.bus.Usage;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;

/**
 * Pages of the whole-tree file listing (GET /api/files with limit/cursor). The files arrive in UTF-8 byte
 * order of their full paths; the cursor is the last path of a page, so the next page starts after it: a
 * file present throughout is neither skipped nor repeated while others come and go between pages.
 */
final class FilePages {
  static final int MAX_LIMIT = 10_000;

  private FilePages() {}

  static Listing page(Iterator<FileInfo> files, Usage usage, int limit, String cursor) {
    if (limit < 1 || limit > MAX_LIMIT) throw StorageException.of(ErrorCode.BAD_REQUEST, "limit must be 1-" + MAX_LIMIT);
    String after = cursor == null ? null : decode(cursor);
    List<FileInfo> out = new ArrayList<>();
    boolean more = false;
    while (files.hasNext()) {
      FileInfo f = files.next();
      if (after != null && FileNames.compareUtf8(f.name(), after) <= 0) continue;
      if (out.size() == limit) {
        more = true;
        break;
      }
      out.add(f);
    }
    return new Listing(out, usage, more ? encode(out.get(out.size() - 1).name()) : null);
  }

  private static String encode(String lastPath) {
    byte[] json = new JsonObject().put("a", lastPath).encode().getBytes(StandardCharsets.UTF_8);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json);
  }

  /** The path a cursor continues after (null: from the start); BAD_REQUEST for one that is not ours. */
  static TreePath after(String cursor) {
    return cursor == null ? TreePath.ROOT : TreePath.parse(decode(cursor));
  }

  private static String decode(String cursor) {
    try {
      String after = new JsonObject(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8))
          .getString("a");
      if (after == null || !TreePath.isValid(after)) throw invalid();
      return after;
    } catch (StorageException e) {
      throw e;
    } catch (RuntimeException e) {
      throw invalid();
    }
  }

  private static StorageException invalid() { return StorageException.of(ErrorCode.BAD_REQUEST, "Invalid cursor"); }
}
