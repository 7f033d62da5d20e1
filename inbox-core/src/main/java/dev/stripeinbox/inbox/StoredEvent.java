package dev.stripeinbox.inbox;

import dev.stripeinbox.event.Envelope;
import java.time.Instant;
import java.util.List;

/**
 * A stored event as inspection shows it: its envelope, status and jobs (jobs are empty in
 * listings).
 */
public record StoredEvent(
    Envelope envelope,
    String endpoint,
    Instant receivedAt,
    EventStatus status,
    List<JobView> jobs) {
  public StoredEvent {
    jobs = List.copyOf(jobs);
  }
}
