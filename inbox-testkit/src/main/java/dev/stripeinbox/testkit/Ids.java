package dev.stripeinbox.testkit;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fresh Stripe-style ids for one build. Every id-shaped token in a template ({@code pi_3Mtw...},
 * also inside URLs and client secrets) is swapped for a random one with the same prefix and length,
 * and the same old id always maps to the same new one within a build, so cross-references inside
 * the object stay consistent. Not thread-safe: one instance per build.
 */
final class Ids {
  private static final String ALPHANUMERIC =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

  /**
   * A lower-case prefix ({@code pi}, {@code sub_sched}, {@code cs_test}) and a random-looking body
   * of at least 10 characters with a digit and an upper-case letter. The body rule keeps words such
   * as {@code card_payments} and catalogue codes such as {@code txcd_99999999} untouched.
   */
  private static final Pattern ID =
      Pattern.compile(
          "(?<![A-Za-z0-9])([a-z]+(?:_[a-z]+)*)_(?=[A-Za-z0-9]*[0-9])(?=[A-Za-z0-9]*[A-Z])"
              + "([A-Za-z0-9]{10,})(?![A-Za-z0-9])");

  private final Map<String, String> renamed = new HashMap<>();

  static String random(int length) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    StringBuilder out = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      out.append(ALPHANUMERIC.charAt(random.nextInt(ALPHANUMERIC.length())));
    }
    return out.toString();
  }

  /** A new id such as {@code evt_} plus 24 random characters. */
  static String next(String prefix) {
    return prefix + "_" + random(24);
  }

  /** Makes this build replace {@code old} with {@code fresh} (a chosen Connect account id). */
  void pin(String old, String fresh) {
    renamed.put(old, fresh);
  }

  /** Replaces, in place, every id-shaped token in the strings of {@code tree}. */
  @SuppressWarnings("unchecked")
  void refresh(Object tree) {
    if (tree instanceof Map) {
      for (Map.Entry<String, Object> e : ((Map<String, Object>) tree).entrySet()) {
        if (e.getValue() instanceof String) {
          e.setValue(rename((String) e.getValue()));
        } else {
          refresh(e.getValue());
        }
      }
    } else if (tree instanceof List) {
      List<Object> list = (List<Object>) tree;
      for (int i = 0; i < list.size(); i++) {
        if (list.get(i) instanceof String) {
          list.set(i, rename((String) list.get(i)));
        } else {
          refresh(list.get(i));
        }
      }
    }
  }

  /** The new id that replaced {@code old} in this build, creating one if it has not been seen. */
  String rename(String text) {
    Matcher m = ID.matcher(text);
    if (!m.find()) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    do {
      String id = m.group();
      String fresh =
          renamed.computeIfAbsent(id, old -> m.group(1) + "_" + random(m.group(2).length()));
      m.appendReplacement(out, Matcher.quoteReplacement(fresh));
    } while (m.find());
    m.appendTail(out);
    return out.toString();
  }
}
