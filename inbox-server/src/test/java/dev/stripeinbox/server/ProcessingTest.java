package dev.stripeinbox.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.stripe.model.PaymentIntent;
import dev.stripeinbox.InboxEvent;
import dev.stripeinbox.StripeInbox;
import dev.stripeinbox.dispatch.DispatcherOptions;
import dev.stripeinbox.dispatch.RetryPolicy;
import dev.stripeinbox.inbox.EventStatus;
import dev.stripeinbox.inbox.JobState;
import dev.stripeinbox.inbox.JobView;
import dev.stripeinbox.inbox.StoredEvent;
import dev.stripeinbox.jdbc.JdbcInboxStore;
import dev.stripeinbox.receive.Reception;
import dev.stripeinbox.testkit.RecordingHandler;
import dev.stripeinbox.testkit.SettableClock;
import dev.stripeinbox.testkit.Signer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Processing through the job system: retries, dead letters, fan-out, duplicates and replay. */
class ProcessingTest {
  static final String SECRET = "whsec_processing_tests_secret_00001";
  static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;
  final SettableClock clock = new SettableClock(Instant.parse("2026-11-28T12:00:00Z"));
  JdbcInboxStore store;
  StripeInbox inbox;

  StripeInbox start(StripeInbox.Builder builder) {
    store = JdbcInboxStore.open(dir.resolve("inbox.db").toString());
    inbox =
        builder
            .store(store)
            .secrets(SECRET)
            .clock(clock)
            .dispatcherOptions(DispatcherOptions.defaults().withPollInterval(Duration.ofMillis(20)))
            .build();
    inbox.start();
    return inbox;
  }

  @AfterEach
  void stop() {
    if (inbox != null) {
      inbox.close();
      store.close();
    }
  }

  static RetryPolicy noJitter(int attempts, Duration initial) {
    return RetryPolicy.defaults().withMaxAttempts(attempts).withBackoff(initial).withJitter(0);
  }

  static byte[] event(String id, String type, String apiVersion) {
    return ("{\n  \"id\": \""
            + id
            + "\",\n  \"object\": \"event\",\n  \"api_version\": \""
            + apiVersion
            + "\",\n  \"created\": 1764331200,\n  \"data\": {\n    \"object\": {\n"
            + "      \"id\": \"pi_3Q\",\n      \"object\": \"payment_intent\",\n"
            + "      \"amount\": 2000,\n      \"currency\": \"usd\",\n      \"status\": \"succeeded\"\n"
            + "    }\n  },\n  \"livemode\": false,\n  \"pending_webhooks\": 1,\n"
            + "  \"request\": {\n    \"id\": null,\n    \"idempotency_key\": null\n  },\n"
            + "  \"type\": \""
            + type
            + "\"\n}")
        .getBytes(UTF_8);
  }

  static byte[] event(String id, String type) {
    return event(id, type, "2026-07-29.dahlia");
  }

  Reception deliver(byte[] body) {
    return inbox.receive(body, Signer.header(body, SECRET, clock.instant().getEpochSecond()));
  }

  JobView job(String eventId, String subscriber) {
    StoredEvent event = store.find(eventId).orElseThrow();
    return event.jobs().stream()
        .filter(j -> j.subscriber().equals(subscriber))
        .findFirst()
        .orElseThrow();
  }

