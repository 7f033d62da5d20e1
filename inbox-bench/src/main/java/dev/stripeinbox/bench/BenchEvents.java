package dev.stripeinbox.bench;

import dev.stripeinbox.testkit.EventTemplates;
import dev.stripeinbox.testkit.TriggerOptions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Realistic events of about a given size: a {@code trigger} template small enough, grown with
 * {@code data.object.metadata} entries (many short fields, as real metadata and line items are,
 * rather than one long string that any parser skips quickly).
 */
final class BenchEvents {
  private BenchEvents() {}

  /** An event of {@code size} bytes or a few more. */
  static byte[] ofSize(int size) {
    String type =
        size < 1900
            ? "account.application.authorized"
            : size < 5000 ? "payment_intent.succeeded" : "invoice.paid";
    TriggerOptions options = TriggerOptions.at(Instant.now());
    byte[] body = EventTemplates.build(type, options);
    List<String> metadata = new ArrayList<>();
    int step = 256;
    while (body.length < size) {
      // Grow in steps, then one entry at a time near the end.
      int missing = size - body.length;
      int add = Math.max(1, Math.min(step, missing / 48));
      for (int i = 0; i < add; i++) {
        metadata.add(
            String.format(
                "data.object.metadata.field_%05d=value %05d of the bench", metadata.size(), i));
      }
      body = EventTemplates.build(type, options.withOverrides(metadata));
    }
    return body;
  }
}
