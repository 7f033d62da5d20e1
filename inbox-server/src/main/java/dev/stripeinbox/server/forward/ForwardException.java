package dev.stripeinbox.server.forward;

import dev.stripeinbox.dispatch.RetryAfter;
import java.time.Duration;
import java.util.Optional;

/**
 * A failed forward attempt: a non-2xx answer, a timeout or a connection error. Thrown by {@link
 * ForwardHandler} so that the job system retries the delivery; its message is one line, such as
 * {@code HTTP 500 from http://localhost:9000/stripe}, and never holds a payload or a secret. When
 * the answer carried a valid {@code Retry-After}, the next attempt waits at least that long (up to
 * the destination's {@code max_delay}).
 */
public final class ForwardException extends Exception implements RetryAfter {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final Duration retryAfter;

  ForwardException(String message, int status) {
    this(message, status, null);
  }

  ForwardException(String message, int status, Duration retryAfter) {
    super(message);
    this.status = status;
    this.retryAfter = retryAfter;
  }

  ForwardException(String message, Throwable cause) {
    super(message, cause);
    this.status = -1;
    this.retryAfter = null;
  }

  /** The HTTP status the destination answered, or -1 when it gave no answer. */
  public int status() {
    return status;
  }

  /** The delay the destination's {@code Retry-After} asked for, if it sent a valid one. */
  @Override
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
