package dev.stripeinbox.server;

import java.time.Duration;
import java.util.function.Supplier;

/** Bounded polling for tests that watch a child process or a database. */
final class Await {
  /** A condition that may read a database or a socket. */
  @FunctionalInterface
  interface Condition {
    boolean holds() throws Exception;
  }

  private static final long PAUSE_MILLIS = 20;

  private Await() {}

  /**
   * Returns as soon as {@code condition} holds; throws {@link AssertionError} with {@code
   * description} once {@code timeout} has passed without it.
   */
  static void until(Condition condition, Duration timeout, Supplier<String> description)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout + ": " + description.get());
      }
      Thread.sleep(PAUSE_MILLIS); // pacing the poll, bounded by the deadline
    }
  }
}
