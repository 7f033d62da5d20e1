package dev.stripeinbox.inbox;

import dev.stripeinbox.event.Envelope;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A verified delivery on its way into the inbox, with the subscribers that get a job for it.
 *
 * @param envelope the event's top-level fields
 * @param payload the exact bytes Stripe sent; stored as they are
 * @param endpoint the name of the endpoint that received it
 * @param receivedAt when the request arrived
 * @param subscribers the names of the subscribers whose patterns match the type
 */
public record NewEvent(
    Envelope envelope,
    byte[] payload,
    String endpoint,
    Instant receivedAt,
    List<String> subscribers) {
  public NewEvent {
    Objects.requireNonNull(envelope, "envelope");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(receivedAt, "receivedAt");
    subscribers = List.copyOf(subscribers);
  }
}
