package io.upbot.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small JSON Schema (2020-12 subset) checker for the OpenAPI document's tests, so the team needs
 * no validator dependency. It refuses any keyword it does not implement, so a schema can never pass
 * because a rule was silently skipped.
 */
final class MiniJsonSchema {
  /** Keywords that only annotate: they never make a value invalid. */
  private static final Set<String> ANNOTATIONS =
      Set.of("description", "title", "examples", "default", "format", "summary");

  private final JsonNode document;

  /**
   * @param document the OpenAPI document, against which {@code #/...} references resolve
   */
  MiniJsonSchema(JsonNode document) {
    this.document = document;
  }

  /** Follows a local {@code $ref} (also a chain of them); any other node is returned as is. */
  JsonNode resolve(JsonNode node) {
    JsonNode n = node;
    for (int hops = 0; n != null && n.has("$ref") && n.size() == 1; hops++) {
      if (hops > 10) {
        throw new IllegalArgumentException("$ref loop at " + node);
      }
      n = target(n.get("$ref").textValue());
    }
    return n;
  }

  private JsonNode target(String ref) {
    if (!ref.startsWith("#/")) {
      throw new IllegalArgumentException("Only local references are supported: " + ref);
    }
    JsonNode t = document.at(ref.substring(1));
    if (t.isMissingNode()) {
      throw new IllegalArgumentException("Dangling $ref " + ref);
    }
    return t;
  }

  /** The rules {@code value} breaks, each as {@code path: rule}; empty when it is valid. */
  List<String> errors(JsonNode schema, JsonNode value) {
    List<String> out = new ArrayList<>();
    check(schema, value, "$", out);
    return out;
  }

  private void check(JsonNode schema, JsonNode value, String path, List<String> out) {
    for (Iterator<Map.Entry<String, JsonNode>> it = schema.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> kw = it.next();
      JsonNode arg = kw.getValue();
      switch (kw.getKey()) {
        case "$ref" -> check(target(arg.textValue()), value, path, out);
        case "type" -> {
          boolean any = false;
          for (JsonNode t : arg.isArray() ? arg : List.of(arg)) {
            any |= hasType(value, t.textValue());
          }
          if (!any) {
            out.add(path + ": not of type " + arg);
          }
        }
        case "enum" -> {
          boolean any = false;
          for (JsonNode e : arg) {
            any |= same(e, value);
          }
          if (!any) {
            out.add(path + ": not one of " + arg);
          }
        }
        case "const" -> {
          if (!same(arg, value)) {
            out.add(path + ": not " + arg);
          }
        }
        case "required" -> {
          if (value.isObject()) {
            for (JsonNode name : arg) {
              if (!value.has(name.textValue())) {
                out.add(path + "." + name.textValue() + ": required");
              }
            }
          }
        }
        case "properties" -> {
          if (value.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> p = arg.fields(); p.hasNext(); ) {
              Map.Entry<String, JsonNode> prop = p.next();
              JsonNode v = value.get(prop.getKey());
              if (v != null) {
                check(prop.getValue(), v, path + "." + prop.getKey(), out);
              }
            }
          }
        }
        case "items" -> {
          if (value.isArray()) {
            for (int i = 0; i < value.size(); i++) {
              check(arg, value.get(i), path + "[" + i + "]", out);
            }
          }
        }
        case "minItems" -> {
          if (value.isArray() && value.size() < arg.intValue()) {
            out.add(path + ": fewer than " + arg + " items");
          }
        }
        case "maxItems" -> {
          if (value.isArray() && value.size() > arg.intValue()) {
            out.add(path + ": more than " + arg + " items");
          }
        }
        case "minLength" -> {
          if (value.isTextual() && length(value) < arg.intValue()) {
            out.add(path + ": shorter than " + arg);
          }
        }
        case "maxLength" -> {
          if (value.isTextual() && length(value) > arg.intValue()) {
            out.add(path + ": longer than " + arg);
          }
        }
        case "pattern" -> {
          // JSON Schema patterns match anywhere (unanchored), as find() does.
          if (value.isTextual()
              && !java.util.regex.Pattern.compile(arg.textValue())
                  .matcher(value.textValue())
                  .find()) {
            out.add(path + ": does not match " + arg.textValue());
          }
        }
        case "minimum" -> {
          if (value.isNumber() && value.decimalValue().compareTo(arg.decimalValue()) < 0) {
            out.add(path + ": below " + arg);
          }
        }
        case "maximum" -> {
          if (value.isNumber() && value.decimalValue().compareTo(arg.decimalValue()) > 0) {
            out.add(path + ": above " + arg);
          }
        }
        case "exclusiveMinimum" -> {
          if (value.isNumber() && value.decimalValue().compareTo(arg.decimalValue()) <= 0) {
            out.add(path + ": not above " + arg);
          }
        }
        case "oneOf", "anyOf" -> {
          int matching = 0;
          for (JsonNode sub : arg) {
            List<String> subErrors = new ArrayList<>();
            check(sub, value, path, subErrors);
            matching += subErrors.isEmpty() ? 1 : 0;
          }
          boolean ok = kw.getKey().equals("oneOf") ? matching == 1 : matching >= 1;
          if (!ok) {
            out.add(path + ": matches " + matching + " of the " + kw.getKey() + " alternatives");
          }
        }
        default -> {
          if (!ANNOTATIONS.contains(kw.getKey())) {
            throw new IllegalArgumentException(
                "Keyword not supported by this checker: " + kw.getKey() + " at " + path);
          }
        }
      }
    }
  }

  private static boolean hasType(JsonNode v, String type) {
    return switch (type) {
      case "object" -> v.isObject();
      case "array" -> v.isArray();
      case "string" -> v.isTextual();
      case "boolean" -> v.isBoolean();
      case "null" -> v.isNull();
      case "number" -> v.isNumber();
      // JSON Schema's integer is any number without a fractional part.
      case "integer" ->
          v.isIntegralNumber()
              || (v.isNumber() && v.decimalValue().stripTrailingZeros().scale() <= 0);
      default -> throw new IllegalArgumentException("Unknown type " + type);
    };
  }

  /** JSON equality, numbers by value (Jackson's int and long nodes differ in equals()). */
  private static boolean same(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      BigDecimal x = a.decimalValue();
      return x.compareTo(b.decimalValue()) == 0;
    }
    return a.equals(b);
  }

  private static int length(JsonNode text) {
    String s = text.textValue();
    return s.codePointCount(0, s.length());
  }
}
