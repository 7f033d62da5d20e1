package dev.stripeinbox.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stripeinbox.dispatch.DispatchListener;
import dev.stripeinbox.dispatch.Dispatcher;
import dev.stripeinbox.dispatch.DispatcherOptions;
import dev.stripeinbox.dispatch.RetryPolicy;
import dev.stripeinbox.dispatch.Subscriber;
import dev.stripeinbox.dispatch.TypeFilter;
import dev.stripeinbox.event.EnvelopeReader;
import dev.stripeinbox.inbox.AppendResult;
import dev.stripeinbox.inbox.NewEvent;
import dev.stripeinbox.jdbc.JdbcInboxStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dispatcher yields to acknowledgements: while more deliveries than {@code ackBacklog} wait for
 * their commit, it claims at most once per {@link Dispatcher#MAX_YIELD}, and once the backlog is
 * gone the jobs run at once. Real SQLite; the backlog is set by the test, as the receiver would.
 */
class AcknowledgementsFirstTest {
  static final int EVENTS = 40;

  @TempDir Path dir;
  final AtomicInteger backlog = new AtomicInteger();
  final AtomicInteger handled = new AtomicInteger();
  JdbcInboxStore store;
  Dispatcher dispatcher;

  @AfterEach
  void close() {
    if (dispatcher != null) {
      dispatcher.close();
    }
    if (store != null) {
      store.close();
    }
  }

  void appendEvents() {
    store = JdbcInboxStore.open(dir.resolve("inbox.db").toString());
    for (int i = 0; i < EVENTS; i++) {
      byte[] body = ProcessingTest.event("evt_yield_" + i, "invoice.paid");
      NewEvent event =
          new NewEvent(
              EnvelopeReader.read(body), body, "default", Instant.now(), List.of("counting"));
      assertThat(store.append(event).join()).isEqualTo(AppendResult.APPENDED);
    }
  }

  void startDispatcher(int workers) {
    Subscriber counting =
        new Subscriber(
            "counting", TypeFilter.all(), e -> handled.incrementAndGet(), RetryPolicy.defaults());
    dispatcher =
        new Dispatcher(
            store,
            List.of(counting),
            Clock.systemUTC(),
            DispatcherOptions.defaults()
                .withWorkers(workers)
                .withPollInterval(Duration.ofMillis(10))
                .withAckBacklog(16),
            DispatchListener.NONE,
            backlog::get);
    dispatcher.start();
  }

  @Test
  void whileAcknowledgementsAreBackedUpClaimsArePacedThenTheJobsRunAtOnce() throws Exception {
    appendEvents();
    backlog.set(17);
    long start = System.nanoTime();
    startDispatcher(1);

    Thread.sleep(500);
    int ran = handled.get();
    long elapsed = System.nanoTime() - start; // after the count, so the bound below covers it
    // One worker holds at most 4 jobs; a claim at the start, then at most one per MAX_YIELD.
    long claims = 1 + elapsed / Dispatcher.MAX_YIELD.toNanos();
    assertThat(ran)
        .as("jobs run while acknowledgements wait")
        .isLessThanOrEqualTo((int) (4 * claims));
    assertThat(ran).isLessThan(EVENTS);

    backlog.set(16); // at the limit, not above it
    dispatcher.wake();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (handled.get() < EVENTS && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(handled.get()).isEqualTo(EVENTS);
  }

  @Test
  void aBacklogThatNeverEndsDoesNotStarveTheJobs() throws Exception {
    appendEvents();
    backlog.set(1_000);
    startDispatcher(1);

    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (handled.get() < EVENTS && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(handled.get())
        .as("a batch of 4 at least every 200 ms: all 40 in about 2 s")
        .isEqualTo(EVENTS);
  }

  @Test
  void theBacklogLimitMustBePositive() {
    assertThatThrownBy(() -> DispatcherOptions.defaults().withAckBacklog(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ackBacklog must be at least 1, was 0");
  }
}
