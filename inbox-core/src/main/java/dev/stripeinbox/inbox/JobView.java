package dev.stripeinbox.inbox;

import java.time.Instant;

/**
 * One subscriber's job for an event, as inspection shows it.
 *
 * @param subscriber the subscriber's name
 * @param state the job's state
 * @param attempts how many attempts started so far
 * @param lastError the last failure's message, or null
 * @param nextAttemptAt when the next attempt is due, or null when none is scheduled
 * @param finishedAt when it succeeded or went dead, or null
 */
public record JobView(
    String subscriber,
    JobState state,
    int attempts,
    String lastError,
    Instant nextAttemptAt,
    Instant finishedAt) {}
