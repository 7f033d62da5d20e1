package dev.stripeinbox.server.load;

import org.HdrHistogram.Histogram;

/**
 * Counts and latencies of the deliveries of one phase (warm-up or measured) of one loop. Latencies
 * are in microseconds, recorded only for answered requests.
 *
 * <p>Not thread-safe: each loop owns its own; the engine merges them with {@link #add} once the
 * loops have stopped.
 */
final class Stats {
  final Histogram latencyMicros = new Histogram(3);
  long status2xx;
  long status3xx;
  long status4xx;
  long status5xx;
  long statusOther;
  long errors;
  long timeouts;
  long duplicatesSent;
  long duplicateAcks;
  String firstFailure;

  void answered(int status, boolean duplicateSent, boolean duplicateAck, long latencyNanos) {
    switch (status / 100) {
      case 2 -> status2xx++;
      case 3 -> status3xx++;
      case 4 -> status4xx++;
      case 5 -> status5xx++;
      default -> statusOther++;
    }
    if (duplicateSent) {
      duplicatesSent++;
    }
    if (duplicateAck) {
      duplicateAcks++;
    }
    latencyMicros.recordValue(Math.max(1, latencyNanos / 1000));
  }

  /** A delivery that got no answer: a connection failure, or no answer within the timeout. */
  void failed(boolean duplicateSent, boolean timeout, String why) {
    errors++;
    if (timeout) {
      timeouts++;
    }
    if (duplicateSent) {
      duplicatesSent++;
    }
    noteFailure(why);
  }

  void noteFailure(String why) {
    if (firstFailure == null) {
      firstFailure = why;
    }
  }

  /** Every delivery counted: answered with any status, or failed. */
  long requests() {
    return status2xx + status3xx + status4xx + status5xx + statusOther + errors;
  }

  void add(Stats other) {
    latencyMicros.add(other.latencyMicros);
    status2xx += other.status2xx;
    status3xx += other.status3xx;
    status4xx += other.status4xx;
    status5xx += other.status5xx;
    statusOther += other.statusOther;
    errors += other.errors;
    timeouts += other.timeouts;
    duplicatesSent += other.duplicatesSent;
    duplicateAcks += other.duplicateAcks;
    if (firstFailure == null) {
      firstFailure = other.firstFailure;
    }
  }
}
