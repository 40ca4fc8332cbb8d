package dropbox.dav;

import dropbox.bus.DeadProperty;
import dropbox.bus.FolderEntry;
import dropbox.bus.PathLock;
import dropbox.bus.Usage;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * PROPFIND (RFC 4918 9.1) at Depth 0 or 1; infinity (and a missing Depth, which means infinity) is
 * refused with 403 propfind-finite-depth. A folder's children are listed page by page (PAGE entries per
 * storage call) and each page is written before the next is asked for, waiting for the connection to
 * drain: memory stays bounded whatever the folder's size.
 */
final class Propfind {
  static final int PAGE = 1000;

  enum Mode { ALLPROP, PROPNAME, PROP }

  private final DavRequest r;
  private Mode mode = Mode.ALLPROP;
  private final List<PropName> wanted = new ArrayList<>();
  private List<PathLock> locks = List.of();
  private Usage usage;

  Propfind(DavRequest r) { this.r = r; }

  void run() {
    String depth = r.header("Depth");
    String d = depth == null ? "infinity" : depth.trim().toLowerCase(java.util.Locale.ROOT);
    if (!d.equals("0") && !d.equals("1")) {
      if (d.equals("infinity")) r.failXml(403, "propfind-finite-depth");
      else r.fail(400, "bad_request", "Depth must be 0 or 1");
      return;
    }
    XmlBody.read(r.ctx).compose(body -> {
      parse(body);
      return r.stat(r.path);
    }).compose(self -> {
      if (self == null) {
        r.fail(404, "not_found", "Nothing at this path");
        return Future.succeededFuture();
      }
      return r.storage().locks().locks(r.user)
          .compose(l -> {
            locks = l;
            return needsQuota() ? r.storage().usage(r.user, r.prio).map(u -> usage = u) : Future.succeededFuture();
          })
          .compose(v -> stream(self, d.equals("1")));
    }).onFailure(r::fail);
  }

  private void parse(byte[] body) {
    if (body.length == 0) return;
    XmlElement root;
    try {
      root = SafeXml.parse(body);
    } catch (SafeXml.Malformed e) {
      throw dropbox.http.HttpFailure.badRequest(e.getMessage());
    }
    if (!root.isDav("propfind")) throw dropbox.http.HttpFailure.badRequest("The body must be a DAV:propfind");
    for (XmlElement e : root.elements()) {
      if (e.isDav("allprop")) {
        mode = Mode.ALLPROP;
        return;
      }
      if (e.isDav("propname")) {
        mode = Mode.PROPNAME;
        return;
      }
      if (e.isDav("prop")) {
        mode = Mode.PROP;
        for (XmlElement p : e.elements()) wanted.add(new PropName(p.ns, p.name));
        return;
      }
    }
    throw dropbox.http.HttpFailure.badRequest("propfind needs allprop, propname or prop");
  }

  private boolean needsQuota() {
    if (mode != Mode.PROP) return false;
    for (PropName p : wanted) if (p.isDav() && LiveProps.QUOTA.contains(p.name())) return true;
    return false;
  }

  private boolean needsDead() {
    if (mode != Mode.PROP) return true;
    for (PropName p : wanted) if (!LiveProps.isLive(p.ns(), p.name())) return true;
    return false;
  }

  private Future<Void> stream(FolderEntry self, boolean children) {
    HttpServerResponse resp = r.ctx.response();
    resp.setStatusCode(207).putHeader("Content-Type", Dav.XML).setChunked(true);
    StringBuilder head = new StringBuilder(DavXml.HEAD).append("<D:multistatus xmlns:D=\"DAV:\">");
    return dead(List.of(r.path)).compose(props -> {
      response(head, r.path, self, props.get(0));
      if (!self.folder() || !children) {
        head.append("</D:multistatus>\n");
        return resp.end(head.toString());
      }
      // The first page is read before anything is written: a folder moved or removed since its stat is a
      // clean error answer (404), where it was a 207 cut off after the folder's own entry.
      String prefix = head.toString();
      return r.storage().listFolder(r.user, r.path, PAGE, null, r.prio)
          .compose(first -> page(resp, prefix, first));
    }).recover(err -> {
      if (resp.headWritten()) {
        resp.reset();
        return Future.succeededFuture();
      }
      return Future.failedFuture(err);
    });
  }

