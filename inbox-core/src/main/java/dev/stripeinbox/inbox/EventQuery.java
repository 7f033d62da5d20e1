package dev.stripeinbox.inbox;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;

/**
 * A filter over stored events, newest first: by {@code received_at}, then by id, both descending.
 *
 * @param status only events with this derived status, if present
 * @param type only events of this exact type, or of this prefix when it ends in {@code .*}
 * @param since only events received at or after this instant, if present
 * @param before only events received strictly before this instant (paging), if present
 * @param beforeId with {@code before}: also the events received exactly at {@code before} whose id
 *     sorts before this one, so that paging from an event (its {@code received_at} and id) resumes
 *     right after it even inside a millisecond; needs {@code before}
 * @param limit the most events to return; positive
 */
public record EventQuery(
    Optional<EventStatus> status,
    Optional<String> type,
    Optional<Instant> since,
    Optional<Instant> before,
    Optional<String> beforeId,
    int limit) {
  public EventQuery {
    Objects.requireNonNull(beforeId, "beforeId");
    if (limit <= 0) {
      throw new IllegalArgumentException("limit must be positive, was " + limit);
    }
    if (beforeId.isPresent() && before.isEmpty()) {
      throw new IllegalArgumentException("beforeId needs before");
    }
  }

  /** A filter without an id cursor. */
  public EventQuery(
      Optional<EventStatus> status,
      Optional<String> type,
      Optional<Instant> since,
      Optional<Instant> before,
      int limit) {
    this(status, type, since, before, Optional.empty(), limit);
  }

  /**
   * An instant for {@code since} or {@code before} as people type one: ISO-8601 ({@code
   * 2026-11-01T12:00:00Z}) or a date, taken as midnight UTC ({@code 2026-11-01}). Empty when the
   * text is neither, or is past what the stores keep (epoch milliseconds).
   */
  public static Optional<Instant> parseInstant(String text) {
    try {
      Instant instant =
          text.length() == 10
              ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant()
              : Instant.parse(text);
      instant.toEpochMilli(); // throws when it does not fit
      return Optional.of(instant);
    } catch (DateTimeParseException | ArithmeticException e) {
      return Optional.empty();
    }
  }

  /** Every event, newest first, up to {@code limit}. */
  public static EventQuery latest(int limit) {
    return new EventQuery(
        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), limit);
  }

  public EventQuery withStatus(EventStatus value) {
    return new EventQuery(Optional.of(value), type, since, before, beforeId, limit);
  }

  public EventQuery withType(String value) {
    return new EventQuery(status, Optional.of(value), since, before, beforeId, limit);
  }

  public EventQuery withSince(Instant value) {
    return new EventQuery(status, type, Optional.of(value), before, beforeId, limit);
  }

  /** Events received strictly before {@code value}. */
  public EventQuery withBefore(Instant value) {
    return new EventQuery(status, type, since, Optional.of(value), Optional.empty(), limit);
  }

  /**
   * Events that come after the event ({@code receivedAt}, {@code id}) in newest-first order: the
   * next page after it.
   */
  public EventQuery after(Instant receivedAt, String id) {
    return new EventQuery(status, type, since, Optional.of(receivedAt), Optional.of(id), limit);
  }

  public EventQuery withLimit(int value) {
    return new EventQuery(status, type, since, before, beforeId, value);
  }
}
