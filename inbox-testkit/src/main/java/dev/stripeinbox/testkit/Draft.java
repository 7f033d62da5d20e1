package dev.stripeinbox.testkit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code data.object} of one event while its type's tweaks are applied: a fresh copy of the
 * resource template, the event time, and the {@code previous_attributes} that {@link #change}
 * records. Not thread-safe: one instance per build.
 */
final class Draft {
  private static final long DAY = 86_400;

  private final Map<String, Object> object;
  private final Map<String, Object> previous = new LinkedHashMap<>();
  private final long now;

  Draft(Map<String, Object> object, long now) {
    this.object = object;
    this.now = now;
  }

  Map<String, Object> object() {
    return object;
  }

  Map<String, Object> previous() {
    return previous;
  }

  /** The event time in Unix seconds. */
  long now() {
    return now;
  }

  /** The event time plus {@code days} (negative for the past), in Unix seconds. */
  long days(int days) {
    return now + days * DAY;
  }

  Object get(String path) {
    return JsonPath.get(object, path);
  }

  long getLong(String path) {
    Object value = get(path);
    if (!(value instanceof Long)) {
      throw new IllegalStateException(path + " is not an integer in the template: " + value);
    }
    return (Long) value;
  }

  Draft set(String path, Object value) {
    JsonPath.set(object, path, value);
    return this;
  }

  /** Sets {@code path} and records its old value under the same path in previous_attributes. */
  Draft change(String path, Object value) {
    JsonPath.set(previous, path, Json.copy(get(path)));
    return set(path, value);
  }

  Draft copy(String from, String to) {
    return set(to, Json.copy(get(from)));
  }

  /** A fresh id with {@code prefix}, such as {@code ch_} plus 24 random characters. */
  String id(String prefix) {
    return Ids.next(prefix);
  }

  /** A JSON object from alternating field names and values, in that order. */
  static Map<String, Object> obj(Object... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("names and values must come in pairs");
    }
    Map<String, Object> object = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      object.put((String) namesAndValues[i], namesAndValues[i + 1]);
    }
    return object;
  }

  static List<Object> list(Object... values) {
    return new ArrayList<>(Arrays.asList(values));
  }
}
