package dev.stripeinbox.jdbc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stripeinbox.event.Envelope;
import dev.stripeinbox.inbox.AppendResult;
import dev.stripeinbox.inbox.ClaimedJob;
import dev.stripeinbox.inbox.EventQuery;
import dev.stripeinbox.inbox.EventStatus;
import dev.stripeinbox.inbox.JobState;
import dev.stripeinbox.inbox.JobView;
import dev.stripeinbox.inbox.NewEvent;
import dev.stripeinbox.inbox.StoreUnavailableException;
import dev.stripeinbox.inbox.StoredEvent;
import dev.stripeinbox.jdbc.internal.Migrations;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link JdbcInboxStore} database must share. Each subclass supplies a fresh
 * database per test; the tests themselves never know which one they run on.
 *
 * <p>Time is always passed explicitly, so nothing here sleeps.
 */
@Timeout(60)
abstract class InboxStoreContract {
  static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
  static final Duration LEASE = Duration.ofSeconds(30);
  static final String OWNER = "worker-1";

  private final List<JdbcInboxStore> opened = new CopyOnWriteArrayList<>();
  private String location;
  JdbcInboxStore store;

  /**
   * Creates an empty database and returns its location for {@link JdbcInboxStore#open}; may be
   * called more than once in a test.
   */
  abstract String createDatabase();

  /** How many new databases the concurrent-opening test opens; cheap stores afford more. */
  int openingRounds() {
    return 4;
  }

  /** Removes every database the test created; every store on them is closed already. */
  abstract void dropDatabases();

  /** A plain connection to a database, for checks below the store's API. */
  abstract Connection connect(String location) throws SQLException;

  @BeforeEach
  void openStore() {
    location = createDatabase();
    store = open(StoreOptions.defaults());
  }

  @AfterEach
  void closeStores() {
    try {
      opened.forEach(JdbcInboxStore::close);
    } finally {
      dropDatabases();
    }
  }

  /** Opens another store on the test's database, as another node or a restart would. */
  JdbcInboxStore open(StoreOptions options) {
    JdbcInboxStore node = JdbcInboxStore.open(location, options);
    opened.add(node);
    return node;
  }

  String location() {
    return location;
  }

  // ---------------------------------------------------------------- append and read

  @Test
  void appendStoresTheExactBytesAndTheEnvelope() {
    byte[] payload = {
      '{', '"', 'x', '"', ':', '"', (byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xFE, 0, '"', '}'
    };
    Envelope envelope =
        new Envelope(
            "evt_bytes",
            "event",
            "payment_intent.succeeded",
            Instant.parse("2026-10-31T23:59:58Z"),
            true,
            "2025-01-27.acacia",
            "acct_123",
            "pi_123",
            "payment_intent");
    NewEvent event =
        new NewEvent(envelope, payload, "connect", T0.plusMillis(123), List.<String>of());

    assertThat(append(event)).isEqualTo(AppendResult.APPENDED);

    assertThat(store.payload("evt_bytes"))
        .hasValueSatisfying(p -> assertThat(p).isEqualTo(payload));
    StoredEvent found = store.find("evt_bytes").orElseThrow();
    assertThat(found.envelope()).isEqualTo(envelope);
    assertThat(found.endpoint()).isEqualTo("connect");
    assertThat(found.receivedAt()).isEqualTo(T0.plusMillis(123));
    assertThat(found.status()).isEqualTo(EventStatus.PROCESSED);
    assertThat(found.jobs()).isEmpty();
  }

  @Test
  void appendKeepsAOneMebibytePayloadByteForByte() {
    byte[] payload = new byte[1024 * 1024];
    new Random(42).nextBytes(payload);
    NewEvent event =
        new NewEvent(envelope("evt_big", "invoice.paid"), payload, "default", T0, List.of());

    append(event);

    assertThat(store.payload("evt_big").orElseThrow()).isEqualTo(payload);
  }

  @Test
  void anEnvelopeWithoutOptionalFieldsReadsBackWithNulls() {
    Envelope envelope =
        new Envelope(
            "evt_thin",
            null,
            "v1.billing.meter.no_meter_found",
            null,
            false,
            null,
            null,
            null,
            null);
    append(new NewEvent(envelope, "{}".getBytes(UTF_8), "default", T0, List.of()));

    assertThat(store.find("evt_thin").orElseThrow().envelope()).isEqualTo(envelope);
  }

  @Test
  void anEventWithSubscribersIsPendingWithOneJobPerSubscriber() {
    append(event("evt_1", "invoice.paid", T0, "mail", "ledger"));

    StoredEvent found = store.find("evt_1").orElseThrow();
    assertThat(found.status()).isEqualTo(EventStatus.PENDING);
    assertThat(found.jobs())
        .containsExactly(
            new JobView("ledger", JobState.PENDING, 0, null, T0, null),
            new JobView("mail", JobState.PENDING, 0, null, T0, null));
  }

  @Test
  void anUnknownIdHasNoEventAndNoPayload() {
    assertThat(store.find("evt_missing")).isEmpty();
    assertThat(store.payload("evt_missing")).isEmpty();
  }

  // ---------------------------------------------------------------- dedupe and group commit

  @Test
  void aDuplicateIdIsAnsweredDuplicateAndWritesNothing() {
    NewEvent first = event("evt_dup", "invoice.paid", T0, "a", "b");
    NewEvent again =
        new NewEvent(
            first.envelope(),
            "{\"other\":true}".getBytes(UTF_8),
            "other-endpoint",
            T0.plusSeconds(5),
            List.of("a", "b", "c"));

    assertThat(append(first)).isEqualTo(AppendResult.APPENDED);
    assertThat(append(again)).isEqualTo(AppendResult.DUPLICATE);

    StoredEvent found = store.find("evt_dup").orElseThrow();
    assertThat(found.endpoint()).isEqualTo("default");
    assertThat(found.receivedAt()).isEqualTo(T0);
    assertThat(found.jobs()).extracting(JobView::subscriber).containsExactly("a", "b");
    assertThat(store.payload("evt_dup").orElseThrow()).isEqualTo(first.payload());
    assertThat(store.jobCounts()).isEqualTo(Map.of(JobState.PENDING, 2L));
  }

  @Test
  void concurrentAppendsOfRepeatedIdsStoreEachEventOnce() throws Exception {
    List<NewEvent> deliveries = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      NewEvent event = event("evt_c" + i, "invoice.paid", T0.plusMillis(i), "handler");
      deliveries.add(event);
      deliveries.add(event);
    }
    Collections.shuffle(deliveries, new Random(7));

    List<AppendResult> results = appendConcurrently(List.of(store), deliveries, 16);

    assertThat(results).filteredOn(r -> r == AppendResult.APPENDED).hasSize(100);
    assertThat(results).filteredOn(r -> r == AppendResult.DUPLICATE).hasSize(100);
    assertThat(store.list(EventQuery.latest(1000))).hasSize(100);
    assertThat(store.jobCounts()).isEqualTo(Map.of(JobState.PENDING, 100L));
  }

