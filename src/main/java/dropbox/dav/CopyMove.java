package dropbox.dav;

import dropbox.bus.FolderEntry;
import dropbox.bus.PathLock;
import io.vertx.core.Future;
import java.util.List;
import java.util.Locale;

/**
 * COPY and MOVE (RFC 4918 9.8, 9.9) onto the storage's atomic copy/move. WebDAV asks more than REST's
 * move: the destination's parent must exist (409), Overwrite: F refuses an existing destination (412),
 * and Overwrite: T replaces whatever is there, a folder included: the old destination is removed first
 * (two steps, so a crash between them leaves the destination gone and the source in place). A COPY of a
 * folder at Depth 0 makes an empty folder with the source's dead properties.
 */
final class CopyMove {
  private final DavRequest r;
  private final boolean move;
  private final boolean refuseMac;

  CopyMove(DavRequest r, boolean move, boolean refuseMac) {
    this.r = r;
    this.move = move;
    this.refuseMac = refuseMac;
  }

  void run() {
    String destHeader = r.header("Destination");
    if (destHeader == null) {
      r.fail(400, "bad_request", "Destination is required");
      return;
    }
    String dest = DavPath.fromDestination(destHeader);
    if (dest == null) {
      if (DavPath.namesOurNamespace(destHeader)) {
        r.fail(400, "bad_request", "Invalid destination path");
      } else {
        r.fail(502, "bad_gateway", "The destination is not a path of this server's /dav/");
      }
      return;
    }
    String ow = r.header("Overwrite");
    boolean overwrite = ow == null || ow.trim().equalsIgnoreCase("T");
    if (ow != null && !overwrite && !ow.trim().equalsIgnoreCase("F")) {
      r.fail(400, "bad_request", "Overwrite must be T or F");
      return;
    }
    String depth = r.header("Depth");
    String d = depth == null ? "infinity" : depth.trim().toLowerCase(Locale.ROOT);
    if (!(d.equals("infinity") || (!move && d.equals("0")))) {
      r.fail(400, "bad_request", move ? "MOVE is always Depth: infinity" : "COPY takes Depth 0 or infinity");
      return;
    }
    if (r.path.isEmpty() || dest.isEmpty() || dest.equals(r.path)) {
      r.fail(403, "forbidden", "A resource cannot be copied or moved onto itself or into itself");
      return;
    }
    boolean below = PathLock.within(dest, r.path);
    if (refuseMac && DavPath.isMacMetadata(dest)) {
      r.fail(403, "forbidden", "macOS metadata files are not stored here");
      return;
    }
    boolean shallow = d.equals("0");
    r.checkIf().compose(v -> r.stat(r.path)).compose(src -> {
      if (src == null) {
        r.fail(404, "not_found", "Nothing at this path");
        return Future.succeededFuture();
      }
      if (below) {
        // Below a folder is inside it (403); below a file is a parent that is not a folder (409, RFC 4918
        // 9.8.5), as for any other file.
        if (src.folder()) r.fail(403, "forbidden", "A resource cannot be copied or moved onto itself or into itself");
        else r.fail(409, "conflict", "The destination's parent folder does not exist");
        return Future.succeededFuture();
      }
      return r.stat(DavPath.parent(dest)).compose(parent -> {
        if (parent == null || !parent.folder()) {
          r.fail(409, "conflict", "The destination's parent folder does not exist");
          return Future.succeededFuture();
        }
        return r.stat(dest).compose(existing -> {
          if (existing != null && !overwrite) {
            r.fail(412, "precondition_failed", "The destination exists and Overwrite is F");
            return Future.succeededFuture();
          }
          return clear(dest, existing, src)
              .compose(replaceFile -> transfer(src, dest, replaceFile, shallow))
              .onSuccess(x -> r.ctx.response().setStatusCode(existing == null ? 201 : 204).end());
        });
      });
    }).onFailure(r::fail);
  }

  /** Removes a destination the storage would not replace itself (a folder on either side); true = file onto file. */
  private Future<Boolean> clear(String dest, FolderEntry existing, FolderEntry src) {
    if (existing == null) return Future.succeededFuture(false);
    if (!existing.folder() && !src.folder()) return Future.succeededFuture(true);
    Future<?> gone = existing.folder() ? r.storage().rmdir(r.user, dest, r.prio) : r.storage().delete(r.user, dest, r.prio);
    return gone.compose(v -> r.storage().locks().forget(r.user, dest)).map(v -> false);
  }

  private Future<Void> transfer(FolderEntry src, String dest, boolean replaceFile, boolean shallow) {
    if (move) {
      return r.storage().move(r.user, r.path, dest, replaceFile, r.prio)
          .compose(f -> r.storage().locks().forget(r.user, r.path));
    }
    if (shallow && src.folder()) {
      return r.storage().mkdir(r.user, dest, r.prio)
          .compose(v -> r.storage().properties(r.user, r.path, r.prio))
          .compose(props -> props.isEmpty() ? Future.succeededFuture()
              : r.storage().patchProperties(r.user, dest, props, List.of(), r.prio));
    }
    return r.storage().copy(r.user, r.path, dest, replaceFile, r.prio).mapEmpty();
  }
}