  /**
   * One page of children written after prefix, then (once the connection drained) the next. A later page
   * that fails (the folder moved meanwhile) resets the stream: a well-formed 207 without the rest would
   * tell a sync client those children are gone. The continuations capture only the next cursor: each
   * stays referenced until the whole answer is out, and one that held its page's text (a few hundred KB)
   * ran a 64 MiB server out of memory on a folder of 100 000 children.
   */
  private Future<Void> page(HttpServerResponse resp, String prefix, dropbox.bus.FolderPage p) {
    List<String> paths = new ArrayList<>(p.entries().size());
    for (var e : p.entries()) paths.add(DavPath.child(r.path, e.info().name()));
    if (usage != null) usage = p.usage();
    String cursor = p.cursor();
    return dead(paths).compose(props -> {
      StringBuilder sb = new StringBuilder(prefix);
      for (int i = 0; i < paths.size(); i++) {
        var e = p.entries().get(i);
        response(sb, paths.get(i), new FolderEntry(e.folder(), e.info()), props.get(i));
      }
      if (cursor == null) {
        sb.append("</D:multistatus>\n");
        return resp.end(sb.toString());
      }
      resp.write(sb.toString());
      return drained(resp).compose(v -> nextPage(resp, cursor));
    });
  }

  private Future<Void> nextPage(HttpServerResponse resp, String cursor) {
    return r.storage().listFolder(r.user, r.path, PAGE, cursor, r.prio).compose(next -> page(resp, "", next));
  }

  private static Future<Void> drained(HttpServerResponse resp) {
    if (!resp.writeQueueFull()) return Future.succeededFuture();
    Promise<Void> p = Promise.promise();
    resp.drainHandler(v -> p.tryComplete());
    resp.closeHandler(v -> p.tryFail("connection closed"));
    return p.future();
  }

  /** The dead properties of each path (empty lists when the request needs none). */
  private Future<List<List<DeadProperty>>> dead(List<String> paths) {
    List<List<DeadProperty>> out = new ArrayList<>();
    if (!needsDead()) {
      for (int i = 0; i < paths.size(); i++) out.add(List.of());
      return Future.succeededFuture(out);
    }
    List<Future<List<DeadProperty>>> all = new ArrayList<>();
    for (String p : paths) all.add(r.storage().properties(r.user, p, r.prio).recover(e -> Future.succeededFuture(List.of())));
    return Future.all(all).map(cf -> {
      for (Future<List<DeadProperty>> f : all) out.add(f.result());
      return out;
    });
  }

  private void response(StringBuilder sb, String path, FolderEntry e, List<DeadProperty> dead) {
    sb.append("<D:response><D:href>");
    DavXml.escape(sb, DavPath.href(path, e.folder()));
    sb.append("</D:href>");
    StringBuilder found = new StringBuilder();
    StringBuilder missing = new StringBuilder();
    switch (mode) {
      case ALLPROP -> {
        for (String n : LiveProps.ALL) LiveProps.write(found, n, path, e, usage, locks);
        for (DeadProperty d : dead) new PropName(d.ns(), d.name()).writeValue(found, d.value());
      }
      case PROPNAME -> {
        for (String n : LiveProps.ALL) {
          if (LiveProps.write(new StringBuilder(), n, path, e, usage, locks)) new PropName(Dav.NS, n).writeEmpty(found);
        }
        for (DeadProperty d : dead) new PropName(d.ns(), d.name()).writeEmpty(found);
      }
      case PROP -> {
        for (PropName p : wanted) {
          if (p.isDav() && LiveProps.write(found, p.name(), path, e, usage, locks)) continue;
          DeadProperty hit = null;
          for (DeadProperty d : dead) if (d.ns().equals(p.ns()) && d.name().equals(p.name())) hit = d;
          if (hit != null) p.writeValue(found, hit.value());
          else p.writeEmpty(missing);
        }
      }
    }
    if (found.length() > 0 || missing.length() == 0) {
      sb.append("<D:propstat><D:prop>").append(found).append("</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>");
    }
    if (missing.length() > 0) {
      sb.append("<D:propstat><D:prop>").append(missing)
          .append("</D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>");
    }
    sb.append("</D:response>");
  }

}
