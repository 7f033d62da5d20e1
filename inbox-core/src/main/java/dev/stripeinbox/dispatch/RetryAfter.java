package dev.stripeinbox.dispatch;

import java.time.Duration;
import java.util.Optional;

/**
 * Implemented by a handler's exception that knows how long the job should wait before its next
 * attempt, such as a downstream that answered {@code 429} or {@code 503} with {@code Retry-After}.
 *
 * <p>The dispatcher then waits at least that long, and at most the retry policy's {@code maxDelay}:
 * the delay is the larger of the policy's backoff and the asked delay capped at {@code maxDelay}.
 * The attempt still counts, and the policy's attempt and age limits still make the job dead.
 *
 * <pre>{@code
 * class RateLimited extends Exception implements RetryAfter {
 *   private final Duration wait;
 *   RateLimited(Duration wait) { super("rate limited for " + wait); this.wait = wait; }
 *   public Optional<Duration> retryAfter() { return Optional.of(wait); }
 * }
 * }</pre>
 */
public interface RetryAfter {
  /** The least time to wait before the next attempt, or empty when this failure names none. */
  Optional<Duration> retryAfter();
}
