package dev.stripeinbox.inbox;

import java.util.Locale;

/** The state of one subscriber's job for one event. */
public enum JobState {
  /** Waiting for its first attempt, or re-queued by a replay or an expired lease. */
  PENDING,
  /** Claimed by a worker that holds a lease on it. */
  RUNNING,
  /** The subscriber handled the event. */
  SUCCEEDED,
  /** The last attempt failed; another is scheduled at {@code next_attempt_at}. */
  RETRYING,
  /** Every allowed attempt failed; only a replay runs it again. */
  DEAD;

  /** The lowercase name used in the database, the CLI and the HTTP API. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a lowercase name such as {@code dead}. */
  public static JobState fromWire(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }
}