  JobView awaitJob(String eventId, String subscriber, Predicate<JobView> condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      JobView job = job(eventId, subscriber);
      if (condition.test(job)) {
        return job;
      }
      Thread.sleep(10);
    }
    throw new AssertionError(
        "job " + subscriber + " of " + eventId + " never got there: " + job(eventId, subscriber));
  }

  @Test
  void handlerThatFailsTwiceThenSucceedsRunsThreeTimesAtTheBackoffTimes() throws Exception {
    RecordingHandler handler = new RecordingHandler().failingFirst(2);
    start(
        StripeInbox.builder()
            .retryPolicy(noJitter(5, Duration.ofSeconds(10)))
            .on("flaky", "invoice.paid", handler));
    Instant t0 = clock.instant();

    assertThat(deliver(event("evt_flaky", "invoice.paid")).status()).isEqualTo(200);
    JobView first = awaitJob("evt_flaky", "flaky", j -> j.state() == JobState.RETRYING);
    assertThat(first.attempts()).isEqualTo(1);
    assertThat(first.nextAttemptAt()).isEqualTo(t0.plusSeconds(10));
    assertThat(first.lastError()).contains("failing on purpose");

    clock.advance(Duration.ofSeconds(9));
    inbox.wake();
    assertThat(handler.awaitCalls(2, Duration.ofMillis(300)))
        .as("not due before the backoff")
        .isFalse();

    clock.advance(Duration.ofSeconds(1));
    inbox.wake();
    JobView second =
        awaitJob("evt_flaky", "flaky", j -> j.attempts() == 2 && j.state() == JobState.RETRYING);
    assertThat(second.nextAttemptAt()).as("the delay doubles").isEqualTo(t0.plusSeconds(10 + 20));

    clock.advance(Duration.ofSeconds(20));
    inbox.wake();
    JobView done = awaitJob("evt_flaky", "flaky", j -> j.state() == JobState.SUCCEEDED);
    assertThat(done.attempts()).isEqualTo(3);
    assertThat(handler.callsFor("evt_flaky"))
        .extracting(RecordingHandler.Call::attempt)
        .containsExactly(1, 2, 3);
    assertThat(store.find("evt_flaky").orElseThrow().status()).isEqualTo(EventStatus.PROCESSED);
  }

  @Test
  void alwaysFailingHandlerEndsDeadWhileTheOtherSubscriberRanExactlyOnce() throws Exception {
    RecordingHandler broken = new RecordingHandler().alwaysFailing();
    RecordingHandler healthy = new RecordingHandler();
    start(
        StripeInbox.builder()
            .on("broken", List.of("invoice.*"), broken, noJitter(3, Duration.ofSeconds(1)))
            .on("healthy", "*", healthy));

    deliver(event("evt_dead", "invoice.payment_failed"));
    for (int attempt = 1; attempt < 3; attempt++) {
      int done = attempt;
      awaitJob("evt_dead", "broken", j -> j.attempts() == done && j.state() == JobState.RETRYING);
      clock.advance(Duration.ofSeconds(10));
      inbox.wake();
    }
    JobView dead = awaitJob("evt_dead", "broken", j -> j.state() == JobState.DEAD);
    assertThat(dead.attempts()).isEqualTo(3);
    assertThat(dead.finishedAt()).isNotNull();
    assertThat(dead.nextAttemptAt()).isNull();
    assertThat(job("evt_dead", "healthy").state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(healthy.callsFor("evt_dead")).hasSize(1);
    assertThat(broken.callsFor("evt_dead")).hasSize(3);
    assertThat(store.find("evt_dead").orElseThrow().status()).isEqualTo(EventStatus.DEAD);
  }

  /** Like Kotlin's {@code NotImplementedError}, which {@code TODO()} throws. */
  static final class NotImplementedError extends Error {
    NotImplementedError(String message) {
      super(message);
    }
  }

  @Test
  void handlerThatThrowsAnErrorIsRetriedThenDeadLikeAnyFailure() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    start(
        StripeInbox.builder()
            .on(
                "recursive",
                List.of("*"),
                e -> {
                  calls.incrementAndGet();
                  throw new StackOverflowError("too deep");
                },
                noJitter(2, Duration.ofSeconds(1)))
            .on(
                "unfinished",
                List.of("*"),
                e -> {
                  throw new NotImplementedError("An operation is not implemented.");
                },
                noJitter(1, Duration.ofSeconds(1))));

    deliver(event("evt_error", "invoice.paid"));
    JobView first = awaitJob("evt_error", "recursive", j -> j.state() == JobState.RETRYING);
    assertThat(first.attempts()).isEqualTo(1);
    assertThat(first.lastError()).isEqualTo("StackOverflowError: too deep");
    JobView unfinished = awaitJob("evt_error", "unfinished", j -> j.state() == JobState.DEAD);
    assertThat(unfinished.lastError())
        .isEqualTo("NotImplementedError: An operation is not implemented.");

    clock.advance(Duration.ofSeconds(1));
    inbox.wake();
    JobView dead = awaitJob("evt_error", "recursive", j -> j.state() == JobState.DEAD);
    assertThat(dead.attempts()).isEqualTo(2);
    assertThat(calls).hasValue(2);
  }

  @Test
  void aRetryPolicyOfHugeDurationsSchedulesTheRetryInsteadOfLosingTheOutcome() throws Exception {
    Duration huge = Duration.ofDays(999_999_999_999L); // the longest a config file can spell
    start(
        StripeInbox.builder()
            .on(
                "patient",
                List.of("*"),
                new RecordingHandler().alwaysFailing(),
                new RetryPolicy(12, Duration.ofSeconds(1), 2, huge, huge, 0).withBackoff(huge)));

    deliver(event("evt_patient", "invoice.paid"));

    JobView retrying = awaitJob("evt_patient", "patient", j -> j.state() == JobState.RETRYING);
    assertThat(retrying.attempts()).isEqualTo(1);
    assertThat(retrying.nextAttemptAt()).isEqualTo(Instant.ofEpochMilli(Long.MAX_VALUE));
  }

  @Test
  void duplicateOfAProcessedEventRunsNoHandlerAgain() throws Exception {
    RecordingHandler handler = new RecordingHandler();
    start(StripeInbox.builder().on("once", "*", handler));
    byte[] body = event("evt_once", "customer.created");
    deliver(body);
    awaitJob("evt_once", "once", j -> j.state() == JobState.SUCCEEDED);

    Reception again = deliver(body);
    assertThat(again.outcome()).isEqualTo(Reception.Outcome.DUPLICATE);
    assertThat(handler.awaitCalls(2, Duration.ofMillis(300))).isFalse();
    assertThat(handler.callsFor("evt_once")).hasSize(1);
  }

  @Test
  void duplicateOfADeadEventDoesNotResurrectItButReplayDoes() throws Exception {
    RecordingHandler handler = new RecordingHandler().alwaysFailing();
    start(
        StripeInbox.builder()
            .on("fragile", List.of("*"), handler, noJitter(1, Duration.ofSeconds(1))));
    byte[] body = event("evt_lazarus", "charge.failed");
    deliver(body);
    awaitJob("evt_lazarus", "fragile", j -> j.state() == JobState.DEAD);

    assertThat(deliver(body).outcome()).isEqualTo(Reception.Outcome.DUPLICATE);
    assertThat(handler.awaitCalls(2, Duration.ofMillis(300))).isFalse();
    assertThat(job("evt_lazarus", "fragile").state()).isEqualTo(JobState.DEAD);

    handler.succeeding();
    assertThat(store.replay(List.of("evt_lazarus"), clock.instant())).isEqualTo(1);
    inbox.wake();
    JobView revived = awaitJob("evt_lazarus", "fragile", j -> j.state() == JobState.SUCCEEDED);
    assertThat(revived.attempts()).isEqualTo(1);
    assertThat(handler.callsFor("evt_lazarus")).hasSize(2);
  }

  @Test
  void aReplayedEventOlderThanTheAgeLimitGetsItsRetriesAnew() throws Exception {
    start(
        StripeInbox.builder()
            .on(
                "failing",
                List.of("*"),
                new RecordingHandler().alwaysFailing(),
                noJitter(2, Duration.ofSeconds(10)).withMaxAge(Duration.ofDays(3))));
    deliver(event("evt_old", "invoice.paid"));
    awaitJob("evt_old", "failing", j -> j.state() == JobState.RETRYING);
    clock.advance(Duration.ofSeconds(10));
    inbox.wake();
    awaitJob("evt_old", "failing", j -> j.state() == JobState.DEAD);

    clock.advance(Duration.ofDays(4));
    assertThat(store.replay(List.of("evt_old"), clock.instant())).isEqualTo(1);
    inbox.wake();

    // The age limit counts from the replay: the first attempt's failure is retried, not dead.
    JobView retrying =
        awaitJob(
            "evt_old",
            "failing",
            j -> j.state() == JobState.RETRYING || j.state() == JobState.DEAD);
    assertThat(retrying.state()).isEqualTo(JobState.RETRYING);
    assertThat(retrying.attempts()).isEqualTo(1);
    assertThat(retrying.nextAttemptAt()).isEqualTo(clock.instant().plusSeconds(10));
  }

  @Test
  void handlerSeesTheEnvelopeAndATypedDataObject() throws Exception {
    List<InboxEvent> seen = new CopyOnWriteArrayList<>();
    List<PaymentIntent> intents = new CopyOnWriteArrayList<>();
    start(
        StripeInbox.builder()
            .on(
                "typed",
                "payment_intent.succeeded",
                e -> {
                  seen.add(e);
                  intents.add(e.dataObject(PaymentIntent.class));
                  assertThat(e.apiVersionMismatch()).isFalse();
                }));
    byte[] body = event("evt_typed", "payment_intent.succeeded");
    deliver(body);
    awaitJob("evt_typed", "typed", j -> j.state() == JobState.SUCCEEDED);
    InboxEvent e = seen.get(0);
    assertThat(e.id()).isEqualTo("evt_typed");
    assertThat(e.attempt()).isEqualTo(1);
    assertThat(e.created()).isEqualTo(Instant.ofEpochSecond(1764331200));
    assertThat(e.livemode()).isFalse();
    assertThat(e.payload()).isEqualTo(body);
    assertThat(intents.get(0).getAmount()).isEqualTo(2000L);
  }

  @Test
  void typedAccessFallsBackWhenTheApiVersionDiffersAndSaysSo() throws Exception {
    List<Boolean> mismatch = new CopyOnWriteArrayList<>();
    List<Long> amounts = new CopyOnWriteArrayList<>();
    start(
        StripeInbox.builder()
            .on(
                "old-version",
                "*",
                e -> {
                  amounts.add(e.dataObject(PaymentIntent.class).getAmount());
                  mismatch.add(e.apiVersionMismatch());
                }));
    deliver(event("evt_old_api", "payment_intent.succeeded", "2020-08-27"));
    awaitJob("evt_old_api", "old-version", j -> j.state() == JobState.SUCCEEDED);
    assertThat(amounts).containsExactly(2000L);
    assertThat(mismatch).containsExactly(true);
  }

  @Test
  void thinEventHandlerGetsTheRelatedObjectAndContext() throws Exception {
    List<InboxEvent> seen = new CopyOnWriteArrayList<>();
    start(StripeInbox.builder().on("thin", "v1.billing.meter.*", seen::add));
    byte[] body =
        ("{\"id\":\"evt_thin_1\",\"object\":\"v2.core.event\","
                + "\"type\":\"v1.billing.meter.error_report_triggered\","
                + "\"created\":\"2026-11-28T12:00:00.123Z\",\"livemode\":false,"
                + "\"context\":\"acct_123\",\"reason\":null,"
                + "\"related_object\":{\"id\":\"mtr_1\",\"type\":\"billing.meter\","
                + "\"url\":\"/v1/billing/meters/mtr_1\"}}")
            .getBytes(UTF_8);
    assertThat(deliver(body).status()).isEqualTo(200);
    awaitJob("evt_thin_1", "thin", j -> j.state() == JobState.SUCCEEDED);
    InboxEvent e = seen.get(0);
    assertThat(e.isThin()).isTrue();
    assertThat(e.account()).hasValue("acct_123");
    assertThat(e.context()).hasValue("acct_123");
    assertThat(e.relatedObject())
        .hasValue(
            new InboxEvent.RelatedObject("mtr_1", "billing.meter", "/v1/billing/meters/mtr_1"));
  }

  @Test
  void closeWaitsBoundedForARunningHandlerAndLeavesItsJobToBeReclaimed() throws Exception {
    java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    store = JdbcInboxStore.open(dir.resolve("inbox.db").toString());
    inbox =
        StripeInbox.builder()
            .store(store)
            .secrets(SECRET)
            .clock(clock)
            .dispatcherOptions(
                DispatcherOptions.defaults()
                    .withPollInterval(Duration.ofMillis(20))
                    .withShutdownTimeout(Duration.ofMillis(200)))
            .on(
                "stuck",
                "*",
                e -> {
                  started.countDown();
                  // A handler stuck past shutdown, deaf to interrupts.
                  while (true) {
                    try {
                      release.await();
                      return;
                    } catch (InterruptedException ignored) {
                      // keep waiting
                    }
                  }
                })
            .build();
    inbox.start();
    deliver(event("evt_stuck", "invoice.paid"));
    assertThat(started.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    long before = System.nanoTime();
    inbox.close();
    assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(5));
    assertThat(job("evt_stuck", "stuck").state()).isEqualTo(JobState.RUNNING);

    assertThat(store.reapExpiredLeases(clock.instant().plusSeconds(31))).isEqualTo(1);
    assertThat(job("evt_stuck", "stuck").state()).isEqualTo(JobState.PENDING);
    release.countDown();
    inbox = null;
    store.close();
  }

  @Test
  void eventWithNoMatchingSubscriberIsStoredAndProcessed() throws Exception {
    start(StripeInbox.builder().on("invoices", "invoice.*", new RecordingHandler()));
    deliver(event("evt_nobody", "customer.created"));
    StoredEvent stored = store.find("evt_nobody").orElseThrow();
    assertThat(stored.jobs()).isEmpty();
    assertThat(stored.status()).isEqualTo(EventStatus.PROCESSED);
  }
}
