package dropbox.dav;

import dropbox.bus.FolderEntry;
import dropbox.bus.PathLock;
import dropbox.bus.Usage;
import java.util.List;
import java.util.Set;

/**
 * The live properties (RFC 4918 15, RFC 4331), computed from the tree entry, the user's usage and locks.
 * They are protected: PROPPATCH cannot set or remove them.
 */
final class LiveProps {
  /** What allprop and propname show (RFC 4331's quota properties only when asked for by name). */
  static final List<String> ALL = List.of("resourcetype", "getcontentlength", "getetag", "getlastmodified",
      "creationdate", "displayname", "getcontenttype", "supportedlock", "lockdiscovery");
  static final Set<String> QUOTA = Set.of("quota-used-bytes", "quota-available-bytes");

  private LiveProps() {}

  static boolean isLive(String ns, String name) {
    return Dav.NS.equals(ns) && (ALL.contains(name) || QUOTA.contains(name));
  }

  /** Writes the property's element; false when this resource has no such property (a folder's length). */
  static boolean write(StringBuilder sb, String name, String path, FolderEntry e, Usage usage, List<PathLock> locks) {
    boolean folder = e.folder();
    switch (name) {
      case "resourcetype" -> sb.append(folder ? "<D:resourcetype><D:collection/></D:resourcetype>" : "<D:resourcetype/>");
      case "getcontentlength" -> {
        if (folder) return false;
        sb.append("<D:getcontentlength>").append(e.info().size()).append("</D:getcontentlength>");
      }
      case "getetag" -> sb.append("<D:getetag>").append(DavXml.escape(DavRequest.etag(e))).append("</D:getetag>");
      case "getlastmodified" -> sb.append("<D:getlastmodified>").append(DavXml.httpDate(e.info().modified()))
          .append("</D:getlastmodified>");
      case "creationdate" -> sb.append("<D:creationdate>").append(DavXml.isoDate(e.info().created()))
          .append("</D:creationdate>");
      case "displayname" -> {
        String shown = path.isEmpty() ? "" : DavPath.name(path);
        // A valid name may hold U+FFFE or U+FFFF, which no XML can carry: the property is then absent (404
        // in its propstat) and clients name the entry by its href, which is percent-encoded.
        if (!DavXml.representable(shown)) return false;
        sb.append("<D:displayname>");
        DavXml.escape(sb, shown);
        sb.append("</D:displayname>");
      }
      case "getcontenttype" -> {
        if (folder) return false;
        sb.append("<D:getcontenttype>application/octet-stream</D:getcontenttype>");
      }
      case "supportedlock" -> sb.append("<D:supportedlock>")
          .append("<D:lockentry><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>")
          .append("<D:lockentry><D:lockscope><D:shared/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>")
          .append("</D:supportedlock>");
      case "lockdiscovery" -> {
        sb.append("<D:lockdiscovery>");
        for (PathLock l : locks) if (l.path().equals(path) || l.covers(path)) activeLock(sb, l);
        sb.append("</D:lockdiscovery>");
      }
      case "quota-used-bytes" -> {
        if (usage == null) return false;
        sb.append("<D:quota-used-bytes>").append(usage.usedBytes()).append("</D:quota-used-bytes>");
      }
      case "quota-available-bytes" -> {
        if (usage == null) return false;
        sb.append("<D:quota-available-bytes>").append(Math.max(0, usage.quotaBytes() - usage.usedBytes()))
            .append("</D:quota-available-bytes>");
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  /** One lock as lockdiscovery and the LOCK answer show it. */
  static void activeLock(StringBuilder sb, PathLock l) {
    sb.append("<D:activelock><D:locktype><D:write/></D:locktype><D:lockscope>")
        .append(l.exclusive() ? "<D:exclusive/>" : "<D:shared/>").append("</D:lockscope><D:depth>")
        .append(l.infinite() ? "infinity" : "0").append("</D:depth>");
    if (l.owner() != null && !l.owner().isEmpty()) sb.append("<D:owner>").append(l.owner()).append("</D:owner>");
    long left = Math.max(0, (l.expires() - System.currentTimeMillis() + 999) / 1000);
    sb.append("<D:timeout>Second-").append(left).append("</D:timeout><D:locktoken><D:href>");
    DavXml.escape(sb, l.token());
    sb.append("</D:href></D:locktoken><D:lockroot><D:href>");
    DavXml.escape(sb, DavPath.href(l.path(), false));
    sb.append("</D:href></D:lockroot></D:activelock>");
  }
}
