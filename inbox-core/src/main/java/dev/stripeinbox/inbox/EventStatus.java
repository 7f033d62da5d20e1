package dev.stripeinbox.inbox;

import java.util.Locale;
import java.util.Optional;

/**
 * An event's status, derived from its jobs and never stored: {@code dead} once any job is dead,
 * else {@code retrying} while any job awaits a retry, else {@code processed} when every job
 * succeeded (or the event had no subscriber), else {@code pending}.
 */
public enum EventStatus {
  PENDING,
  RETRYING,
  PROCESSED,
  DEAD;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code pending}, {@code retrying}, {@code processed} or {@code dead}. */
  public static Optional<EventStatus> fromWire(String name) {
    for (EventStatus status : values()) {
      if (status.wireName().equals(name)) {
        return Optional.of(status);
      }
    }
    return Optional.empty();
  }
}
