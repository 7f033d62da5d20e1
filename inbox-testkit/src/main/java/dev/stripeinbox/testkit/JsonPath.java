package dev.stripeinbox.testkit;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Dotted paths into a {@link Json} tree, such as {@code data.object.amount} or {@code
 * data.object.items.data.0.price.id}. A numeric segment indexes an array; on an object it is an
 * ordinary field name. Field names that themselves contain a dot cannot be addressed.
 */
final class JsonPath {
  private static final Pattern JSON_NUMBER =
      Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");
  private static final Pattern INDEX = Pattern.compile("0|[1-9][0-9]*");

  private JsonPath() {}

  /**
   * Sets {@code path} to {@code value}, creating missing (or null) intermediate objects.
   *
   * @throws IllegalArgumentException when the path is empty, has an empty segment, runs through a
   *     string, number or boolean, or indexes an array out of range or with a name
   */
  @SuppressWarnings("unchecked")
  static void set(Map<String, Object> root, String path, Object value) {
    String[] segments = split(path);
    Object node = root;
    for (int i = 0; i < segments.length; i++) {
      String segment = segments[i];
      boolean last = i == segments.length - 1;
      if (node instanceof Map) {
        Map<String, Object> object = (Map<String, Object>) node;
        if (last) {
          object.put(segment, value);
          return;
        }
        Object next = object.get(segment);
        if (next == null) {
          next = new LinkedHashMap<String, Object>();
          object.put(segment, next);
        }
        node = next;
      } else if (node instanceof List) {
        List<Object> array = (List<Object>) node;
        int index = index(path, segments, i, array);
        if (last) {
          array.set(index, value);
          return;
        }
        Object next = array.get(index);
        if (next == null) {
          next = new LinkedHashMap<String, Object>();
          array.set(index, next);
        }
        node = next;
      } else {
        throw notAContainer(path, segments, i, node);
      }
    }
  }

  /** The value at {@code path}, or {@code null} when the path or any part of it is absent. */
  @SuppressWarnings("unchecked")
  static Object get(Object root, String path) {
    Object node = root;
    for (String segment : split(path)) {
      if (node instanceof Map) {
        node = ((Map<String, Object>) node).get(segment);
      } else if (node instanceof List && INDEX.matcher(segment).matches()) {
        List<Object> array = (List<Object>) node;
        int index = Integer.parseInt(segment);
        node = index < array.size() ? array.get(index) : null;
      } else {
        return null;
      }
    }
    return node;
  }

  /**
   * Reads the value half of an override the way a shell user means it: a JSON number, {@code true},
   * {@code false} or {@code null} becomes that JSON value, a double-quoted JSON string becomes its
   * content (so {@code "\"500\""} stays the string 500), and anything else is a string as written.
   */
  static Object parseValue(String text) {
    switch (text) {
      case "true":
        return Boolean.TRUE;
      case "false":
        return Boolean.FALSE;
      case "null":
        return null;
      default:
        break;
    }
    if (JSON_NUMBER.matcher(text).matches()) {
      Object number = Json.parse(text);
      return number instanceof BigDecimal ? stripTrailingZeros((BigDecimal) number) : number;
    }
    if (text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"")) {
      try {
        return Json.parse(text);
      } catch (RuntimeException notAJsonString) {
        return text;
      }
    }
    return text;
  }

  private static Object stripTrailingZeros(BigDecimal number) {
    // 1e3 is 1000 to Stripe; keep 12.50 as written since it is already plain.
    return number.scale() < 0 ? number.setScale(0) : number;
  }

  private static String[] split(String path) {
    if (path == null || path.isEmpty()) {
      throw new IllegalArgumentException("override path is empty");
    }
    String[] segments = path.split("\\.", -1);
    for (String segment : segments) {
      if (segment.isEmpty()) {
        throw new IllegalArgumentException(
            "override path \"" + path + "\" has an empty segment (check the dots)");
      }
    }
    return segments;
  }

  private static int index(String path, String[] segments, int i, List<Object> array) {
    String segment = segments[i];
    if (!INDEX.matcher(segment).matches()) {
      throw new IllegalArgumentException(
          "cannot set "
              + path
              + ": "
              + prefix(segments, i)
              + " is an array, so \""
              + segment
              + "\" must be an index from 0 to "
              + (array.size() - 1));
    }
    int index = Integer.parseInt(segment);
    if (index >= array.size()) {
      throw new IllegalArgumentException(
          "cannot set "
              + path
              + ": index "
              + index
              + " is out of range, "
              + prefix(segments, i)
              + " has "
              + array.size()
              + " element"
              + (array.size() == 1 ? "" : "s"));
    }
    return index;
  }

  private static IllegalArgumentException notAContainer(
      String path, String[] segments, int i, Object node) {
    String kind =
        node instanceof String ? "a string" : node instanceof Boolean ? "a boolean" : "a number";
    return new IllegalArgumentException(
        "cannot set " + path + ": " + prefix(segments, i) + " is " + kind + ", not an object");
  }

  private static String prefix(String[] segments, int count) {
    return String.join(".", java.util.Arrays.asList(segments).subList(0, count));
  }
}
