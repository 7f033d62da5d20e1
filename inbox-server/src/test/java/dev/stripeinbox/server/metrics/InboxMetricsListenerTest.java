package dev.stripeinbox.server.metrics;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stripeinbox.event.EnvelopeReader;
import dev.stripeinbox.inbox.NewEvent;
import dev.stripeinbox.jdbc.JdbcInboxStore;
import dev.stripeinbox.receive.Reception;
import dev.stripeinbox.testkit.SettableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The listener methods and the job-count gauges, driven directly. */
class InboxMetricsListenerTest {
  @TempDir Path dir;
  SettableClock clock = SettableClock.atNow();
  InboxMetrics metrics = new InboxMetrics(clock);

  @AfterEach
  void close() {
    metrics.close();
  }

  PrometheusText scrape() {
    return new PrometheusText(metrics.scrape());
  }

  @Test
  void forwardAttemptsAreCountedByDestinationAndStatusWithErrorForNoAnswer() {
    metrics.onForward("crm", 500, 2_000_000);
    metrics.onForward("crm", 500, 3_000_000);
    metrics.onForward("crm", -1, 10_000_000_000L);
    metrics.onForward("crm", 200, 1_000_000);
    metrics.onForward("ledger", 204, 1_000_000);

    PrometheusText m = scrape();
    String attempts = "stripe_inbox_forward_attempts_total";
    assertThat(m.value(attempts, "destination", "crm", "status", "500")).isEqualTo(2);
    assertThat(m.value(attempts, "destination", "crm", "status", "error")).isEqualTo(1);
    assertThat(m.value(attempts, "destination", "crm", "status", "200")).isEqualTo(1);
    assertThat(m.value(attempts, "destination", "ledger", "status", "204")).isEqualTo(1);
    assertThat(m.value("stripe_inbox_forward_duration_seconds_count", "destination", "crm"))
        .isEqualTo(4);
    assertThat(m.value("stripe_inbox_forward_duration_seconds_sum", "destination", "crm"))
        .isCloseTo(10.006, within(1e-9));
  }

  @Test
  void committedBatchesAreMeasuredAndFailedOnesCounted() {
    metrics.onCommit(1, 1_000_000, true);
    metrics.onCommit(7, 3_000_000, true);
    metrics.onCommit(4, 3_000_000_000L, false);

    PrometheusText m = scrape();
    assertThat(m.value("stripe_inbox_store_commit_batch_size_count")).isEqualTo(2);
    assertThat(m.value("stripe_inbox_store_commit_batch_size_sum")).isEqualTo(8);
    assertThat(m.value("stripe_inbox_store_commit_batch_size_max")).isEqualTo(7);
    assertThat(m.value("stripe_inbox_store_commit_batch_size_bucket", "le", "1.0")).isEqualTo(1);
    assertThat(m.value("stripe_inbox_store_commit_batch_size_bucket", "le", "8.0")).isEqualTo(2);
    assertThat(m.value("stripe_inbox_store_commit_duration_seconds_count")).isEqualTo(2);
    assertThat(m.value("stripe_inbox_store_commit_duration_seconds_sum"))
        .isCloseTo(0.004, within(1e-9));
    assertThat(m.value("stripe_inbox_store_commit_failures_total")).isEqualTo(1);
  }

  @Test
  void listenersSwallowWhatTheyCannotRecord() {
    metrics.onReception(null, null, 5);
    metrics.onReception(
        new dev.stripeinbox.receive.Endpoint(
            "default",
            new dev.stripeinbox.verify.SignatureVerifier(
                List.of("whsec_x"), Duration.ofMinutes(5), clock),
            dev.stripeinbox.dispatch.TypeFilter.all()),
        new Reception(200, "{}", null, null, null, null),
        -1);
    metrics.onAttempt(null, null, null, -1);
    metrics.onForward(null, 200, -5);
    metrics.onCommit(-1, -1, true);

    assertThat(scrape().series("stripe_inbox_received_total")).isEmpty();
  }

  @Test
  void jobCountsAreReadAtMostOncePerSecondAndNaNWhileTheStoreIsDown() {
    JdbcInboxStore store = JdbcInboxStore.open(dir.resolve("inbox.db").toString());
    try {
      metrics.watchJobs(store);
      append(store, "evt_1");
      assertThat(scrape().value("stripe_inbox_jobs", "state", "pending")).isEqualTo(2);

      append(store, "evt_2");
      clock.advance(Duration.ofMillis(999));
      assertThat(scrape().value("stripe_inbox_jobs", "state", "pending")).isEqualTo(2);

      clock.advance(Duration.ofMillis(1));
      PrometheusText fresh = scrape();
      assertThat(fresh.value("stripe_inbox_jobs", "state", "pending")).isEqualTo(4);
      assertThat(fresh.value("stripe_inbox_jobs", "state", "dead")).isZero();

      store.close();
      assertThat(scrape().value("stripe_inbox_jobs", "state", "pending")).isEqualTo(4);
      clock.advance(InboxMetrics.JOB_COUNTS_TTL);
      assertThat(scrape().value("stripe_inbox_jobs", "state", "pending")).isNaN();
    } finally {
      store.close();
    }
  }

  @Test
  void watchingJobsTwiceIsRefused() {
    JdbcInboxStore store = JdbcInboxStore.open(dir.resolve("inbox.db").toString());
    try {
      metrics.watchJobs(store);
      assertThrows(IllegalStateException.class, () -> metrics.watchJobs(store));
    } finally {
      store.close();
    }
  }

  private static void append(JdbcInboxStore store, String id) {
    byte[] body =
        ("{\"id\":\"" + id + "\",\"object\":\"event\",\"type\":\"invoice.paid\",\"created\":1}")
            .getBytes(UTF_8);
    store
        .append(
            new NewEvent(
                EnvelopeReader.read(body), body, "default", Instant.now(), List.of("a", "b")))
        .join();
  }
}
