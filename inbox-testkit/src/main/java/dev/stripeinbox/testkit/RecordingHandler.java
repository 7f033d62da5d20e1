package dev.stripeinbox.testkit;

import dev.stripeinbox.Handler;
import dev.stripeinbox.InboxEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A handler that records every call and fails on demand: a fake for tests, never a mock.
 * Thread-safe.
 */
public final class RecordingHandler implements Handler {
  /** One recorded call. */
  public record Call(String eventId, String type, int attempt, long startedNanos) {}

  private final List<Call> calls = new ArrayList<>();
  private final Map<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();
  private volatile int failFirst;
  private volatile boolean alwaysFail;
  private volatile Predicate<InboxEvent> failWhen = e -> false;

  /** Every call fails. */
  public RecordingHandler alwaysFailing() {
    alwaysFail = true;
    return this;
  }

  /** The first {@code n} calls for each event fail, later ones succeed. */
  public RecordingHandler failingFirst(int n) {
    failFirst = n;
    return this;
  }

  public RecordingHandler failingWhen(Predicate<InboxEvent> predicate) {
    failWhen = predicate;
    return this;
  }

  public RecordingHandler succeeding() {
    alwaysFail = false;
    failFirst = 0;
    failWhen = e -> false;
    failuresLeft.clear();
    return this;
  }

  @Override
  public void handle(InboxEvent event) {
    synchronized (calls) {
      calls.add(new Call(event.id(), event.type(), event.attempt(), System.nanoTime()));
      calls.notifyAll();
    }
    if (alwaysFail || failWhen.test(event)) {
      throw new IllegalStateException("failing on purpose: " + event.id());
    }
    if (failFirst > 0) {
      AtomicInteger left =
          failuresLeft.computeIfAbsent(event.id(), id -> new AtomicInteger(failFirst));
      if (left.getAndDecrement() > 0) {
        throw new IllegalStateException("failing on purpose: " + event.id());
      }
    }
  }

  public List<Call> calls() {
    synchronized (calls) {
      return List.copyOf(calls);
    }
  }

  public List<Call> callsFor(String eventId) {
    return calls().stream().filter(c -> c.eventId().equals(eventId)).toList();
  }

  /** Waits until at least {@code n} calls were recorded, or the timeout passes. */
  public boolean awaitCalls(int n, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (calls) {
      while (calls.size() < n) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        calls.wait(Math.max(1, left / 1_000_000));
      }
      return true;
    }
  }
}
