package dropbox.dav;

import dropbox.bus.DeadProperty;
import dropbox.http.HttpFailure;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PROPPATCH (RFC 4918 9.2): the instructions in document order, applied all or nothing in one storage
 * transaction. A live property cannot be changed: it is answered 403 and every other one 424 (failed
 * dependency), and nothing is applied.
 */
final class Proppatch {
  private final DavRequest r;

  Proppatch(DavRequest r) { this.r = r; }

  void run() {
    XmlBody.read(r.ctx).compose(body -> {
      XmlElement root;
      try {
        root = SafeXml.parse(body);
      } catch (SafeXml.Malformed e) {
        throw HttpFailure.badRequest(e.getMessage());
      }
      if (!root.isDav("propertyupdate")) throw HttpFailure.badRequest("The body must be a DAV:propertyupdate");
      // The last instruction for a name wins; document order kept for the answer.
      Map<PropName, DeadProperty> changes = new LinkedHashMap<>();
      Map<PropName, Boolean> removal = new LinkedHashMap<>();
      for (XmlElement op : root.elements()) {
        boolean set = op.isDav("set");
        if (!set && !op.isDav("remove")) continue;
        XmlElement prop = op.child("prop");
        if (prop == null) throw HttpFailure.badRequest("set and remove need a DAV:prop");
        for (XmlElement p : prop.elements()) {
          PropName n = new PropName(p.ns, p.name);
          changes.put(n, new DeadProperty(p.ns, p.name, set ? p.innerXml() : ""));
          removal.put(n, !set);
        }
      }
      return r.checkIf().compose(v -> r.stat(r.path)).compose(self -> {
        if (self == null) {
          r.fail(404, "not_found", "Nothing at this path");
          return Future.succeededFuture();
        }
        List<PropName> protectedOnes = new ArrayList<>();
        for (PropName n : changes.keySet()) if (LiveProps.isLive(n.ns(), n.name())) protectedOnes.add(n);
        if (!protectedOnes.isEmpty()) {
          answer(changes.keySet(), protectedOnes);
          return Future.succeededFuture();
        }
        List<DeadProperty> set = new ArrayList<>();
        List<DeadProperty> remove = new ArrayList<>();
        changes.forEach((n, d) -> (removal.get(n) ? remove : set).add(d));
        return r.storage().patchProperties(r.user, r.path, set, remove, r.prio)
            .onSuccess(x -> answer(changes.keySet(), List.of()));
      });
    }).onFailure(r::fail);
  }

  private void answer(Iterable<PropName> names, List<PropName> refused) {
    StringBuilder sb = new StringBuilder(DavXml.HEAD).append("<D:multistatus xmlns:D=\"DAV:\"><D:response><D:href>");
    DavXml.escape(sb, DavPath.href(r.path, false));
    sb.append("</D:href>");
    for (PropName n : names) {
      sb.append("<D:propstat><D:prop>");
      n.writeEmpty(sb);
      String status = refused.isEmpty() ? "200 OK" : refused.contains(n) ? "403 Forbidden" : "424 Failed Dependency";
      sb.append("</D:prop><D:status>HTTP/1.1 ").append(status).append("</D:status></D:propstat>");
    }
    sb.append("</D:response></D:multistatus>\n");
    r.ctx.response().setStatusCode(207).putHeader("Content-Type", Dav.XML).end(sb.toString());
  }
}
