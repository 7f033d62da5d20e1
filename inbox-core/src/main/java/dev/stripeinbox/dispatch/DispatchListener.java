package dev.stripeinbox.dispatch;

import dev.stripeinbox.inbox.ClaimedJob;

/** Told of every job outcome, for logs and metrics. Must be fast and must not throw. */
public interface DispatchListener {
  /** What became of one attempt. */
  enum Outcome {
    SUCCEEDED,
    RETRYING,
    DEAD,
    /** The lease was lost (expired and reclaimed) before the outcome could be recorded. */
    LEASE_LOST
  }

  /**
   * @param job the job that ran
   * @param outcome what became of it
   * @param error the failure, or null when it succeeded
   * @param runNanos how long the handler ran
   */
  void onAttempt(ClaimedJob job, Outcome outcome, Throwable error, long runNanos);

  DispatchListener NONE = (job, outcome, error, runNanos) -> {};
}
