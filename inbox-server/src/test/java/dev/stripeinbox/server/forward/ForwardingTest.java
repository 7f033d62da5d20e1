package dev.stripeinbox.server.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stripeinbox.StripeInbox;
import dev.stripeinbox.dispatch.DispatchListener;
import dev.stripeinbox.dispatch.DispatcherOptions;
import dev.stripeinbox.dispatch.RetryPolicy;
import dev.stripeinbox.dispatch.TypeFilter;
import dev.stripeinbox.inbox.EventStatus;
import dev.stripeinbox.inbox.JobState;
import dev.stripeinbox.inbox.JobView;
import dev.stripeinbox.jdbc.JdbcInboxStore;
import dev.stripeinbox.receive.Reception;
import dev.stripeinbox.testkit.EventTemplates;
import dev.stripeinbox.testkit.Signer;
import dev.stripeinbox.testkit.TriggerOptions;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forwarding to a real downstream HTTP server over real sockets, through the job system and a real
 * SQLite store: signatures, exact bytes, retries, dead letters and replay, redirects, timeouts and
 * the bound on deliveries in flight.
 */
class ForwardingTest {
  static final String WEBHOOK_SECRET = "whsec_forwarding_tests_inbound_0001";
  static final String FORWARD_SECRET = "whsec_forwarding_tests_downstream_01";
  static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;
  final List<int[]> forwardStatuses = new CopyOnWriteArrayList<>();
  final Forwarder forwarder =
      new Forwarder(
          Clock.systemUTC(), (name, status, nanos) -> forwardStatuses.add(new int[] {status}));
  final List<Downstream> downstreams = new ArrayList<>();
  JdbcInboxStore store;
  StripeInbox inbox;

  @AfterEach
  void stop() {
    if (inbox != null) {
      inbox.close();
    }
    forwarder.close();
    if (store != null) {
      store.close();
    }
    downstreams.forEach(Downstream::close);
  }

  Downstream downstream() throws Exception {
    Downstream d = Downstream.start(FORWARD_SECRET);
    downstreams.add(d);
    return d;
  }

  static RetryPolicy quickRetries(int attempts, Duration initial) {
    return RetryPolicy.defaults().withMaxAttempts(attempts).withBackoff(initial).withJitter(0);
  }

  static Destination destination(String name, URI url, RetryPolicy retries) {
    return new Destination(
        name,
        url,
        FORWARD_SECRET,
        TypeFilter.all(),
        Duration.ofSeconds(5),
        retries,
        Destination.DEFAULT_MAX_CONCURRENCY);
  }

  static Destination withTimeout(Destination d, Duration timeout) {
    return new Destination(
        d.name(), d.url(), d.secret(), d.types(), timeout, d.retryPolicy(), d.maxConcurrency());
  }

  static Destination withMaxConcurrency(Destination d, int max) {
    return new Destination(
        d.name(), d.url(), d.secret(), d.types(), d.timeout(), d.retryPolicy(), max);
  }

  StripeInbox start(int workers, DispatchListener listener, Destination... destinations) {
    store = JdbcInboxStore.open(dir.resolve("inbox.db").toString());
    StripeInbox.Builder builder =
        StripeInbox.builder()
            .store(store)
            .secrets(WEBHOOK_SECRET)
            .dispatchListener(listener)
            .dispatcherOptions(
                DispatcherOptions.defaults()
                    .withWorkers(workers)
                    .withPollInterval(Duration.ofMillis(20))
                    .withShutdownTimeout(Duration.ofSeconds(3)));
    for (Destination d : destinations) {
      builder.subscriber(forwarder.subscriber(d));
    }
    inbox = builder.build();
    inbox.start();
    return inbox;
  }

  StripeInbox start(Destination... destinations) {
    return start(8, DispatchListener.NONE, destinations);
  }

  /** Delivers a fresh signed event of this type; returns its id. */
  String deliver(String type, Map<String, byte[]> bodies) {
    Instant now = Instant.now();
    byte[] body = EventTemplates.build(type, TriggerOptions.at(now));
    Reception reception =
        inbox.receive(body, Signer.header(body, WEBHOOK_SECRET, now.getEpochSecond()));
    assertThat(reception.outcome()).isEqualTo(Reception.Outcome.RECEIVED);
    bodies.put(reception.eventId(), body);
    return reception.eventId();
  }

