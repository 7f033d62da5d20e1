package dev.stripeinbox.inbox;

import dev.stripeinbox.event.Envelope;
import java.time.Instant;
import java.util.Objects;

/**
 * A job a worker has claimed and holds a lease on, with everything needed to run it.
 *
 * @param jobId the job's id in the store
 * @param subscriber the subscriber's stable name
 * @param attempt this attempt's number, starting at 1
 * @param envelope the event's top-level fields
 * @param payload the exact stored bytes
 * @param receivedAt when the event was received
 * @param queuedAt when the job was last queued as new: when the event was received, or when it was
 *     last replayed; this bounds the job's retries by age, so that a replay starts them over
 */
public record ClaimedJob(
    long jobId,
    String subscriber,
    int attempt,
    Envelope envelope,
    byte[] payload,
    Instant receivedAt,
    Instant queuedAt) {
  public ClaimedJob {
    Objects.requireNonNull(subscriber, "subscriber");
    Objects.requireNonNull(envelope, "envelope");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(receivedAt, "receivedAt");
    Objects.requireNonNull(queuedAt, "queuedAt");
  }
}
