package dropbox.dav;

/** A property's name: namespace URI ("" for none) and local name. */
record PropName(String ns, String name) {
  boolean isDav() { return Dav.NS.equals(ns); }

  /** The empty element naming this property, with its namespace declared on it. */
  void writeEmpty(StringBuilder sb) {
    if (isDav()) {
      sb.append("<D:").append(name).append("/>");
    } else if (ns.isEmpty()) {
      sb.append('<').append(name).append(" xmlns=\"\"/>");
    } else {
      sb.append("<R:").append(name).append(" xmlns:R=\"");
      DavXml.escape(sb, ns);
      sb.append("\"/>");
    }
  }

  /** The element with a value (an XML fragment whose elements declare their own namespaces). */
  void writeValue(StringBuilder sb, String valueXml) {
    if (isDav()) {
      sb.append("<D:").append(name).append('>').append(valueXml).append("</D:").append(name).append('>');
    } else if (ns.isEmpty()) {
      sb.append('<').append(name).append(" xmlns=\"\">").append(valueXml).append("</").append(name).append('>');
    } else {
      sb.append("<R:").append(name).append(" xmlns:R=\"");
      DavXml.escape(sb, ns);
      sb.append("\">").append(valueXml).append("</R:").append(name).append('>');
    }
  }
}
