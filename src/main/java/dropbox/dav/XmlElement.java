package dropbox.dav;

import java.util.ArrayList;
import java.util.List;

/**
 * One element of a parsed WebDAV request body: namespace URI ("" for none), local name, attributes and
 * children (XmlElement or String text), in document order. Bodies are at most 1 MiB (XmlBody), so the
 * tree is bounded.
 */
final class XmlElement {
  record Attr(String ns, String name, String value) {}

  final String ns;
  final String name;
  final List<Attr> attrs = new ArrayList<>();
  final List<Object> children = new ArrayList<>();

  XmlElement(String ns, String name) {
    this.ns = ns == null ? "" : ns;
    this.name = name;
  }

  boolean is(String namespace, String local) { return ns.equals(namespace) && name.equals(local); }

  boolean isDav(String local) { return is(Dav.NS, local); }

  List<XmlElement> elements() {
    List<XmlElement> out = new ArrayList<>();
    for (Object o : children) if (o instanceof XmlElement e) out.add(e);
    return out;
  }

  XmlElement child(String local) {
    for (XmlElement e : elements()) if (e.isDav(local)) return e;
    return null;
  }

  String text() {
    StringBuilder sb = new StringBuilder();
    for (Object o : children) if (o instanceof String s) sb.append(s);
    return sb.toString();
  }

  /**
   * The children as a self-contained XML fragment: every element declares its own namespace (a default
   * namespace, xmlns="" for none) and each namespaced attribute its prefix, so the fragment means the same
   * wherever it is pasted back (a dead property's value, a lock's owner).
   */
  String innerXml() {
    StringBuilder sb = new StringBuilder();
    for (Object o : children) {
      if (o instanceof String s) DavXml.escape(sb, s);
      else ((XmlElement) o).write(sb);
    }
    return sb.toString();
  }

  void write(StringBuilder sb) {
    sb.append('<').append(name).append(" xmlns=\"");
    DavXml.escape(sb, ns);
    sb.append('"');
    int n = 0;
    for (Attr a : attrs) {
      if (a.ns.isEmpty()) {
        sb.append(' ').append(a.name).append("=\"");
      } else if (a.ns.equals("http://www.w3.org/XML/1998/namespace")) {
        sb.append(" xml:").append(a.name).append("=\"");
      } else {
        String p = "a" + n++;
        sb.append(" xmlns:").append(p).append("=\"");
        DavXml.escape(sb, a.ns);
        sb.append("\" ").append(p).append(':').append(a.name).append("=\"");
      }
      DavXml.escape(sb, a.value);
      sb.append('"');
    }
    sb.append('>');
    sb.append(innerXml());
    sb.append("</").append(name).append('>');
  }
}
