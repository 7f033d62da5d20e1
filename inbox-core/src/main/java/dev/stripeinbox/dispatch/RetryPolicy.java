package dev.stripeinbox.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * When a failed job is tried again: exponential backoff with jitter, capped, until either the
 * attempt limit or the age limit is reached, after which the job is dead.
 *
 * <p>The delay before attempt {@code n + 1} is {@code min(maxDelay, initialDelay * factor^(n-1))},
 * less a random share of up to {@code jitter} of it, so that a burst of failures does not come back
 * as a burst. The defaults follow Stripe's own retries: 1 s, doubling, capped at 1 h, for 12
 * attempts or 3 days.
 *
 * <p>Any durations are accepted, however long: the arithmetic saturates rather than overflows, and
 * a retry too far off for epoch milliseconds is due at the last instant they hold, which is never.
 *
 * <p>Immutable and thread-safe.
 *
 * @param maxAttempts the most attempts, the first included; at least 1
 * @param initialDelay the delay after the first failure
 * @param factor how much each delay grows; at least 1
 * @param maxDelay the longest delay
 * @param maxAge no attempt is scheduled later than this after the job was queued: when its event
 *     was received, or when it was last replayed
 * @param jitter the largest share of a delay removed at random, from 0 (none) to 1
 */
public record RetryPolicy(
    int maxAttempts,
    Duration initialDelay,
    double factor,
    Duration maxDelay,
    Duration maxAge,
    double jitter) {

  /** The latest time a retry is scheduled for: the stores keep times as epoch milliseconds. */
  private static final Instant LATEST = Instant.ofEpochMilli(Long.MAX_VALUE);

  private static final Duration LONGEST_MILLIS = Duration.ofMillis(Long.MAX_VALUE);

  public RetryPolicy {
    Objects.requireNonNull(initialDelay, "initialDelay");
    Objects.requireNonNull(maxDelay, "maxDelay");
    Objects.requireNonNull(maxAge, "maxAge");
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
    }
    if (initialDelay.isNegative() || maxDelay.compareTo(initialDelay) < 0) {
      throw new IllegalArgumentException("delays must satisfy 0 <= initialDelay <= maxDelay");
    }
    if (!(factor >= 1.0)) {
      throw new IllegalArgumentException("factor must be at least 1, was " + factor);
    }
    if (!(jitter >= 0.0 && jitter <= 1.0)) {
      throw new IllegalArgumentException("jitter must be between 0 and 1, was " + jitter);
    }
    if (maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("maxAge must be positive");
    }
  }

  /** 12 attempts or 3 days, from 1 s doubling up to 1 h, with 20% jitter. */
  public static RetryPolicy defaults() {
    return new RetryPolicy(
        12, Duration.ofSeconds(1), 2.0, Duration.ofHours(1), Duration.ofDays(3), 0.2);
  }

  /** A policy of {@code maxAttempts} attempts and this policy's delays. */
  public RetryPolicy withMaxAttempts(int value) {
    return new RetryPolicy(value, initialDelay, factor, maxDelay, maxAge, jitter);
  }

  /** A policy with this initial delay (and a cap at least as long). */
  public RetryPolicy withBackoff(Duration initial) {
    Duration cap = maxDelay.compareTo(initial) < 0 ? initial : maxDelay;
    return new RetryPolicy(maxAttempts, initial, factor, cap, maxAge, jitter);
  }

  public RetryPolicy withJitter(double value) {
    return new RetryPolicy(maxAttempts, initialDelay, factor, maxDelay, maxAge, value);
  }

  public RetryPolicy withMaxAge(Duration value) {
    return new RetryPolicy(maxAttempts, initialDelay, factor, maxDelay, value, jitter);
  }

  /** The delay after failed attempt number {@code attempt} (1-based), before jitter. */
  public Duration delayAfter(int attempt) {
    double millis = millis(initialDelay) * Math.pow(factor, Math.max(0, attempt - 1));
    long capped = (long) Math.min(millis, (double) millis(maxDelay));
    return Duration.ofMillis(capped);
  }

  /** A non-negative duration in milliseconds, {@link Long#MAX_VALUE} when it holds more. */
  private static long millis(Duration d) {
    return d.compareTo(LONGEST_MILLIS) >= 0 ? Long.MAX_VALUE : d.toMillis();
  }

  /** {@code t + d} for a non-negative {@code d}, or {@link #LATEST} when that is later. */
  private static Instant plus(Instant t, Duration d) {
    return t.isAfter(LATEST) || Duration.between(t, LATEST).compareTo(d) <= 0 ? LATEST : t.plus(d);
  }

  /**
   * When to try again after failed attempt number {@code attempt}, or empty when the job is dead.
   *
   * @param queuedAt when the job was queued, from which {@link #maxAge} counts
   * @param random a source of values in [0, 1) for the jitter
   */
  public Optional<Instant> nextAttempt(
      int attempt, Instant queuedAt, Instant now, DoubleSupplier random) {
    return nextAttempt(attempt, queuedAt, now, Duration.ZERO, random);
  }

  /**
   * When to try again after failed attempt number {@code attempt}, waiting at least {@code atLeast}
   * (a failure's {@link RetryAfter}) capped at {@link #maxDelay}; empty when the job is dead. The
   * jittered backoff applies when it is longer than the asked delay.
   *
   * @param queuedAt when the job was queued, from which {@link #maxAge} counts
   * @param random a source of values in [0, 1) for the jitter
   */
  public Optional<Instant> nextAttempt(
      int attempt, Instant queuedAt, Instant now, Duration atLeast, DoubleSupplier random) {
    Objects.requireNonNull(atLeast, "atLeast");
    if (attempt >= maxAttempts) {
      return Optional.empty();
    }
    long delay = delayAfter(attempt).toMillis();
    long jittered = delay - (long) (delay * jitter * random.getAsDouble());
    long asked =
        atLeast.isNegative() ? 0 : millis(atLeast.compareTo(maxDelay) < 0 ? atLeast : maxDelay);
    Instant next = plus(now, Duration.ofMillis(Math.max(jittered, asked)));
    if (next.isAfter(plus(queuedAt, maxAge))) {
      return Optional.empty();
    }
    return Optional.of(next);
  }
}
