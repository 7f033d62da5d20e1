package dev.stripeinbox.server;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Realistic, distinct webhook events for crash tests: each has a unique {@code evt_} id and a
 * {@code description} of random text (ASCII, multi-byte UTF-8, surrogate pairs and JSON escapes)
 * sized so the whole body lands between the requested bounds, so byte-for-byte checks mean
 * something.
 *
 * <p>The types all fall through the quickstart handler's {@code default} branch, so processing
 * never fails on the made-up data objects.
 *
 * <p>Thread-safe: {@link #next()} may be called from any number of threads.
 */
final class DistinctEvents {
  /** One event: its id and the exact bytes to send. */
  record Event(String id, byte[] body) {}

  private static final String[] TYPES = {
    "customer.updated", "invoice.paid", "charge.succeeded", "checkout.session.completed"
  };

  /** Pieces of the random text; each is a complete JSON string fragment. */
  private static final String[] PIECES = {
    "a", "b", "c", "x", "y", "z", "0", "7", " ", "-", "é", "€", "日本", "😀", "\\n", "\\\"", "\\\\",
    "\\u00e9", "\\t", "ß"
  };

  private final String prefix;
  private final int minBytes;
  private final int maxBytes;
  private final long seed;
  private final AtomicLong sequence = new AtomicLong();

  /**
   * @param prefix makes ids unique across tests, for example {@code "kill9"}
   * @param minBytes the smallest body; at least 500
   * @param maxBytes the largest body
   */
  DistinctEvents(String prefix, int minBytes, int maxBytes, long seed) {
    if (minBytes < 500 || maxBytes < minBytes) {
      throw new IllegalArgumentException("sizes must satisfy 500 <= min <= max");
    }
    this.prefix = prefix;
    this.minBytes = minBytes;
    this.maxBytes = maxBytes;
    this.seed = seed;
  }

  /** The next event; never returns the same id twice. */
  Event next() {
    long n = sequence.getAndIncrement();
    Random random = new Random(seed * 1_000_003L + n);
    String id = String.format("evt_%s_%08d_%06x", prefix, n, random.nextInt(1 << 24));
    int target = minBytes + random.nextInt(maxBytes - minBytes + 1);
    String type = TYPES[(int) (n % TYPES.length)];
    String head =
        "{\n  \"id\": \""
            + id
            + "\",\n  \"object\": \"event\",\n  \"api_version\": \"2024-06-20\",\n"
            + "  \"created\": "
            + (System.currentTimeMillis() / 1000)
            + ",\n  \"data\": {\n    \"object\": {\n      \"id\": \"cus_"
            + Long.toString(n, 36)
            + "\",\n      \"object\": \"customer\",\n      \"balance\": "
            + random.nextInt(100_000)
            + ",\n      \"currency\": \"usd\",\n      \"email\": \"jenny.rosen+"
            + n
            + "@example.com\",\n      \"metadata\": {\n        \"order_id\": \""
            + random.nextInt(1_000_000)
            + "\"\n      },\n      \"description\": \"";
    String tail =
        "\"\n    }\n  },\n  \"livemode\": false,\n  \"pending_webhooks\": 1,\n"
            + "  \"request\": {\n    \"id\": \"req_"
            + Integer.toString(random.nextInt(Integer.MAX_VALUE), 36)
            + "\",\n    \"idempotency_key\": null\n  },\n  \"type\": \""
            + type
            + "\"\n}\n";
    StringBuilder text = new StringBuilder();
    int bytes = head.getBytes(UTF_8).length + tail.getBytes(UTF_8).length;
    while (true) {
      String piece = PIECES[random.nextInt(PIECES.length)];
      int size = piece.getBytes(UTF_8).length;
      if (bytes + size > target) {
        break;
      }
      text.append(piece);
      bytes += size;
    }
    while (bytes < target) {
      text.append('.');
      bytes++;
    }
    return new Event(id, (head + text + tail).getBytes(UTF_8));
  }

  /** The next {@code count} events, in order. */
  List<Event> take(int count) {
    List<Event> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(next());
    }
    return out;
  }
}