  @Test
  void twoStoresAppendingTheSameIdsStoreEachEventOnce() throws Exception {
    JdbcInboxStore otherNode = open(StoreOptions.defaults());
    List<NewEvent> deliveries = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      deliveries.add(event("evt_n" + i, "invoice.paid", T0.plusMillis(i), "handler"));
    }

    List<AppendResult> results =
        appendConcurrently(List.of(store, otherNode), interleave(deliveries), 8);

    assertThat(results).filteredOn(r -> r == AppendResult.APPENDED).hasSize(50);
    assertThat(results).filteredOn(r -> r == AppendResult.DUPLICATE).hasSize(50);
    assertThat(store.jobCounts()).isEqualTo(Map.of(JobState.PENDING, 50L));
  }

  @Test
  void concurrentAppendsShareCommits() {
    AtomicInteger commits = new AtomicInteger();
    AtomicInteger committedOps = new AtomicInteger();
    JdbcInboxStore counted =
        open(
            StoreOptions.defaults()
                .withCommitListener(
                    (size, nanos, ok) -> {
                      if (ok) {
                        commits.incrementAndGet();
                        committedOps.addAndGet(size);
                      }
                    }));
    int appends = 200;

    List<CompletableFuture<AppendResult>> futures = new ArrayList<>();
    for (int i = 0; i < appends; i++) {
      futures.add(counted.append(event("evt_g" + i, "invoice.paid", T0, "handler")));
    }
    futures.forEach(
        f -> assertThat(f.orTimeout(30, TimeUnit.SECONDS).join()).isEqualTo(AppendResult.APPENDED));

    assertThat(committedOps.get()).isEqualTo(appends);
    assertThat(commits.get()).isLessThan(appends);
  }

  // ---------------------------------------------------------------- claims and leases

  @Test
  void claimHandsOutDueJobsWithAttemptOneAndThePayload() {
    NewEvent event = event("evt_1", "invoice.paid", T0, "mail", "ledger");
    append(event);

    List<ClaimedJob> claimed = store.claim(OWNER, 10, T0.plusSeconds(1), LEASE);

    assertThat(claimed)
        .extracting(ClaimedJob::subscriber)
        .containsExactlyInAnyOrder("mail", "ledger");
    for (ClaimedJob job : claimed) {
      assertThat(job.attempt()).isEqualTo(1);
      assertThat(job.envelope()).isEqualTo(event.envelope());
      assertThat(job.payload()).isEqualTo(event.payload());
      assertThat(job.receivedAt()).isEqualTo(T0);
    }
    assertThat(store.find("evt_1").orElseThrow().jobs())
        .allSatisfy(
            job -> {
              assertThat(job.state()).isEqualTo(JobState.RUNNING);
              assertThat(job.attempts()).isEqualTo(1);
            });
    assertThat(store.find("evt_1").orElseThrow().status()).isEqualTo(EventStatus.PENDING);
  }

  @Test
  void aClaimedJobIsNotClaimedAgain() {
    append(event("evt_1", "invoice.paid", T0, "mail"));
    assertThat(store.claim(OWNER, 10, T0, LEASE)).hasSize(1);

    assertThat(store.claim(OWNER, 10, T0.plusSeconds(1), LEASE)).isEmpty();
    assertThat(store.claim("worker-2", 10, T0.plusSeconds(1), LEASE)).isEmpty();
  }

  @Test
  void claimTakesAtMostMaxJobsOldestDueFirst() {
    append(event("evt_late", "invoice.paid", T0.plusSeconds(2), "h"));
    append(event("evt_early", "invoice.paid", T0, "h"));
    append(event("evt_middle", "invoice.paid", T0.plusSeconds(1), "h"));

    List<ClaimedJob> first = store.claim(OWNER, 2, T0.plusSeconds(10), LEASE);

    assertThat(first)
        .extracting(j -> j.envelope().id())
        .containsExactlyInAnyOrder("evt_early", "evt_middle");
    assertThat(store.claim(OWNER, 0, T0.plusSeconds(10), LEASE)).isEmpty();
    assertThat(store.claim(OWNER, 5, T0.plusSeconds(10), LEASE))
        .extracting(j -> j.envelope().id())
        .containsExactly("evt_late");
  }

  @Test
  void concurrentClaimersOnTwoStoresGetEachJobExactlyOnceAndNeverMoreThanTheyAsked()
      throws Exception {
    for (int i = 0; i < 100; i++) {
      append(event("evt_" + i, "invoice.paid", T0.plusMillis(i), "a", "b"));
    }
    JdbcInboxStore otherNode = open(StoreOptions.defaults());
    List<JdbcInboxStore> nodes = List.of(store, otherNode, store, otherNode);
    Instant now = T0.plusSeconds(1);
    ExecutorService pool = Executors.newFixedThreadPool(nodes.size());
    AtomicInteger largestBatch = new AtomicInteger();
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<ClaimedJob>>> claimers = new ArrayList<>();
      for (int i = 0; i < nodes.size(); i++) {
        JdbcInboxStore node = nodes.get(i);
        String owner = "worker-" + i;
        claimers.add(
            pool.submit(
                () -> {
                  start.await();
                  List<ClaimedJob> mine = new ArrayList<>();
                  List<ClaimedJob> batch;
                  while (!(batch = node.claim(owner, 7, now, LEASE)).isEmpty()) {
                    mine.addAll(batch);
                    largestBatch.accumulateAndGet(batch.size(), Math::max);
                  }
                  return mine;
                }));
      }
      start.countDown();
      List<ClaimedJob> all = new ArrayList<>();
      for (Future<List<ClaimedJob>> claimer : claimers) {
        all.addAll(claimer.get(30, TimeUnit.SECONDS));
      }

      assertThat(all).hasSize(200);
      assertThat(all).extracting(ClaimedJob::jobId).doesNotHaveDuplicates();
      assertThat(all).extracting(ClaimedJob::attempt).containsOnly(1);
      assertThat(largestBatch).hasValueLessThanOrEqualTo(7);
      assertThat(store.jobCounts()).isEqualTo(Map.of(JobState.RUNNING, 200L));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void succeedMarksTheJobSucceededAndTheEventProcessed() {
    append(event("evt_1", "invoice.paid", T0, "h"));
    ClaimedJob job = store.claim(OWNER, 1, T0, LEASE).get(0);

    assertThat(store.succeed(job.jobId(), OWNER, T0.plusSeconds(2))).isTrue();

    StoredEvent found = store.find("evt_1").orElseThrow();
    assertThat(found.jobs())
        .containsExactly(new JobView("h", JobState.SUCCEEDED, 1, null, null, T0.plusSeconds(2)));
    assertThat(found.status()).isEqualTo(EventStatus.PROCESSED);
    assertThat(store.claim(OWNER, 10, T0.plusSeconds(3600), LEASE)).isEmpty();
  }

  @Test
  void aFailedJobWithANextAttemptRetriesAtThatTimeAndNotBefore() {
    append(event("evt_1", "invoice.paid", T0, "h"));
    ClaimedJob job = store.claim(OWNER, 1, T0, LEASE).get(0);
    Instant retryAt = T0.plusSeconds(60);

    assertThat(store.fail(job.jobId(), OWNER, "HTTP 500", T0.plusSeconds(1), Optional.of(retryAt)))
        .isTrue();

    StoredEvent found = store.find("evt_1").orElseThrow();
    assertThat(found.jobs())
        .containsExactly(new JobView("h", JobState.RETRYING, 1, "HTTP 500", retryAt, null));
    assertThat(found.status()).isEqualTo(EventStatus.RETRYING);
    assertThat(store.nextDueAt()).contains(retryAt);
    assertThat(store.claim(OWNER, 10, retryAt.minusMillis(1), LEASE)).isEmpty();
    List<ClaimedJob> retried = store.claim(OWNER, 10, retryAt, LEASE);
    assertThat(retried).hasSize(1);
    assertThat(retried.get(0).jobId()).isEqualTo(job.jobId());
    assertThat(retried.get(0).attempt()).isEqualTo(2);
  }

  @Test
  void aFailedJobWithoutANextAttemptIsDead() {
    append(event("evt_1", "invoice.paid", T0, "h"));
    ClaimedJob job = store.claim(OWNER, 1, T0, LEASE).get(0);

    assertThat(store.fail(job.jobId(), OWNER, "gave up", T0.plusSeconds(1), Optional.empty()))
        .isTrue();

    StoredEvent found = store.find("evt_1").orElseThrow();
    assertThat(found.jobs())
        .containsExactly(new JobView("h", JobState.DEAD, 1, "gave up", null, T0.plusSeconds(1)));
    assertThat(found.status()).isEqualTo(EventStatus.DEAD);
    assertThat(store.nextDueAt()).isEmpty();
    assertThat(store.claim(OWNER, 10, T0.plus(Duration.ofDays(30)), LEASE)).isEmpty();
  }

  @Test
  void anotherOwnerCannotSucceedOrFailAJob() {
    append(event("evt_1", "invoice.paid", T0, "h"));
    ClaimedJob job = store.claim(OWNER, 1, T0, LEASE).get(0);

    assertThat(store.succeed(job.jobId(), "worker-2", T0.plusSeconds(1))).isFalse();
    assertThat(store.fail(job.jobId(), "worker-2", "x", T0.plusSeconds(1), Optional.empty()))
        .isFalse();

    assertThat(store.find("evt_1").orElseThrow().jobs().get(0).state()).isEqualTo(JobState.RUNNING);
    assertThat(store.succeed(job.jobId(), OWNER, T0.plusSeconds(2))).isTrue();
  }

  @Test
  void theOwnerCannotSucceedOrFailAfterItsLeaseWasReaped() {
    append(event("evt_1", "invoice.paid", T0, "h"));
    ClaimedJob job = store.claim(OWNER, 1, T0, LEASE).get(0);
    Instant afterExpiry = T0.plus(LEASE).plusMillis(1);
    assertThat(store.reapExpiredLeases(afterExpiry)).isEqualTo(1);

    assertThat(store.succeed(job.jobId(), OWNER, afterExpiry)).isFalse();
    assertThat(
            store.fail(
                job.jobId(), OWNER, "late", afterExpiry, Optional.of(afterExpiry.plusSeconds(9))))
        .isFalse();

    assertThat(store.find("evt_1").orElseThrow().jobs().get(0).state()).isEqualTo(JobState.PENDING);
  }

  @Test
  void reapLeavesLeasesThatHaveNotExpired() {
    append(event("evt_1", "invoice.paid", T0, "h"));
    store.claim(OWNER, 1, T0, LEASE);

    assertThat(store.reapExpiredLeases(T0.plus(LEASE))).isZero();
    assertThat(store.find("evt_1").orElseThrow().jobs().get(0).state()).isEqualTo(JobState.RUNNING);
  }

  @Test
  void aRenewedLeaseIsNotReapedBeforeItsNewExpiry() {
    append(event("evt_1", "invoice.paid", T0, "h"));
    ClaimedJob job = store.claim(OWNER, 1, T0, LEASE).get(0);
    Instant renewedUntil = T0.plusSeconds(90);

    store.renewLeases(OWNER, List.of(job.jobId()), renewedUntil);

    assertThat(store.reapExpiredLeases(T0.plusSeconds(60))).isZero();
    assertThat(store.succeed(job.jobId(), OWNER, T0.plusSeconds(61))).isTrue();
  }

  @Test
  void renewingAnotherOwnersLeaseDoesNotExtendIt() {
    append(event("evt_1", "invoice.paid", T0, "h"));
    ClaimedJob job = store.claim(OWNER, 1, T0, LEASE).get(0);

    store.renewLeases("worker-2", List.of(job.jobId()), T0.plusSeconds(90));

    assertThat(store.reapExpiredLeases(T0.plusSeconds(60))).isEqualTo(1);
  }

  @Test
  void anExpiredLeaseReturnsTheJobToPendingAndItIsClaimedWithAttemptTwo() {
    append(event("evt_1", "invoice.paid", T0, "h"));
    ClaimedJob job = store.claim(OWNER, 1, T0, LEASE).get(0);
    Instant reapedAt = T0.plusSeconds(31);

    assertThat(store.reapExpiredLeases(reapedAt)).isEqualTo(1);

    JobView reaped = store.find("evt_1").orElseThrow().jobs().get(0);
    assertThat(reaped.state()).isEqualTo(JobState.PENDING);
    assertThat(reaped.attempts()).isEqualTo(1);
    List<ClaimedJob> again = store.claim("worker-2", 1, reapedAt, LEASE);
    assertThat(again).hasSize(1);
    assertThat(again.get(0).jobId()).isEqualTo(job.jobId());
    assertThat(again.get(0).attempt()).isEqualTo(2);
  }

  @Test
  void nextDueAtIsTheEarliestPendingOrRetryingJob() {
    assertThat(store.nextDueAt()).isEmpty();
    append(event("evt_1", "invoice.paid", T0.plusSeconds(5), "h"));
    append(event("evt_2", "invoice.paid", T0.plusSeconds(3), "h"));

    assertThat(store.nextDueAt()).contains(T0.plusSeconds(3));

    store.claim(OWNER, 10, T0.plusSeconds(10), LEASE);
    assertThat(store.nextDueAt()).isEmpty();
  }

  @Test
  void jobCountsCountJobsByState() {
    append(event("evt_1", "invoice.paid", T0, "a", "b", "c", "d"));
    Map<String, ClaimedJob> jobs = claimAll(T0);
    store.succeed(jobs.get("evt_1/a").jobId(), OWNER, T0);
    store.fail(jobs.get("evt_1/b").jobId(), OWNER, "x", T0, Optional.of(T0.plusSeconds(9)));
    store.fail(jobs.get("evt_1/c").jobId(), OWNER, "x", T0, Optional.empty());
    append(event("evt_2", "invoice.paid", T0, "a"));

    assertThat(store.jobCounts())
        .isEqualTo(
            Map.of(
                JobState.SUCCEEDED, 1L,
                JobState.RETRYING, 1L,
                JobState.DEAD, 1L,
                JobState.RUNNING, 1L,
                JobState.PENDING, 1L));
  }

  // ---------------------------------------------------------------- status and listing

  @Test
  void anEventsStatusIsDerivedFromItsJobs() {
    givenEventsInEveryStatus();

    assertThat(statusOf("evt_no_subscribers")).isEqualTo(EventStatus.PROCESSED);
    assertThat(statusOf("evt_all_succeeded")).isEqualTo(EventStatus.PROCESSED);
    assertThat(statusOf("evt_pending")).isEqualTo(EventStatus.PENDING);
    assertThat(statusOf("evt_succeeded_and_running")).isEqualTo(EventStatus.PENDING);
    assertThat(statusOf("evt_retrying_and_succeeded")).isEqualTo(EventStatus.RETRYING);
    assertThat(statusOf("evt_dead_and_retrying")).isEqualTo(EventStatus.DEAD);
  }

  @Test
  void listFiltersByDerivedStatus() {
    givenEventsInEveryStatus();

    assertThat(ids(EventQuery.latest(100).withStatus(EventStatus.PROCESSED)))
        .containsExactlyInAnyOrder("evt_no_subscribers", "evt_all_succeeded");
    assertThat(ids(EventQuery.latest(100).withStatus(EventStatus.PENDING)))
        .containsExactlyInAnyOrder("evt_pending", "evt_succeeded_and_running");
    assertThat(ids(EventQuery.latest(100).withStatus(EventStatus.RETRYING)))
        .containsExactly("evt_retrying_and_succeeded");
    assertThat(ids(EventQuery.latest(100).withStatus(EventStatus.DEAD)))
        .containsExactly("evt_dead_and_retrying");
    assertThat(store.list(EventQuery.latest(100).withStatus(EventStatus.DEAD)).get(0).status())
        .isEqualTo(EventStatus.DEAD);
  }

  @Test
  void listReturnsNewestFirstUpToTheLimitWithoutJobs() {
    append(event("evt_a", "invoice.paid", T0, "h"));
    append(event("evt_c", "invoice.paid", T0.plusSeconds(2), "h"));
    append(event("evt_b", "invoice.paid", T0.plusSeconds(1), "h"));

    List<StoredEvent> listed = store.list(EventQuery.latest(2));

    assertThat(listed).extracting(e -> e.envelope().id()).containsExactly("evt_c", "evt_b");
    assertThat(listed).allSatisfy(e -> assertThat(e.jobs()).isEmpty());
    assertThat(listed.get(0).status()).isEqualTo(EventStatus.PENDING);
    assertThat(listed.get(0).endpoint()).isEqualTo("default");
    assertThat(listed.get(0).receivedAt()).isEqualTo(T0.plusSeconds(2));
  }

  @Test
  void listFiltersByExactTypeAndByTypePrefix() {
    append(event("evt_paid", "invoice.paid", T0, "h"));
    append(event("evt_failed", "invoice.payment_failed", T0.plusSeconds(1), "h"));
    append(event("evt_item", "invoiceitem.created", T0.plusSeconds(2), "h"));
    append(event("evt_pi", "payment_intent.succeeded", T0.plusSeconds(3), "h"));

    assertThat(ids(EventQuery.latest(10).withType("invoice.paid"))).containsExactly("evt_paid");
    assertThat(ids(EventQuery.latest(10).withType("invoice.*")))
        .containsExactly("evt_failed", "evt_paid");
    assertThat(ids(EventQuery.latest(10).withType("invoice"))).isEmpty();
    assertThat(ids(EventQuery.latest(10).withType("*"))).hasSize(4);
  }

  @Test
  void listFiltersBySinceInclusiveAndBeforeExclusive() {
    for (int i = 0; i < 5; i++) {
      append(event("evt_" + i, "invoice.paid", T0.plusSeconds(i), "h"));
    }

    assertThat(ids(EventQuery.latest(10).withSince(T0.plusSeconds(3))))
        .containsExactly("evt_4", "evt_3");
    assertThat(ids(EventQuery.latest(10).withBefore(T0.plusSeconds(2))))
        .containsExactly("evt_1", "evt_0");
    assertThat(
            ids(EventQuery.latest(10).withSince(T0.plusSeconds(1)).withBefore(T0.plusSeconds(3))))
        .containsExactly("evt_2", "evt_1");
    assertThat(ids(EventQuery.latest(1).withBefore(T0.plusSeconds(3)))).containsExactly("evt_2");
  }

  @Test
  void listAfterAnEventResumesRightAfterItInsideAMillisecond() {
    append(event("evt_next", "invoice.paid", T0.plusMillis(1), "h"));
    for (String id : List.of("evt_a", "evt_b", "evt_c", "evt_d")) {
      append(event(id, "invoice.paid", T0, "h"));
    }
    append(event("evt_prev", "customer.created", T0.minusMillis(1), "h"));

    assertThat(ids(EventQuery.latest(10).after(T0, "evt_c")))
        .containsExactly("evt_b", "evt_a", "evt_prev");
    assertThat(ids(EventQuery.latest(2).after(T0, "evt_d"))).containsExactly("evt_c", "evt_b");
    assertThat(ids(EventQuery.latest(10).after(T0.plusMillis(1), "evt_next")))
        .containsExactly("evt_d", "evt_c", "evt_b", "evt_a", "evt_prev");
    assertThat(ids(EventQuery.latest(10).withType("invoice.paid").after(T0, "evt_b")))
        .containsExactly("evt_a");
  }

  // ---------------------------------------------------------------- replay

  @Test
  void replayByIdRequeuesFinishedAndWaitingJobsButNotRunningOnes() {
    append(event("evt_1", "invoice.paid", T0, "done", "dead", "retry", "busy"));
    Map<String, ClaimedJob> jobs = claimAll(T0);
    store.succeed(jobs.get("evt_1/done").jobId(), OWNER, T0.plusSeconds(1));
    store.fail(jobs.get("evt_1/dead").jobId(), OWNER, "x", T0.plusSeconds(1), Optional.empty());
    store.fail(
        jobs.get("evt_1/retry").jobId(),
        OWNER,
        "x",
        T0.plusSeconds(1),
        Optional.of(T0.plusSeconds(600)));
    Instant replayedAt = T0.plusSeconds(5);

    assertThat(store.replay(List.of("evt_1", "evt_unknown"), replayedAt)).isEqualTo(3);

    Map<String, JobView> after = jobsBySubscriber("evt_1");
    for (String subscriber : List.of("done", "dead", "retry")) {
      assertThat(after.get(subscriber).state()).as(subscriber).isEqualTo(JobState.PENDING);
      assertThat(after.get(subscriber).attempts()).as(subscriber).isZero();
      assertThat(after.get(subscriber).finishedAt()).as(subscriber).isNull();
    }
    assertThat(after.get("busy").state()).isEqualTo(JobState.RUNNING);
    assertThat(after.get("busy").attempts()).isEqualTo(1);
    assertThat(store.claim(OWNER, 10, replayedAt, LEASE))
        .extracting(ClaimedJob::subscriber, ClaimedJob::attempt)
        .containsExactlyInAnyOrder(tuple("done", 1), tuple("dead", 1), tuple("retry", 1));
    assertThat(store.succeed(jobs.get("evt_1/busy").jobId(), OWNER, replayedAt)).isTrue();
  }

  @Test
  void aReplayedJobCountsItsAgeFromTheReplayAndNotFromItsEvent() {
    append(event("evt_old", "invoice.paid", T0, "h"));
    ClaimedJob first = claimAll(T0).get("evt_old/h");
    store.fail(first.jobId(), OWNER, "x", T0, Optional.empty());
    Instant replayedAt = T0.plus(Duration.ofDays(10));

    store.replay(List.of("evt_old"), replayedAt);

    ClaimedJob again = store.claim(OWNER, 10, replayedAt, LEASE).get(0);
    assertThat(first.queuedAt()).isEqualTo(T0);
    assertThat(again.receivedAt()).isEqualTo(T0);
    assertThat(again.queuedAt()).isEqualTo(replayedAt);
  }

  @Test
  void replayOfUnknownIdsRequeuesNothing() {
    assertThat(store.replay(List.of("evt_nope"), T0)).isZero();
    assertThat(store.replay(List.of(), T0)).isZero();
  }

  @Test
  void replayByDeadStatusRequeuesOnlyTheDeadJobs() {
    append(event("evt_dead", "invoice.paid", T0, "broken", "fine"));
    append(event("evt_ok", "invoice.paid", T0, "fine"));
    Map<String, ClaimedJob> jobs = claimAll(T0);
    store.fail(jobs.get("evt_dead/broken").jobId(), OWNER, "x", T0, Optional.empty());
    store.succeed(jobs.get("evt_dead/fine").jobId(), OWNER, T0);
    store.succeed(jobs.get("evt_ok/fine").jobId(), OWNER, T0);

    int replayed =
        store.replay(EventQuery.latest(100).withStatus(EventStatus.DEAD), T0.plusSeconds(9));

    assertThat(replayed).isEqualTo(1);
    Map<String, JobView> dead = jobsBySubscriber("evt_dead");
    assertThat(dead.get("broken").state()).isEqualTo(JobState.PENDING);
    assertThat(dead.get("broken").attempts()).isZero();
    assertThat(dead.get("fine").state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(dead.get("fine").attempts()).isEqualTo(1);
    assertThat(statusOf("evt_dead")).isEqualTo(EventStatus.PENDING);
    assertThat(statusOf("evt_ok")).isEqualTo(EventStatus.PROCESSED);
  }

  @Test
  void replayByStatusHonoursTheTypeAndSinceFilters() {
    append(event("evt_old_invoice", "invoice.paid", T0, "h"));
    append(event("evt_new_invoice", "invoice.paid", T0.plusSeconds(100), "h"));
    append(event("evt_new_charge", "charge.succeeded", T0.plusSeconds(100), "h"));
    claimAll(T0.plusSeconds(100))
        .values()
        .forEach(job -> store.fail(job.jobId(), OWNER, "x", T0.plusSeconds(100), Optional.empty()));

    int replayed =
        store.replay(
            EventQuery.latest(100)
                .withStatus(EventStatus.DEAD)
                .withType("invoice.*")
                .withSince(T0.plusSeconds(50)),
            T0.plusSeconds(200));

    assertThat(replayed).isEqualTo(1);
    assertThat(statusOf("evt_new_invoice")).isEqualTo(EventStatus.PENDING);
    assertThat(statusOf("evt_old_invoice")).isEqualTo(EventStatus.DEAD);
    assertThat(statusOf("evt_new_charge")).isEqualTo(EventStatus.DEAD);
  }

  @Test
  void replayByPendingStatusOrWithoutStatusIsRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () -> store.replay(EventQuery.latest(10).withStatus(EventStatus.PENDING), T0));
    assertThrows(IllegalArgumentException.class, () -> store.replay(EventQuery.latest(10), T0));
  }

  // ---------------------------------------------------------------- retention

  @Test
  void pruneDeletesOnlyOldEventsWhoseWorkIsDone() {
    Instant cutoff = T0.plus(Duration.ofDays(1));
    append(event("evt_old_done", "invoice.paid", T0, "a", "b"));
    append(event("evt_old_no_jobs", "invoice.paid", T0));
    append(event("evt_old_running", "invoice.paid", T0, "a"));
    append(event("evt_old_retrying", "invoice.paid", T0, "a"));
    append(event("evt_old_dead", "invoice.paid", T0, "a"));
    append(event("evt_old_half_done", "invoice.paid", T0, "a", "b"));
    append(event("evt_new_done", "invoice.paid", cutoff, "a"));
    Map<String, ClaimedJob> jobs = claimAll(cutoff);
    store.succeed(jobs.get("evt_old_done/a").jobId(), OWNER, cutoff);
    store.succeed(jobs.get("evt_old_done/b").jobId(), OWNER, cutoff);
    store.succeed(jobs.get("evt_old_half_done/a").jobId(), OWNER, cutoff);
    store.succeed(jobs.get("evt_new_done/a").jobId(), OWNER, cutoff);
    store.fail(
        jobs.get("evt_old_retrying/a").jobId(),
        OWNER,
        "x",
        cutoff,
        Optional.of(cutoff.plusSeconds(3600)));
    store.fail(jobs.get("evt_old_dead/a").jobId(), OWNER, "x", cutoff, Optional.empty());
    append(event("evt_old_pending", "invoice.paid", T0, "a")); // after the claim: stays pending

    assertThat(store.prune(cutoff)).isEqualTo(2);

    assertThat(store.find("evt_old_done")).isEmpty();
    assertThat(store.payload("evt_old_done")).isEmpty();
    assertThat(store.find("evt_old_no_jobs")).isEmpty();
    for (String kept :
        List.of(
            "evt_old_pending",
            "evt_old_running",
            "evt_old_retrying",
            "evt_old_dead",
            "evt_old_half_done",
            "evt_new_done")) {
      assertThat(store.find(kept)).as(kept).isPresent();
    }
    assertThat(statusOf("evt_old_pending")).isEqualTo(EventStatus.PENDING);
    assertThat(jobsBySubscriber("evt_old_running").get("a").state()).isEqualTo(JobState.RUNNING);
    assertThat(jobsBySubscriber("evt_old_half_done")).hasSize(2);
    assertThat(store.jobCounts().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(7);
  }

  // ---------------------------------------------------------------- settings and schema

  @Test
  void putSettingIfAbsentKeepsTheFirstValue() {
    assertThat(store.setting("secret")).isEmpty();

    assertThat(store.putSettingIfAbsent("secret", "whsec_first")).isEqualTo("whsec_first");
    assertThat(store.putSettingIfAbsent("secret", "whsec_second")).isEqualTo("whsec_first");

    assertThat(store.setting("secret")).contains("whsec_first");
  }

  @Test
  void dataAndSettingsSurviveReopeningTheStore() throws SQLException {
    append(event("evt_1", "invoice.paid", T0, "h"));
    store.putSettingIfAbsent("secret", "whsec_kept");
    store.close();

    JdbcInboxStore reopened = open(StoreOptions.defaults());

    assertThat(reopened.find("evt_1")).isPresent();
    assertThat(reopened.setting("secret")).contains("whsec_kept");
    assertThat(appliedSchemaVersions(location)).isEqualTo(everyVersion());
  }

  @Test
  void openingTheSameDatabaseTwiceMigratesOnce() throws SQLException {
    JdbcInboxStore second = open(StoreOptions.defaults());

    assertThat(second.isReady()).isTrue();
    assertThat(appliedSchemaVersions(location)).isEqualTo(everyVersion());
  }

  @Test
  void storesOpeningANewDatabaseTogetherMigrateItOnce() throws Exception {
    // The race is narrow: many rounds, each on a new database, make a regression show.
    for (int round = 0; round < openingRounds(); round++) {
      String fresh = createDatabase();
      int nodes = 4;
      ExecutorService pool = Executors.newFixedThreadPool(nodes);
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<JdbcInboxStore>> opening = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
          opening.add(
              pool.submit(
                  () -> {
                    start.await();
                    return JdbcInboxStore.open(fresh);
                  }));
        }
        start.countDown();
        for (Future<JdbcInboxStore> node : opening) {
          try (JdbcInboxStore store = node.get(30, TimeUnit.SECONDS)) {
            assertThat(store.isReady()).isTrue();
          }
        }
      } finally {
        pool.shutdownNow();
      }

      assertThat(appliedSchemaVersions(fresh)).isEqualTo(everyVersion());
    }
  }

  @Test
  void aDatabaseOfTheFirstSchemaIsMigratedAndItsJobsCountTheirAgeFromTheirEvents()
      throws SQLException {
    append(event("evt_before", "invoice.paid", T0, "h"));
    store.close();
    try (Connection c = connect(location);
        Statement st = c.createStatement()) {
      st.execute("ALTER TABLE jobs DROP COLUMN queued_at");
      st.execute("DELETE FROM stripe_inbox_schema WHERE version > 1");
    }

    store = open(StoreOptions.defaults());

    assertThat(appliedSchemaVersions(location)).isEqualTo(everyVersion());
    ClaimedJob job = store.claim(OWNER, 10, T0, LEASE).get(0);
    assertThat(job.queuedAt()).isEqualTo(T0);
  }

  // ---------------------------------------------------------------- lifecycle

  @Test
  void anOpenStoreIsReadyAndAClosedOneIsNot() {
    assertThat(store.isReady()).isTrue();

    store.close();

    assertThat(store.isReady()).isFalse();
  }

  @Test
  void appendingToAClosedStoreFailsWithStoreUnavailable() {
    store.close();

    CompletableFuture<AppendResult> append = store.append(event("evt_1", "invoice.paid", T0));

    CompletionException thrown = assertThrows(CompletionException.class, append::join);
    assertThat(thrown).hasCauseInstanceOf(StoreUnavailableException.class);
  }

  // ---------------------------------------------------------------- helpers

  static Envelope envelope(String id, String type) {
    return new Envelope(
        id,
        "event",
        type,
        T0.minusSeconds(1),
        false,
        "2025-01-27.acacia",
        null,
        "obj_" + id,
        type.substring(0, type.indexOf('.')));
  }

  static NewEvent event(String id, String type, Instant receivedAt, String... subscribers) {
    byte[] payload =
        ("{\"id\":\"" + id + "\",\"object\":\"event\",\"type\":\"" + type + "\"}").getBytes(UTF_8);
    return new NewEvent(envelope(id, type), payload, "default", receivedAt, List.of(subscribers));
  }

  AppendResult append(NewEvent event) {
    return store.append(event).orTimeout(30, TimeUnit.SECONDS).join();
  }

  /** Appends every delivery from {@code threads} threads at once, spreading them over stores. */
  static List<AppendResult> appendConcurrently(
      List<JdbcInboxStore> stores, List<NewEvent> deliveries, int threads) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<AppendResult>> futures = new ArrayList<>();
      for (int i = 0; i < deliveries.size(); i++) {
        JdbcInboxStore target = stores.get(i % stores.size());
        NewEvent event = deliveries.get(i);
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  return target.append(event).get(30, TimeUnit.SECONDS);
                }));
      }
      start.countDown();
      List<AppendResult> results = new ArrayList<>();
      for (Future<AppendResult> future : futures) {
        results.add(future.get(60, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Each event twice in a row, so that consecutive deliveries go to different stores. */
  static List<NewEvent> interleave(List<NewEvent> events) {
    List<NewEvent> out = new ArrayList<>();
    for (NewEvent event : events) {
      out.add(event);
      out.add(event);
    }
    return out;
  }

  /** Claims every due job as {@link #OWNER}, keyed {@code eventId/subscriber}. */
  Map<String, ClaimedJob> claimAll(Instant now) {
    Map<String, ClaimedJob> jobs = new HashMap<>();
    for (ClaimedJob job : store.claim(OWNER, 1000, now, LEASE)) {
      jobs.put(job.envelope().id() + "/" + job.subscriber(), job);
    }
    return jobs;
  }

  /** Events whose jobs put them in every derived status. */
  void givenEventsInEveryStatus() {
    append(event("evt_no_subscribers", "invoice.paid", T0));
    append(event("evt_all_succeeded", "invoice.paid", T0, "a", "b"));
    append(event("evt_succeeded_and_running", "invoice.paid", T0, "a", "b"));
    append(event("evt_retrying_and_succeeded", "invoice.paid", T0, "a", "b"));
    append(event("evt_dead_and_retrying", "invoice.paid", T0, "a", "b"));
    Map<String, ClaimedJob> jobs = claimAll(T0);
    Instant now = T0.plusSeconds(1);
    Optional<Instant> later = Optional.of(T0.plusSeconds(600));
    store.succeed(jobs.get("evt_all_succeeded/a").jobId(), OWNER, now);
    store.succeed(jobs.get("evt_all_succeeded/b").jobId(), OWNER, now);
    store.succeed(jobs.get("evt_succeeded_and_running/a").jobId(), OWNER, now);
    store.fail(jobs.get("evt_retrying_and_succeeded/a").jobId(), OWNER, "x", now, later);
    store.succeed(jobs.get("evt_retrying_and_succeeded/b").jobId(), OWNER, now);
    store.fail(jobs.get("evt_dead_and_retrying/a").jobId(), OWNER, "x", now, Optional.empty());
    store.fail(jobs.get("evt_dead_and_retrying/b").jobId(), OWNER, "x", now, later);
    append(event("evt_pending", "invoice.paid", T0.plusSeconds(2), "a"));
  }

  EventStatus statusOf(String eventId) {
    return store.find(eventId).orElseThrow().status();
  }

  Map<String, JobView> jobsBySubscriber(String eventId) {
    Map<String, JobView> jobs = new HashMap<>();
    for (JobView job : store.find(eventId).orElseThrow().jobs()) {
      jobs.put(job.subscriber(), job);
    }
    return jobs;
  }

  List<String> ids(EventQuery query) {
    return store.list(query).stream().map(e -> e.envelope().id()).toList();
  }

  /** Every schema version, from the first to this build's: each one's migration ran once. */
  static List<Integer> everyVersion() {
    List<Integer> versions = new ArrayList<>();
    for (int v = 1; v <= Migrations.latestVersion(); v++) {
      versions.add(v);
    }
    return versions;
  }

  List<Integer> appliedSchemaVersions(String location) throws SQLException {
    List<Integer> versions = new ArrayList<>();
    try (Connection c = connect(location);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT version FROM stripe_inbox_schema ORDER BY version")) {
      while (rs.next()) {
        versions.add(rs.getInt(1));
      }
    }
    return versions;
  }
}
