package dev.stripeinbox.server.metrics;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stripeinbox.StripeInbox;
import dev.stripeinbox.dispatch.DispatcherOptions;
import dev.stripeinbox.dispatch.RetryPolicy;
import dev.stripeinbox.dispatch.TypeFilter;
import dev.stripeinbox.jdbc.JdbcInboxStore;
import dev.stripeinbox.jdbc.StoreOptions;
import dev.stripeinbox.receive.Endpoint;
import dev.stripeinbox.server.http.InboxServer;
import dev.stripeinbox.server.http.ServerOptions;
import dev.stripeinbox.testkit.RecordingHandler;
import dev.stripeinbox.testkit.SettableClock;
import dev.stripeinbox.testkit.Signer;
import dev.stripeinbox.verify.SignatureVerifier;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} over a real socket after a known sequence of deliveries into a real SQLite file,
 * processed by real workers.
 */
class InboxMetricsTest {
  static final String SECRET = "whsec_metrics_tests_secret_000001";

  @TempDir Path dir;
  SettableClock metricsClock = SettableClock.atNow();
  InboxMetrics metrics;
  JdbcInboxStore store;
  StripeInbox inbox;
  InboxServer server;
  HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeEach
  void start() throws Exception {
    metrics = new InboxMetrics(metricsClock);
    store =
        JdbcInboxStore.open(
            dir.resolve("inbox.db").toString(),
            StoreOptions.defaults().withCommitListener(metrics));
    metrics.watchJobs(store);
    RetryPolicy fast = RetryPolicy.defaults().withBackoff(Duration.ofMillis(20)).withJitter(0);
    inbox =
        StripeInbox.builder()
            .store(store)
            .secrets(SECRET)
            .endpoint(
                new Endpoint(
                    "billing",
                    new SignatureVerifier(
                        List.of(SECRET), Duration.ofMinutes(5), Clock.systemUTC()),
                    TypeFilter.of(List.of("invoice.*"))))
            .on("audit", List.of("*"), new RecordingHandler(), fast)
            .on(
                "flaky",
                List.of("payment_intent.succeeded"),
                new RecordingHandler().failingFirst(1),
                fast)
            .on(
                "doomed",
                List.of("invoice.paid"),
                new RecordingHandler().alwaysFailing(),
                fast.withMaxAttempts(1))
            .dispatcherOptions(DispatcherOptions.defaults().withPollInterval(Duration.ofMillis(20)))
            .receiveListener(metrics)
            .dispatchListener(metrics)
            .build();
    server =
        new InboxServer(
                inbox,
                new ServerOptions(
                    "127.0.0.1",
                    0,
                    1024 * 1024,
                    Map.of("/webhook", "default", "/billing", "billing"),
                    Duration.ofSeconds(5)))
            .route(InboxMetrics.PATH, metrics.route());
    server.start();
    inbox.start();
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    inbox.close();
    store.close();
    metrics.close();
  }

  static byte[] event(String id, String type) {
    return ("{\"id\":\""
            + id
            + "\",\"object\":\"event\",\"api_version\":\"2026-07-29.dahlia\",\"created\":1764337000,"
            + "\"data\":{\"object\":{\"id\":\"obj_1\",\"object\":\"thing\"}},\"livemode\":false,"
            + "\"type\":\""
            + type
            + "\"}")
        .getBytes(UTF_8);
  }

