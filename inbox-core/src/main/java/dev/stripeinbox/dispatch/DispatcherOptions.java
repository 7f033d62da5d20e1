package dev.stripeinbox.dispatch;

import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of the {@link Dispatcher}.
 *
 * @param workers handler threads, and so the most jobs running at once on this node (default 8)
 * @param lease how long a claim is held without renewal; renewed every third of it while the
 *     handler runs (default 30 s)
 * @param pollInterval how often to look for work when not woken: scheduled retries, and events
 *     appended by other nodes (default 250 ms)
 * @param shutdownTimeout how long {@code close()} waits for running handlers (default 10 s)
 * @param ackBacklog acknowledgements first: while more deliveries than this wait for their append
 *     to commit, the dispatcher holds back its claims, for at most {@link Dispatcher#MAX_YIELD}
 *     each time, so that a burst is acknowledged before its jobs compete for the CPU and the store
 *     (default 16; {@link Integer#MAX_VALUE} never holds back)
 */
public record DispatcherOptions(
    int workers, Duration lease, Duration pollInterval, Duration shutdownTimeout, int ackBacklog) {
  public DispatcherOptions {
    Objects.requireNonNull(lease, "lease");
    Objects.requireNonNull(pollInterval, "pollInterval");
    Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1, was " + workers);
    }
    if (lease.toMillis() < 300) {
      throw new IllegalArgumentException("lease must be at least 300ms, was " + lease);
    }
    if (pollInterval.toMillis() < 1) {
      throw new IllegalArgumentException("pollInterval must be at least 1ms");
    }
    if (ackBacklog < 1) {
      throw new IllegalArgumentException("ackBacklog must be at least 1, was " + ackBacklog);
    }
  }

  public static DispatcherOptions defaults() {
    return new DispatcherOptions(
        8, Duration.ofSeconds(30), Duration.ofMillis(250), Duration.ofSeconds(10), 16);
  }

  public DispatcherOptions withWorkers(int value) {
    return new DispatcherOptions(value, lease, pollInterval, shutdownTimeout, ackBacklog);
  }

  public DispatcherOptions withLease(Duration value) {
    return new DispatcherOptions(workers, value, pollInterval, shutdownTimeout, ackBacklog);
  }

  public DispatcherOptions withPollInterval(Duration value) {
    return new DispatcherOptions(workers, lease, value, shutdownTimeout, ackBacklog);
  }

  public DispatcherOptions withShutdownTimeout(Duration value) {
    return new DispatcherOptions(workers, lease, pollInterval, value, ackBacklog);
  }

  public DispatcherOptions withAckBacklog(int value) {
    return new DispatcherOptions(workers, lease, pollInterval, shutdownTimeout, value);
  }
}
