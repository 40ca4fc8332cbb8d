package dropbox.dav;

import java.io.ByteArrayInputStream;
import java.util.ArrayDeque;
import java.util.Deque;
import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Parses a request body with the JDK's streaming (StAX) parser and nothing that reaches outside the
 * document: DTDs are not supported, external entities are off, and a body that carries a DOCTYPE at all
 * is refused, so neither XXE (file:// or http:// entities) nor entity-expansion bombs can do anything.
 */
final class SafeXml {
  /** Deeper than any WebDAV body needs; a deeper one is refused rather than walked. */
  static final int MAX_DEPTH = 100;

  private static final XMLInputFactory FACTORY = factory();

  /** A body that is not acceptable XML: the request is a 400. */
  static final class Malformed extends Exception {
    Malformed(String message) { super(message, null, false, false); }
  }

  private SafeXml() {}

  private static XMLInputFactory factory() {
    XMLInputFactory f = XMLInputFactory.newFactory();
    f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    f.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
    f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
    f.setProperty(XMLInputFactory.IS_COALESCING, true);
    try {
      f.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      f.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
    } catch (IllegalArgumentException notSupported) {
      // another StAX implementation: SUPPORT_DTD=false already keeps it from fetching anything
    }
    return f;
  }

  /** The document element, or Malformed for anything not well-formed, a DOCTYPE or an entity reference. */
  static XmlElement parse(byte[] body) throws Malformed {
    XMLStreamReader r = null;
    try {
      r = FACTORY.createXMLStreamReader(new ByteArrayInputStream(body));
      Deque<XmlElement> open = new ArrayDeque<>();
      XmlElement root = null;
      while (r.hasNext()) {
        int ev = r.next();
        switch (ev) {
          case XMLStreamConstants.DTD -> throw new Malformed("DOCTYPE declarations are not accepted");
          case XMLStreamConstants.ENTITY_REFERENCE -> throw new Malformed("Entity references are not accepted");
          case XMLStreamConstants.START_ELEMENT -> {
            if (open.size() >= MAX_DEPTH) throw new Malformed("The XML body is nested too deeply");
            XmlElement e = new XmlElement(r.getNamespaceURI(), r.getLocalName());
            for (int i = 0; i < r.getAttributeCount(); i++) {
              e.attrs.add(new XmlElement.Attr(r.getAttributeNamespace(i) == null ? "" : r.getAttributeNamespace(i),
                  r.getAttributeLocalName(i), r.getAttributeValue(i)));
            }
            if (open.isEmpty()) {
              if (root != null) throw new Malformed("More than one document element");
              root = e;
            } else {
              open.peek().children.add(e);
            }
            open.push(e);
          }
          case XMLStreamConstants.END_ELEMENT -> open.pop();
          case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
            if (!open.isEmpty()) open.peek().children.add(r.getText());
          }
          default -> { }
        }
      }
      if (root == null) throw new Malformed("The body has no XML element");
      return root;
    } catch (XMLStreamException | RuntimeException e) {
      throw new Malformed("The body is not well-formed XML");
    } finally {
      if (r != null) {
        try {
          r.close();
        } catch (XMLStreamException ignored) {
          // nothing held beyond the byte array
        }
      }
    }
  }
}
