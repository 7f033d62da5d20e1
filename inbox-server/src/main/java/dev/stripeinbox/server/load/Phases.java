package dev.stripeinbox.server.load;

import java.util.concurrent.atomic.LongAdder;

/**
 * The timeline of a run, shared by its loops: when measuring starts (the warm-up may be cut short,
 * once) and when sending stops. Times are {@link System#nanoTime()} values.
 *
 * <p>Thread-safe.
 */
final class Phases {
  final long start;
  final long durationNanos;
  final long timeoutNanos;
  private volatile long measureStart;

  /** Every answer or failure, warm-up included: the coordinator samples it to see the rate. */
  final LongAdder completions = new LongAdder();

  Phases(long start, long warmupNanos, long durationNanos, long timeoutNanos) {
    this.start = start;
    this.measureStart = start + warmupNanos;
    this.durationNanos = durationNanos;
    this.timeoutNanos = timeoutNanos;
  }

  long measureStart() {
    return measureStart;
  }

  /** When sending stops. */
  long end() {
    return measureStart + durationNanos;
  }

  /** When loops stop waiting for answers. */
  long drainDeadline() {
    return end() + timeoutNanos;
  }

  /** Whether a delivery sent (or due) at {@code nanos} is measured. */
  boolean measured(long nanos) {
    return nanos - measureStart >= 0;
  }

  /** Ends the warm-up now, if it has not ended yet. */
  void endWarmup(long now) {
    if (now - measureStart < 0) {
      measureStart = now;
    }
  }
}
