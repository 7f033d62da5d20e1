package dev.stripeinbox.server.forward;

import dev.stripeinbox.dispatch.RetryPolicy;
import dev.stripeinbox.dispatch.TypeFilter;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * A forward destination: every stored event whose type matches is POSTed to {@code url} as the
 * exact original bytes, re-signed with {@code secret}.
 *
 * @param name a stable name; its jobs belong to the subscriber {@code forward:<name>}
 * @param url where to POST
 * @param secret the {@code whsec_...} secret the downstream verifies with
 * @param types the event types it receives
 * @param timeout how long one delivery may take before it counts as failed (default 10 s)
 * @param retryPolicy when a failed delivery is tried again
 * @param maxConcurrency the most deliveries in flight to this destination at once
 */
public record Destination(
    String name,
    URI url,
    String secret,
    TypeFilter types,
    Duration timeout,
    RetryPolicy retryPolicy,
    int maxConcurrency) {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  public static final int DEFAULT_MAX_CONCURRENCY = 16;

  /** The largest {@code maxConcurrency} a config file may set: as many as a node has workers. */
  public static final int MAX_CONCURRENCY = 1000;

  public Destination {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(types, "types");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(retryPolicy, "retryPolicy");
    if (maxConcurrency < 1) {
      throw new IllegalArgumentException("maxConcurrency must be at least 1");
    }
  }

  /**
   * Whether the URL's port, if it has one, can be connected to. {@link URI} takes any number as a
   * port, so {@code http://host:70000/} would pass every other check and then fail every delivery.
   */
  public static boolean isPort(URI url) {
    return url.getPort() == -1 || (url.getPort() >= 1 && url.getPort() <= 65535);
  }

  /** The name of the subscriber whose jobs deliver to this destination. */
  public String subscriberName() {
    return "forward:" + name;
  }

  /** Shows neither the secret nor the URL's user info or query, which may hold credentials. */
  @Override
  public String toString() {
    return "Destination[name="
        + name
        + ", url="
        + ForwardHandler.redact(url)
        + ", types="
        + types
        + ", timeout="
        + timeout
        + ", retryPolicy="
        + retryPolicy
        + ", maxConcurrency="
        + maxConcurrency
        + "]";
  }
}
