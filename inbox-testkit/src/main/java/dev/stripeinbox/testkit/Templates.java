package dev.stripeinbox.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The resource templates under {@code dev/stripeinbox/testkit/templates/}, one realistic test-mode
 * object per API resource (written by {@code scripts/generate-templates.py} from Stripe's OpenAPI
 * fixtures). Templates are parsed once and copied for every build. Thread-safe.
 */
final class Templates {
  /**
   * Every timestamp in a template is written relative to this instant (2026-01-01T00:00:00Z), and
   * every integer within five years of it is treated as a timestamp and moved by {@code now -
   * ANCHOR}. Template amounts stay far below that range.
   */
  static final long ANCHOR = 1_767_225_600L;

  private static final long FIVE_YEARS = 5 * 365 * 86_400L;
  private static final Map<String, Map<String, Object>> CACHE = new ConcurrentHashMap<>();

  private Templates() {}

  /** A fresh copy of the {@code resource} template with its timestamps moved to {@code now}. */
  static Map<String, Object> instantiate(String resource, long now) {
    Map<String, Object> object = Json.copy(CACHE.computeIfAbsent(resource, Templates::load));
    shift(object, now - ANCHOR);
    return object;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> load(String resource) {
    String name = "templates/" + resource + ".json";
    try (InputStream in = Templates.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing template resource " + name);
      }
      return (Map<String, Object>) Json.parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static void shift(Object tree, long by) {
    if (tree instanceof Map) {
      for (Map.Entry<String, Object> e : ((Map<String, Object>) tree).entrySet()) {
        if (isTimestamp(e.getValue())) {
          e.setValue((Long) e.getValue() + by);
        } else {
          shift(e.getValue(), by);
        }
      }
    } else if (tree instanceof List) {
      List<Object> list = (List<Object>) tree;
      for (int i = 0; i < list.size(); i++) {
        if (isTimestamp(list.get(i))) {
          list.set(i, (Long) list.get(i) + by);
        } else {
          shift(list.get(i), by);
        }
      }
    }
  }

  private static boolean isTimestamp(Object value) {
    return value instanceof Long && Math.abs((Long) value - ANCHOR) < FIVE_YEARS;
  }
}
