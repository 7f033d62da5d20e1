package dev.stripeinbox.server.load;

import dev.stripeinbox.testkit.EventTemplates;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The event types of a load run and their weights: {@code payment_intent.succeeded:3,invoice.paid}
 * sends three payment intents for every invoice, in a fixed interleaved order (weighted round
 * robin), so two runs with the same mix send the same sequence of types.
 *
 * <p>Immutable and thread-safe.
 */
public final class EventMix {
  /** A mix of common, medium-sized events, used when {@code --types} is not given. */
  public static final String DEFAULT =
      "payment_intent.succeeded,charge.succeeded,invoice.paid,customer.subscription.updated,"
          + "checkout.session.completed";

  private final List<String> types;
  private final int[] schedule;

  private EventMix(List<String> types, int[] schedule) {
    this.types = List.copyOf(types);
    this.schedule = schedule;
  }

  /**
   * Parses {@code type[:weight],...}. Weights are whole numbers from 1 to 1000 (default 1).
   *
   * @throws IllegalArgumentException naming the first bad item, or an unknown type with the nearest
   *     names
   */
  public static EventMix parse(String spec) {
    Map<String, Integer> weights = new LinkedHashMap<>();
    for (String raw : spec.split(",", -1)) {
      String item = raw.strip();
      if (item.isEmpty()) {
        throw new IllegalArgumentException("an empty type in \"" + spec + "\"");
      }
      String type = item;
      int weight = 1;
      int colon = item.lastIndexOf(':');
      if (colon >= 0) {
        type = item.substring(0, colon).strip();
        String w = item.substring(colon + 1).strip();
        try {
          weight = Integer.parseInt(w);
        } catch (NumberFormatException e) {
          weight = -1;
        }
        if (weight < 1 || weight > 1000) {
          throw new IllegalArgumentException(
              "\"" + w + "\" is not a weight from 1 to 1000 (in \"" + item + "\")");
        }
      }
      EventTemplates.eventType(type); // throws UnknownEventTypeException with the nearest names
      weights.merge(type, weight, Integer::sum);
    }
    return of(weights);
  }

  static EventMix of(Map<String, Integer> weights) {
    List<String> types = new ArrayList<>(weights.keySet());
    int total = 0;
    for (int w : weights.values()) {
      total += w;
    }
    // Smooth weighted round robin: each type appears spread out, not in runs.
    int[] schedule = new int[total];
    int[] current = new int[types.size()];
    for (int slot = 0; slot < total; slot++) {
      int best = 0;
      for (int t = 0; t < types.size(); t++) {
        current[t] += weights.get(types.get(t));
        if (current[t] > current[best]) {
          best = t;
        }
      }
      current[best] -= total;
      schedule[slot] = best;
    }
    return new EventMix(types, schedule);
  }

  /** The distinct types, in the order given. */
  public List<String> types() {
    return types;
  }

  /** The index into {@link #types()} of the {@code n}-th delivery. */
  int typeAt(long n) {
    return schedule[(int) (n % schedule.length)];
  }

  @Override
  public String toString() {
    Map<String, Integer> weights = new LinkedHashMap<>();
    for (int t : schedule) {
      weights.merge(types.get(t), 1, Integer::sum);
    }
    StringBuilder out = new StringBuilder();
    weights.forEach(
        (type, w) -> {
          if (out.length() > 0) {
            out.append(',');
          }
          out.append(type);
          if (w != 1) {
            out.append(':').append(w);
          }
        });
    return out.toString();
  }
}
