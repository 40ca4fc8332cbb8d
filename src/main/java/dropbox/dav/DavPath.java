package dropbox.dav;

import dropbox.bus.TreePath;
import dropbox.http.FilePath;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;

/**
 * The tree path a /dav/ URL names, and back. Each segment is decoded strictly with REST's rules
 * (http.FilePath: bad escapes, bad UTF-8 and invalid names refused), so "." and ".." can never walk out.
 * A trailing slash is accepted on any path: Windows names collections without one, others with one.
 */
final class DavPath {
  private DavPath() {}

  /** "" for the root, the tree path otherwise; null when the raw path is not a valid one under /dav. */
  static String fromRaw(String rawPath) {
    if (rawPath == null || !(rawPath.equals(Dav.PREFIX) || rawPath.startsWith(Dav.PREFIX + "/"))) return null;
    String rest = rawPath.substring(Dav.PREFIX.length());
    if (rest.startsWith("/")) rest = rest.substring(1);
    if (rest.endsWith("/")) rest = rest.substring(0, rest.length() - 1);
    if (rest.isEmpty()) return "";
    List<String> names = new ArrayList<>();
    for (String seg : rest.split("/", -1)) {
      String name = FilePath.decodeName(seg);
      if (name == null) return null;
      names.add(name);
    }
    String path = String.join("/", names);
    return TreePath.isValid(path) ? path : null;
  }

  /** The tree path of a Destination header (an absolute URI or an absolute path); null when not ours. */
  static String fromDestination(String header) {
    if (header == null) return null;
    try {
      URI u = new URI(header.trim());
      return fromRaw(u.getRawPath());
    } catch (URISyntaxException e) {
      return null;
    }
  }

  /**
   * Whether a Destination that {@link #fromDestination} refused names a place under /dav at all: then it
   * is a bad path (400), otherwise a place outside this server's namespace (502, RFC 4918 9.8.5).
   */
  static boolean namesOurNamespace(String header) {
    if (header == null) return false;
    try {
      String raw = new URI(header.trim()).getRawPath();
      return raw != null && (raw.equals(Dav.PREFIX) || raw.startsWith(Dav.PREFIX + "/"));
    } catch (URISyntaxException e) {
      return true; // not a URI at all: the client's error, whatever it meant to name
    }
  }

  /** The href of a path: every segment percent-encoded, a folder with its trailing slash. */
  static String href(String path, boolean folder) {
    if (path.isEmpty()) return Dav.PREFIX + "/";
    StringBuilder sb = new StringBuilder(Dav.PREFIX);
    for (String seg : path.split("/")) sb.append('/').append(FilePath.encodeSegment(seg));
    if (folder) sb.append('/');
    return sb.toString();
  }

  static String parent(String path) {
    int i = path.lastIndexOf('/');
    return i < 0 ? "" : path.substring(0, i);
  }

  static String name(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  /** The path of a child of folder. */
  static String child(String folder, String name) { return folder.isEmpty() ? name : folder + "/" + name; }

  /** macOS Finder's metadata files (AppleDouble "._x" and ".DS_Store"), which dav.refuseMacMetadata refuses. */
  static boolean isMacMetadata(String path) {
    String n = path.isEmpty() ? "" : name(path);
    return n.startsWith("._") || n.equals(".DS_Store");
  }
}