  JobView job(String eventId, String subscriber) {
    return store.find(eventId).orElseThrow().jobs().stream()
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

  static Predicate<JobView> in(JobState state) {
    return j -> j.state() == state;
  }

  @Test
  void downstreamVerifiesTheFreshSignatureAndReceivesTheExactBytesAndInboxHeaders()
      throws Exception {
    Downstream all = downstream();
    Downstream invoices = downstream();
    Destination everything = destination("everything", all.url(), RetryPolicy.defaults());
    Destination invoiceOnly =
        new Destination(
            "invoices",
            invoices.url(),
            FORWARD_SECRET,
            TypeFilter.of(List.of("invoice.*")),
            Duration.ofSeconds(5),
            RetryPolicy.defaults(),
            4);
    start(everything, invoiceOnly);
    Map<String, byte[]> bodies = new LinkedHashMap<>();
    String checkout = deliver("checkout.session.completed", bodies);
    String invoice = deliver("invoice.paid", bodies);
    String customer = deliver("customer.created", bodies);

    for (String id : bodies.keySet()) {
      awaitJob(id, "forward:everything", in(JobState.SUCCEEDED));
    }
    awaitJob(invoice, "forward:invoices", in(JobState.SUCCEEDED));

    assertThat(all.verificationFailures()).isEmpty();
    assertThat(all.requests()).hasSize(3);
    for (Downstream.Request r : all.requests()) {
      assertThat(r.body()).as("the exact original bytes").isEqualTo(bodies.get(r.eventId()));
      assertThat(r.verifiedEventId()).isEqualTo(r.eventId());
      assertThat(r.attempt()).isEqualTo("1");
      assertThat(r.contentType()).isEqualTo("application/json; charset=utf-8");
      assertThat(r.userAgent()).isEqualTo("stripe-inbox");
    }
    assertThat(all.requests())
        .extracting(Downstream.Request::eventId)
        .containsExactlyInAnyOrder(checkout, invoice, customer);
    assertThat(invoices.requests())
        .as("a destination gets only the types it subscribes to")
        .extracting(Downstream.Request::eventId)
        .containsExactly(invoice);
    assertThat(store.find(checkout).orElseThrow().jobs())
        .extracting(JobView::subscriber)
        .containsExactly("forward:everything");
    assertThat(forwardStatuses).hasSize(4).allSatisfy(s -> assertThat(s[0]).isEqualTo(200));
  }

  @Test
  void oneDestinationsDeliveriesReuseOneKeepAliveConnection() throws Exception {
    Downstream down = downstream();
    start(destination("orders", down.url(), RetryPolicy.defaults()));
    for (int i = 0; i < 5; i++) {
      String id = deliver("invoice.paid", new LinkedHashMap<>());
      awaitJob(id, "forward:orders", in(JobState.SUCCEEDED));
    }

    assertThat(down.requests()).hasSize(5);
    assertThat(down.requests().stream().map(Downstream.Request::remotePort).distinct())
        .as("one pooled connection, not one per delivery")
        .hasSize(1);
  }

  /** The store's view of a job just after one of its attempts failed. */
  record Failure(String eventId, JobView job, Instant seenAt) {}

  @Test
  void downstreamAnsweringHttp500ForAWhileGetsEveryEventAndTheStoreRecordsAttemptsAndBackoff()
      throws Exception {
    Downstream down = downstream().answering((eventId, nth) -> nth <= 2 ? 500 : 200);
    Duration initial = Duration.ofMillis(100);
    List<Failure> failures = new CopyOnWriteArrayList<>();
    // Reads the store as each failure is recorded, before the retry can run.
    DispatchListener snapshot =
        (job, outcome, error, nanos) -> {
          if (outcome == DispatchListener.Outcome.RETRYING) {
            Instant seen = Instant.now();
            String id = job.envelope().id();
            failures.add(new Failure(id, job(id, job.subscriber()), seen));
          }
        };
    start(8, snapshot, destination("orders", down.url(), quickRetries(6, initial)));
    Map<String, byte[]> bodies = new LinkedHashMap<>();
    for (String type : List.of("invoice.paid", "charge.succeeded", "customer.created")) {
      deliver(type, bodies);
    }

    for (String id : bodies.keySet()) {
      JobView done = awaitJob(id, "forward:orders", in(JobState.SUCCEEDED));
      assertThat(done.attempts()).isEqualTo(3);
      assertThat(done.lastError()).isEqualTo("ForwardException: HTTP 500 from " + down.url());
      assertThat(done.nextAttemptAt()).isNull();
      assertThat(store.find(id).orElseThrow().status()).isEqualTo(EventStatus.PROCESSED);
      List<Downstream.Request> got = down.requestsFor(id);
      assertThat(got).extracting(Downstream.Request::attempt).containsExactly("1", "2", "3");
      assertThat(got).extracting(Downstream.Request::status).containsExactly(500, 500, 200);
      assertThat(got).allSatisfy(r -> assertThat(r.body()).isEqualTo(bodies.get(id)));
    }
    assertThat(down.verificationFailures()).isEmpty();

    assertThat(failures).hasSize(6);
    for (Failure f : failures) {
      assertThat(f.job().state()).isEqualTo(JobState.RETRYING);
      assertThat(f.job().lastError()).isEqualTo("ForwardException: HTTP 500 from " + down.url());
      Duration backoff = initial.multipliedBy(1L << (f.job().attempts() - 1));
      assertThat(f.job().nextAttemptAt())
          .as("retry after attempt %d is due within %s of the failure", f.job().attempts(), backoff)
          .isBeforeOrEqualTo(f.seenAt().plus(backoff));
    }
    for (String id : bodies.keySet()) {
      List<JobView> mine =
          failures.stream()
              .filter(f -> f.eventId().equals(id))
              .map(Failure::job)
              .sorted(Comparator.comparingInt(JobView::attempts))
              .toList();
      assertThat(mine).extracting(JobView::attempts).containsExactly(1, 2);
      assertThat(mine.get(1).nextAttemptAt())
          .as("the second delay doubles: due no sooner than the first retry plus 2 x initial")
          .isAfterOrEqualTo(mine.get(0).nextAttemptAt().plus(initial.multipliedBy(2)));
    }
  }

  @Test
  void downstreamDownPastTheAttemptLimitLeavesJobsDeadAndAdminReplayDeliversThemOnce()
      throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    URI url = URI.create("http://127.0.0.1:" + port + "/hook");
    start(destination("orders", url, quickRetries(3, Duration.ofMillis(50))));
    Map<String, byte[]> bodies = new LinkedHashMap<>();
    deliver("invoice.paid", bodies);
    deliver("payment_intent.succeeded", bodies);

    for (String id : bodies.keySet()) {
      JobView dead = awaitJob(id, "forward:orders", in(JobState.DEAD));
      assertThat(dead.attempts()).isEqualTo(3);
      assertThat(dead.lastError()).contains("connection refused");
      assertThat(store.find(id).orElseThrow().status()).isEqualTo(EventStatus.DEAD);
    }
    assertThat(forwardStatuses).hasSize(6).allSatisfy(s -> assertThat(s[0]).isEqualTo(-1));

    Downstream back = Downstream.start(FORWARD_SECRET, port);
    downstreams.add(back);
    // Replay through the admin API, as an operator would.
    String token = "admin-token-for-forwarding-test";
    dev.stripeinbox.server.http.InboxServer admin =
        new dev.stripeinbox.server.http.InboxServer(
            inbox, dev.stripeinbox.server.http.ServerOptions.defaults().withPort(0));
    admin.route(
        dev.stripeinbox.server.admin.AdminApi.PREFIX,
        new dev.stripeinbox.server.admin.AdminApi(
            store, java.util.Optional.of(token), java.time.Clock.systemUTC(), inbox::wake));
    admin.start();
    try {
      java.net.http.HttpResponse<String> replayed =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + admin.port() + "/api/replay"))
                      .header("Authorization", "Bearer " + token)
                      .POST(
                          java.net.http.HttpRequest.BodyPublishers.ofString(
                              "{\"status\":\"dead\"}"))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(replayed.statusCode()).isEqualTo(200);
      assertThat(replayed.body()).isEqualTo("{\"replayed_jobs\":2}");
    } finally {
      admin.close();
    }
    for (String id : bodies.keySet()) {
      JobView revived = awaitJob(id, "forward:orders", in(JobState.SUCCEEDED));
      assertThat(revived.attempts()).isEqualTo(1);
    }
    Thread.sleep(200); // nothing more may arrive
    assertThat(back.requests()).hasSize(2);
    for (String id : bodies.keySet()) {
      assertThat(back.requestsFor(id)).hasSize(1);
      assertThat(back.requestsFor(id).get(0).body()).isEqualTo(bodies.get(id));
      assertThat(back.requestsFor(id).get(0).attempt()).isEqualTo("1");
    }
    assertThat(back.verificationFailures()).isEmpty();
  }

  @Test
  void redirectCountsAsAFailureAndIsNotFollowed() throws Exception {
    Downstream moved = downstream().answering((eventId, nth) -> 302);
    start(destination("moved", moved.url(), quickRetries(1, Duration.ofMillis(50))));
    String id = deliver("customer.updated", new LinkedHashMap<>());

    JobView dead = awaitJob(id, "forward:moved", in(JobState.DEAD));
    assertThat(dead.lastError())
        .isEqualTo(
            "ForwardException: HTTP 302 from " + moved.url() + " (redirects are not followed)");
    assertThat(moved.requests()).hasSize(1);
    assertThat(moved.redirectTargetHits()).isZero();
    assertThat(forwardStatuses).singleElement().satisfies(s -> assertThat(s[0]).isEqualTo(302));
  }

  @Test
  void downstreamSlowerThanTheTimeoutCountsAsAFailure() throws Exception {
    Downstream slow = downstream().delaying(Duration.ofSeconds(3));
    Destination d =
        withTimeout(
            destination("slow", slow.url(), quickRetries(1, Duration.ofMillis(50))),
            Duration.ofMillis(300));
    start(d);
    long t0 = System.nanoTime();
    String id = deliver("invoice.created", new LinkedHashMap<>());

    JobView dead = awaitJob(id, "forward:slow", in(JobState.DEAD));
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
    assertThat(dead.lastError()).isEqualTo("ForwardException: timed out after 300ms");
    assertThat(forwardStatuses).singleElement().satisfies(s -> assertThat(s[0]).isEqualTo(-1));
  }

  @Test
  void aBodyThatTricklesPastTheTimeoutCountsAsAFailure() throws Exception {
    Downstream trickling = downstream().tricklingTheBody(Duration.ofMillis(100));
    Destination d =
        withTimeout(
            destination("trickling", trickling.url(), quickRetries(1, Duration.ofMillis(50))),
            Duration.ofMillis(500));
    start(d);
    long t0 = System.nanoTime();
    String id = deliver("invoice.created", new LinkedHashMap<>());

    JobView dead = awaitJob(id, "forward:trickling", in(JobState.DEAD));
    // Headers came at once, so only the bound on the whole delivery can stop the 10 s body.
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    assertThat(dead.lastError()).isEqualTo("ForwardException: timed out after 500ms");
  }

  @Test
  void deliveriesInFlightToADestinationNeverExceedItsMaxConcurrency() throws Exception {
    Downstream busy = downstream().delaying(Duration.ofMillis(100));
    Destination d =
        withMaxConcurrency(
            destination("busy", busy.url(), quickRetries(3, Duration.ofMillis(50))), 2);
    start(8, DispatchListener.NONE, d);
    Map<String, byte[]> bodies = new LinkedHashMap<>();
    for (int i = 0; i < 8; i++) {
      deliver("charge.succeeded", bodies);
    }

    for (String id : bodies.keySet()) {
      assertThat(awaitJob(id, "forward:busy", in(JobState.SUCCEEDED)).attempts()).isEqualTo(1);
    }
    assertThat(busy.requests()).hasSize(8);
    assertThat(busy.maxInFlight()).isEqualTo(2);
  }

  @Test
  void waitingForAFreeDeliverySlotIsBoundedByTheTimeout() throws Exception {
    Downstream busy = downstream().delaying(Duration.ofMillis(700));
    Destination d =
        withMaxConcurrency(
            withTimeout(
                destination("narrow", busy.url(), quickRetries(3, Duration.ofMillis(50))),
                Duration.ofSeconds(1)),
            1);
    List<String> errors = new CopyOnWriteArrayList<>();
    start(
        8,
        (job, outcome, error, nanos) -> {
          if (error != null) {
            errors.add(error.getMessage());
          }
        },
        d);
    Map<String, byte[]> bodies = new LinkedHashMap<>();
    for (int i = 0; i < 3; i++) {
      deliver("customer.created", bodies);
    }

    for (String id : bodies.keySet()) {
      awaitJob(id, "forward:narrow", in(JobState.SUCCEEDED));
    }
    assertThat(errors).contains("no delivery slot free within 1s (max_concurrency 1)");
    assertThat(busy.maxInFlight()).isEqualTo(1);
    assertThat(busy.requests()).hasSize(3);
  }

  /**
   * A downstream that answers {@code status} with this {@code Retry-After} to an event's first
   * request and 200 to the next, and notes when each request came, in {@link System#nanoTime}.
   */
  Downstream failingOnce(int status, String retryAfter, List<Long> arrivals) throws Exception {
    return downstream()
        .retryAfter(retryAfter)
        .answering(
            (eventId, nth) -> {
              arrivals.add(System.nanoTime());
              return nth == 1 ? status : 200;
            });
  }

  @Test
  void aRetryAfterInSecondsPostponesTheNextAttemptPastTheBackoff() throws Exception {
    List<Long> arrivals = new CopyOnWriteArrayList<>();
    Downstream limited = failingOnce(429, "1", arrivals);
    start(destination("limited", limited.url(), quickRetries(3, Duration.ofMillis(50))));
    String id = deliver("invoice.paid", new LinkedHashMap<>());

    JobView done = awaitJob(id, "forward:limited", in(JobState.SUCCEEDED));
    assertThat(done.attempts()).isEqualTo(2);
    assertThat(done.lastError())
        .isEqualTo("ForwardException: HTTP 429 from " + limited.url() + " (Retry-After 1s)");
    assertThat(arrivals).hasSize(2);
    assertThat(Duration.ofNanos(arrivals.get(1) - arrivals.get(0)))
        .as("the backoff is 50 ms; the downstream asked for 1 s")
        .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void aRetryAfterLongerThanMaxDelayIsCappedAtIt() throws Exception {
    List<Long> arrivals = new CopyOnWriteArrayList<>();
    Downstream down = failingOnce(503, "86400", arrivals);
    RetryPolicy capped =
        new RetryPolicy(3, Duration.ofMillis(50), 2, Duration.ofMillis(400), Duration.ofDays(3), 0);
    start(destination("capped", down.url(), capped));
    String id = deliver("charge.refunded", new LinkedHashMap<>());

    JobView done = awaitJob(id, "forward:capped", in(JobState.SUCCEEDED));
    assertThat(done.lastError()).endsWith(" (Retry-After 86400s)");
    Duration gap = Duration.ofNanos(arrivals.get(1) - arrivals.get(0));
    assertThat(gap).isGreaterThanOrEqualTo(Duration.ofMillis(400)).isLessThan(WAIT);
  }

  @Test
  void retryAfterIsReadAsSecondsOrAnHttpDateAndOtherwiseIgnored() {
    Instant now = Instant.parse("2026-11-30T10:00:00.250Z");
    assertThat(ForwardHandler.retryAfter("120", now)).contains(Duration.ofSeconds(120));
    assertThat(ForwardHandler.retryAfter(" 0 ", now)).contains(Duration.ZERO);
    assertThat(ForwardHandler.retryAfter("Mon, 30 Nov 2026 10:02:00 GMT", now))
        .contains(Duration.ofMillis(119_750));
    assertThat(ForwardHandler.retryAfter("Monday, 30-Nov-26 10:02:00 GMT", now))
        .as("the obsolete RFC 850 form")
        .contains(Duration.ofMillis(119_750));
    assertThat(ForwardHandler.retryAfter("Mon Nov 30 10:02:00 2026", now))
        .as("the obsolete asctime form")
        .contains(Duration.ofMillis(119_750));
    assertThat(ForwardHandler.retryAfter("Mon, 30 Nov 2026 09:00:00 GMT", now))
        .as("a date in the past asks for no wait")
        .contains(Duration.ZERO);
    assertThat(ForwardHandler.retryAfter("99999999999999999999999", now))
        .hasValueSatisfying(d -> assertThat(d).isGreaterThan(Duration.ofDays(365 * 1000)));
    for (String invalid :
        new String[] {
          "", "-5", "1.5", "soon", "2026-11-30T10:02:00Z", "Mon, 30 Nov 2026 25:02:00 GMT"
        }) {
      assertThat(ForwardHandler.retryAfter(invalid, now)).as(invalid).isEmpty();
    }
  }

  @Test
  void destinationUrlMustBeHttpOrHttps() {
    Destination ftp = destination("ftp", URI.create("ftp://example.com/x"), RetryPolicy.defaults());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> forwarder.subscriber(ftp));
    assertThat(e).hasMessageContaining("http:// or https://");
  }

  @Test
  void failureMessagesNameTheUrlWithoutCredentialsOrQuery() {
    assertThat(
            ForwardHandler.redact(
                URI.create("https://user:pa55@hooks.example.com:8443/stripe?token=abc#x")))
        .isEqualTo("https://hooks.example.com:8443/stripe");
  }
}
