package dev.stripeinbox.inbox;

import java.time.Instant;
import java.util.Optional;

/**
 * A filter over stored events, newest first.
 *
 * @param status only events with this derived status, if present
 * @param type only events of this exact type, or of this prefix when it ends in {@code .*}
 * @param since only events received at or after this instant, if present
 * @param before only events received strictly before this instant (paging), if present
 * @param limit the most events to return; positive
 */
public record EventQuery(
    Optional<EventStatus> status,
    Optional<String> type,
    Optional<Instant> since,
    Optional<Instant> before,
    int limit) {
  public EventQuery {
    if (limit <= 0) {
      throw new IllegalArgumentException("limit must be positive, was " + limit);
    }
  }

  /** Every event, newest first, up to {@code limit}. */
  public static EventQuery latest(int limit) {
    return new EventQuery(
        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), limit);
  }

  public EventQuery withStatus(EventStatus value) {
    return new EventQuery(Optional.of(value), type, since, before, limit);
  }

  public EventQuery withType(String value) {
    return new EventQuery(status, Optional.of(value), since, before, limit);
  }

  public EventQuery withSince(Instant value) {
    return new EventQuery(status, type, Optional.of(value), before, limit);
  }

  public EventQuery withBefore(Instant value) {
    return new EventQuery(status, type, since, Optional.of(value), limit);
  }
}
