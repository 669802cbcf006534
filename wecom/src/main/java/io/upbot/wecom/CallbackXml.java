package io.upbot.wecom;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * Reads WeCom's flat callback XML ({@code <xml><Field>value</Field>…</xml>}) into field → text, and
 * {@code MemChangeList}'s {@code Item}s into a list. DOCTYPEs and external entities are refused:
 * the body comes from the network.
 */
final class CallbackXml {

  /** A body that is not such XML; the message says what is wrong, for the 400 answer. */
  static final class XmlException extends Exception {
    private static final long serialVersionUID = 1L;

    XmlException(String message) {
      super(message);
    }
  }

  private final Map<String, String> fields;
  private final List<String> items;

  private CallbackXml(Map<String, String> fields, List<String> items) {
    this.fields = fields;
    this.items = items;
  }

  static CallbackXml parse(byte[] xml) throws XmlException {
    Element root;
    try {
      root = builder().parse(new ByteArrayInputStream(xml)).getDocumentElement();
    } catch (SAXException | IOException e) {
      throw new XmlException("not XML");
    }
    if (!"xml".equals(root.getTagName())) {
      throw new XmlException("the root element is not <xml>");
    }
    Map<String, String> fields = new LinkedHashMap<>();
    List<String> items = new ArrayList<>();
    NodeList children = root.getChildNodes();
    for (int i = 0; i < children.getLength(); i++) {
      Node n = children.item(i);
      if (n instanceof Element e) {
        if ("MemChangeList".equals(e.getTagName())) {
          NodeList list = e.getElementsByTagName("Item");
          for (int j = 0; j < list.getLength(); j++) {
            items.add(list.item(j).getTextContent().trim());
          }
        }
        if (fields.putIfAbsent(e.getTagName(), e.getTextContent().trim()) != null) {
          throw new XmlException(e.getTagName() + " given twice");
        }
      }
    }
    return new CallbackXml(fields, List.copyOf(items));
  }

  private static DocumentBuilder builder() {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setXIncludeAware(false);
      f.setExpandEntityReferences(false);
      DocumentBuilder b = f.newDocumentBuilder();
      // Silence the default error handler, which prints to stderr; the exception says enough.
      b.setErrorHandler(null);
      return b;
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("the JDK's XML parser lacks a standard feature", e);
    }
  }

  /** A field's text, or null when absent or empty. */
  String get(String field) {
    String v = fields.get(field);
    return v == null || v.isEmpty() ? null : v;
  }

  /** The Items of MemChangeList, in order. */
  List<String> items() {
    return items;
  }

  /** A field as a number, or null when absent; a non-number is an error. */
  Long number(String field) throws XmlException {
    String v = get(field);
    if (v == null) {
      return null;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new XmlException(field + " is not a number");
    }
  }
}
