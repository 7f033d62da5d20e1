package dev.stripeinbox;

/**
 * Handles one event for one subscriber. Returning normally marks the job succeeded; throwing
 * anything schedules a retry under the subscriber's retry policy, and the last failure makes the
 * job dead until it is replayed.
 *
 * <p>Delivery is at least once: after a crash, a handler may see an event again. Use {@link
 * InboxEvent#id()} to make side effects idempotent.
 */
@FunctionalInterface
public interface Handler {
  void handle(InboxEvent event) throws Exception;
}
