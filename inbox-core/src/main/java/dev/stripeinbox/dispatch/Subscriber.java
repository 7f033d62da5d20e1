package dev.stripeinbox.dispatch;

import dev.stripeinbox.Handler;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A named handler of the event types it matches, with its own retry policy. The name identifies the
 * subscriber's jobs in the store, so it must stay stable across releases.
 *
 * @param name a stable name: letters, digits, {@code . _ : -}, at most 100 characters
 * @param types the event types it receives
 * @param handler what runs for each matching event
 * @param retryPolicy when a failure is retried
 */
public record Subscriber(String name, TypeFilter types, Handler handler, RetryPolicy retryPolicy) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:-]{1,100}");

  public Subscriber {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(types, "types");
    Objects.requireNonNull(handler, "handler");
    Objects.requireNonNull(retryPolicy, "retryPolicy");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "invalid subscriber name \"" + name + "\": use 1 to 100 of A-Z a-z 0-9 . _ : -");
    }
  }
}
