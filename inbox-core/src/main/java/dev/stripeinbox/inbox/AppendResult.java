package dev.stripeinbox.inbox;

/** The outcome of appending a delivery: newly stored, or already there under the same id. */
public enum AppendResult {
  /** The event and its jobs are committed. */
  APPENDED,
  /** An event with this id was already stored; nothing was written. */
  DUPLICATE
}