  int post(String path, byte[] body, String signature) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (signature != null) {
      request.header("Stripe-Signature", signature);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  static String sign(byte[] body, String secret) {
    return Signer.header(body, secret, System.currentTimeMillis() / 1000);
  }

  HttpResponse<String> getMetrics() throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Scrapes until the workers have recorded {@code attempts} attempts, or 10 s pass. */
  PrometheusText scrapeOnceSettled(int attempts) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      metricsClock.advance(InboxMetrics.JOB_COUNTS_TTL); // fresh job counts on every scrape
      PrometheusText text = new PrometheusText(getMetrics().body());
      boolean settled =
          text.sum("stripe_inbox_job_attempts_total") == attempts
              && text.sum("stripe_inbox_jobs")
                  == text.value("stripe_inbox_jobs", "state", "succeeded")
                      + text.value("stripe_inbox_jobs", "state", "dead");
      if (settled || System.nanoTime() > deadline) {
        return text;
      }
      Thread.sleep(20);
    }
  }

  @Test
  void countersMoveExactlyAsAKnownSequenceOfDeliveriesDictates() throws Exception {
    byte[] paid = event("evt_pi", "payment_intent.succeeded");
    assertThat(post("/webhook", paid, sign(paid, SECRET))).isEqualTo(200);
    assertThat(post("/webhook", paid, sign(paid, SECRET))).isEqualTo(200); // duplicate
    byte[] forged = event("evt_forged", "payment_intent.succeeded");
    assertThat(post("/webhook", forged, sign(forged, "whsec_not_the_secret_at_all_00000")))
        .isEqualTo(400);
    assertThat(post("/webhook", forged, null)).isEqualTo(400);
    byte[] other = event("evt_other", "payment_intent.created");
    assertThat(post("/billing", other, sign(other, SECRET))).isEqualTo(200); // ignored
    byte[] invoice = event("evt_inv", "invoice.paid");
    assertThat(post("/billing", invoice, sign(invoice, SECRET))).isEqualTo(200);

    // audit succeeds twice; flaky fails once then succeeds; doomed dies at once.
    PrometheusText m = scrapeOnceSettled(5);

    String received = "stripe_inbox_received_total";
    assertThat(m.value(received, "endpoint", "default", "outcome", "received", "code", "none"))
        .isEqualTo(1);
    assertThat(m.value(received, "endpoint", "default", "outcome", "duplicate", "code", "none"))
        .isEqualTo(1);
    assertThat(
            m.value(
                received,
                "endpoint",
                "default",
                "outcome",
                "rejected",
                "code",
                "signature_mismatch"))
        .isEqualTo(1);
    assertThat(
            m.value(
                received,
                "endpoint",
                "default",
                "outcome",
                "rejected",
                "code",
                "signature_missing"))
        .isEqualTo(1);
    assertThat(m.value(received, "endpoint", "billing", "outcome", "ignored", "code", "none"))
        .isEqualTo(1);
    assertThat(m.value(received, "endpoint", "billing", "outcome", "received", "code", "none"))
        .isEqualTo(1);
    assertThat(m.sum(received)).isEqualTo(6);
    assertThat(m.value("stripe_inbox_duplicates_total", "endpoint", "default")).isEqualTo(1);
    assertThat(m.sum("stripe_inbox_duplicates_total")).isEqualTo(1);
    assertThat(
            m.value(
                "stripe_inbox_ignored_total",
                "endpoint",
                "billing",
                "type",
                "payment_intent.created"))
        .isEqualTo(1);

    assertThat(m.hasComment("# TYPE stripe_inbox_ack_seconds histogram")).isTrue();
    assertThat(
            m.value("stripe_inbox_ack_seconds_count", "endpoint", "default", "outcome", "received"))
        .isEqualTo(1);
    assertThat(
            m.value(
                "stripe_inbox_ack_seconds_bucket",
                "endpoint",
                "default",
                "outcome",
                "received",
                "le",
                "+Inf"))
        .isEqualTo(1);
    assertThat(m.series("stripe_inbox_ack_seconds_bucket").size()).isGreaterThan(20);
    assertThat(m.sum("stripe_inbox_ack_seconds_count")).isEqualTo(6);

    String attempts = "stripe_inbox_job_attempts_total";
    assertThat(m.value(attempts, "subscriber", "audit", "outcome", "succeeded")).isEqualTo(2);
    assertThat(m.value(attempts, "subscriber", "flaky", "outcome", "retrying")).isEqualTo(1);
    assertThat(m.value(attempts, "subscriber", "flaky", "outcome", "succeeded")).isEqualTo(1);
    assertThat(m.value(attempts, "subscriber", "doomed", "outcome", "dead")).isEqualTo(1);
    assertThat(m.sum(attempts)).isEqualTo(5);
    assertThat(m.value("stripe_inbox_job_retries_total", "subscriber", "flaky")).isEqualTo(1);
    assertThat(m.sum("stripe_inbox_job_retries_total")).isEqualTo(1);
    assertThat(m.value("stripe_inbox_job_dead_total", "subscriber", "doomed")).isEqualTo(1);
    assertThat(m.sum("stripe_inbox_job_dead_total")).isEqualTo(1);
    assertThat(m.value("stripe_inbox_job_duration_seconds_count", "subscriber", "flaky"))
        .isEqualTo(2);
    assertThat(m.hasComment("# TYPE stripe_inbox_job_duration_seconds histogram")).isTrue();

    assertThat(m.value("stripe_inbox_jobs", "state", "succeeded")).isEqualTo(3);
    assertThat(m.value("stripe_inbox_jobs", "state", "dead")).isEqualTo(1);
    assertThat(m.value("stripe_inbox_jobs", "state", "pending")).isZero();
    assertThat(m.value("stripe_inbox_jobs", "state", "running")).isZero();
    assertThat(m.value("stripe_inbox_jobs", "state", "retrying")).isZero();

    double commits = m.value("stripe_inbox_store_commit_batch_size_count");
    assertThat(commits).isPositive();
    // Three appends (the duplicate included) and at least five job outcomes were written.
    assertThat(m.value("stripe_inbox_store_commit_batch_size_sum")).isGreaterThanOrEqualTo(8);
    // Workers keep committing claims while the scrape runs, so the two counts may differ by one.
    assertThat(m.value("stripe_inbox_store_commit_duration_seconds_count")).isPositive();
    assertThat(m.hasComment("# TYPE stripe_inbox_store_commit_duration_seconds histogram"))
        .isTrue();
    assertThat(m.value("stripe_inbox_store_commit_failures_total")).isZero();

    assertThat(m.series("jvm_memory_used_bytes")).isNotEmpty();
    assertThat(m.series("process_uptime_seconds")).isNotEmpty();
  }

  @Test
  void metricsAreServedInPrometheusTextFormat() throws Exception {
    HttpResponse<String> response = getMetrics();
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(response.body()).contains("# TYPE stripe_inbox_jobs gauge");
  }

  @Test
  void otherMethodsAre405AndOtherPathsUnderThePrefix404() throws Exception {
    HttpResponse<String> post =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET");
    assertThat(post.body()).contains("\"method_not_allowed\"");
    HttpResponse<String> other =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metricsx"))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(other.statusCode()).isEqualTo(404);
  }
}
