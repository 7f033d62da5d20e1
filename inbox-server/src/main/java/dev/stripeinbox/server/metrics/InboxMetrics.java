package dev.stripeinbox.server.metrics;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.stripeinbox.dispatch.DispatchListener;
import dev.stripeinbox.inbox.ClaimedJob;
import dev.stripeinbox.inbox.InboxStore;
import dev.stripeinbox.inbox.JobState;
import dev.stripeinbox.jdbc.internal.GroupCommitWriter;
import dev.stripeinbox.receive.Endpoint;
import dev.stripeinbox.receive.Receiver;
import dev.stripeinbox.receive.Reception;
import dev.stripeinbox.server.forward.ForwardListener;
import dev.stripeinbox.server.http.InboxServer;
import dev.stripeinbox.server.http.JsonResponses;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Request;

/**
 * The server's Prometheus metrics: one object that listens to every stage (receive, dispatch, store
 * commits, forwarding) and serves {@code GET /metrics}.
 *
 * <pre>{@code
 * InboxMetrics metrics = new InboxMetrics(clock);
 * JdbcInboxStore store =
 *     JdbcInboxStore.open(db, StoreOptions.defaults().withCommitListener(metrics));
 * metrics.watchJobs(store);
 * StripeInbox inbox = StripeInbox.builder().store(store)
 *     .receiveListener(metrics).dispatchListener(metrics)...build();
 * server.route(InboxMetrics.PATH, metrics.route());
 * }</pre>
 *
 * <p>The metrics, all prefixed {@code stripe_inbox_}:
 *
 * <ul>
 *   <li>{@code received_total{endpoint,outcome,code}}: every answered delivery; {@code outcome} is
 *       received, duplicate, ignored, rejected or unavailable, {@code code} the error code of a
 *       rejection or {@code storage_unavailable}, else {@code none};
 *   <li>{@code duplicates_total{endpoint}}, {@code ignored_total{endpoint,type}} (verified events
 *       of types the endpoint does not store: candidates to switch off in Stripe's Dashboard);
 *   <li>{@code ack_seconds{endpoint,outcome}}: histogram from the start of verification to the
 *       answer, the commit wait included (the body read before it is not);
 *   <li>{@code jobs{state}}: jobs in each state now, read from the store at most once a second;
 *   <li>{@code job_attempts_total{subscriber,outcome}} (succeeded, retrying, dead, lease_lost),
 *       {@code job_duration_seconds{subscriber}} (histogram of handler run time), {@code
 *       job_retries_total{subscriber}}, {@code job_dead_total{subscriber}};
 *   <li>{@code forward_attempts_total{destination,status}} ({@code status} is the HTTP code, or
 *       {@code error} for a timeout or connection failure), {@code
 *       forward_duration_seconds{destination}} (histogram);
 *   <li>{@code store_commit_batch_size} (histogram of writes per committed transaction), {@code
 *       store_commit_duration_seconds} (histogram of committed transactions), {@code
 *       store_commit_failures_total};
 * </ul>
 *
 * plus Micrometer's JVM and process basics ({@code jvm_*}, {@code process_*}, {@code system_*}).
 *
 * <p>Thread-safe. The listener methods run on request, writer and worker threads: they only update
 * in-memory meters, and they never throw.
 */
public final class InboxMetrics
    implements Receiver.Listener,
        DispatchListener,
        GroupCommitWriter.CommitListener,
        ForwardListener,
        AutoCloseable {
  /** The path to mount {@link #route()} on. */
  public static final String PATH = "/metrics";

  /** The Prometheus text exposition format, version 0.0.4. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  /** How long a read of the job counts is reused, so that scrapes do not load the database. */
  static final Duration JOB_COUNTS_TTL = Duration.ofSeconds(1);

  private static final String NONE = "none";

  private final PrometheusMeterRegistry registry;
  private final Clock clock;
  private final JvmGcMetrics gc;

  private final Meter.MeterProvider<Counter> received;
  private final Meter.MeterProvider<Counter> duplicates;
  private final Meter.MeterProvider<Counter> ignored;
  private final Meter.MeterProvider<Timer> ack;
  private final Meter.MeterProvider<Counter> attempts;
  private final Meter.MeterProvider<Timer> jobDuration;
  private final Meter.MeterProvider<Counter> retries;
  private final Meter.MeterProvider<Counter> dead;
  private final Meter.MeterProvider<Counter> forwards;
  private final Meter.MeterProvider<Timer> forwardDuration;
  private final DistributionSummary commitBatch;
  private final Timer commitDuration;
  private final Counter commitFailures;

  private volatile JobCounts jobCounts;

  /** Metrics on the system UTC clock. */
  public InboxMetrics() {
    this(Clock.systemUTC());
  }

  /**
   * @param clock decides when cached job counts are stale
   */
  public InboxMetrics(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    received =
        Counter.builder("stripe.inbox.received")
            .description("Webhook deliveries answered, by endpoint, outcome and error code")
            .withRegistry(registry);
    duplicates =
        Counter.builder("stripe.inbox.duplicates")
            .description("Deliveries of an event id already stored (acknowledged, not re-run)")
            .withRegistry(registry);
    ignored =
        Counter.builder("stripe.inbox.ignored")
            .description("Verified events of a type the endpoint does not store")
            .withRegistry(registry);
    ack =
        Timer.builder("stripe.inbox.ack")
            .description("Time from verification start to the answer, commit included")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofNanos(50_000))
            .maximumExpectedValue(Duration.ofSeconds(10))
            .withRegistry(registry);
    attempts =
        Counter.builder("stripe.inbox.job.attempts")
            .description("Job attempts, by subscriber and what became of them")
            .withRegistry(registry);
    jobDuration =
        Timer.builder("stripe.inbox.job.duration")
            .description("How long subscribers' handlers ran, per attempt")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofNanos(50_000))
            .maximumExpectedValue(Duration.ofMinutes(1))
            .withRegistry(registry);
    retries =
        Counter.builder("stripe.inbox.job.retries")
            .description("Failed attempts after which another is scheduled")
            .withRegistry(registry);
    dead =
        Counter.builder("stripe.inbox.job.dead")
            .description("Jobs that went dead after their last allowed attempt")
            .withRegistry(registry);
    forwards =
        Counter.builder("stripe.inbox.forward.attempts")
            .description("Forward attempts, by destination and HTTP status (error: no answer)")
            .withRegistry(registry);
    forwardDuration =
        Timer.builder("stripe.inbox.forward.duration")
            .description("How long forward attempts took, answered or not")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .withRegistry(registry);
    commitBatch =
        DistributionSummary.builder("stripe.inbox.store.commit.batch.size")
            .description("Writes per committed store transaction (group commit)")
            .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
            .register(registry);
    commitDuration =
        Timer.builder("stripe.inbox.store.commit.duration")
            .description("How long committed store transactions took, fsync included")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofNanos(50_000))
            .maximumExpectedValue(Duration.ofSeconds(10))
            .register(registry);
    commitFailures =
        Counter.builder("stripe.inbox.store.commit.failures")
            .description("Store transactions that failed to commit")
            .register(registry);

    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    this.gc = new JvmGcMetrics();
    gc.bindTo(registry);
  }

  /**
   * Publishes {@code stripe_inbox_jobs{state}}, one gauge per job state, from {@code
   * store.jobCounts()}. A read is reused for {@link #JOB_COUNTS_TTL}; while the store does not
   * answer the gauges read NaN. The store may be opened after this object, since this object is its
   * commit listener, hence a separate call.
   *
   * @throws IllegalStateException when called twice
   */
  public synchronized InboxMetrics watchJobs(InboxStore store) {
    Objects.requireNonNull(store, "store");
    if (jobCounts != null) {
      throw new IllegalStateException("watchJobs was already called");
    }
    JobCounts counts = new JobCounts(store, clock);
    for (JobState state : JobState.values()) {
      Gauge.builder("stripe.inbox.jobs", () -> counts.get(state))
          .description("Jobs in each state now (read at most once a second)")
          .tag("state", state.wireName())
          .register(registry);
    }
    jobCounts = counts;
    return this;
  }

  /** The registry, to add meters or to serve another format. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Every meter in the Prometheus text format 0.0.4. */
  public String scrape() {
    return registry.scrape();
  }

  /**
   * A route serving {@code GET /metrics}; mount it with {@code server.route(PATH, route())}. Other
   * methods get 405; other paths under the prefix fall through to 404.
   */
  public InboxServer.Route route() {
    return (request, response, callback) -> {
      if (!PATH.equals(Request.getPathInContext(request))) {
        return false;
      }
      if (!HttpMethod.GET.is(request.getMethod())) {
        response.getHeaders().put(HttpHeader.ALLOW, "GET");
        JsonResponses.error(response, callback, 405, "method_not_allowed", "use GET for " + PATH);
        return true;
      }
      JsonResponses.send(response, callback, 200, CONTENT_TYPE, scrape().getBytes(UTF_8));
      return true;
    };
  }

  @Override
  public void onReception(Endpoint endpoint, Reception reception, long elapsedNanos) {
    try {
      if (endpoint == null || reception == null || reception.outcome() == null) {
        return;
      }
      String name = endpoint.name();
      String outcome = reception.outcome().name().toLowerCase(Locale.ROOT);
      String code = reception.errorCode() == null ? NONE : reception.errorCode();
      received.withTags("endpoint", name, "outcome", outcome, "code", code).increment();
      ack.withTags("endpoint", name, "outcome", outcome)
          .record(Math.max(0, elapsedNanos), TimeUnit.NANOSECONDS);
      switch (reception.outcome()) {
        case DUPLICATE -> duplicates.withTags("endpoint", name).increment();
        case IGNORED ->
            ignored
                .withTags(
                    "endpoint", name, "type", reception.type() == null ? NONE : reception.type())
                .increment();
        default -> {}
      }
    } catch (RuntimeException e) {
      // Metrics must never break a delivery.
    }
  }

  @Override
  public void onAttempt(ClaimedJob job, Outcome outcome, Throwable error, long runNanos) {
    try {
      if (job == null || outcome == null) {
        return;
      }
      String subscriber = job.subscriber();
      attempts
          .withTags("subscriber", subscriber, "outcome", outcome.name().toLowerCase(Locale.ROOT))
          .increment();
      jobDuration
          .withTags("subscriber", subscriber)
          .record(Math.max(0, runNanos), TimeUnit.NANOSECONDS);
      switch (outcome) {
        case RETRYING -> retries.withTags("subscriber", subscriber).increment();
        case DEAD -> dead.withTags("subscriber", subscriber).increment();
        default -> {}
      }
    } catch (RuntimeException e) {
      // Metrics must never break a worker.
    }
  }

  @Override
  public void onCommit(int batchSize, long nanos, boolean succeeded) {
    try {
      if (succeeded) {
        commitBatch.record(batchSize);
        commitDuration.record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
      } else {
        commitFailures.increment();
      }
    } catch (RuntimeException e) {
      // Metrics must never break the writer.
    }
  }

  @Override
  public void onForward(String destination, int status, long nanos) {
    try {
      String name = destination == null ? NONE : destination;
      forwards
          .withTags("destination", name, "status", status < 0 ? "error" : Integer.toString(status))
          .increment();
      forwardDuration
          .withTags("destination", name)
          .record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    } catch (RuntimeException e) {
      // Metrics must never break a forward.
    }
  }

  /** Unbinds the GC listener and closes the registry. */
  @Override
  public void close() {
    gc.close();
    registry.close();
  }

  /** The store's job counts, read at most once per TTL by whichever scrape finds them stale. */
  private static final class JobCounts {
    private final InboxStore store;
    private final Clock clock;
    private Map<JobState, Long> counts; // null when the last read failed
    private long readAtMillis = Long.MIN_VALUE;

    JobCounts(InboxStore store, Clock clock) {
      this.store = store;
      this.clock = clock;
    }

    synchronized double get(JobState state) {
      long now = clock.millis();
      if (readAtMillis == Long.MIN_VALUE
          || now - readAtMillis >= JOB_COUNTS_TTL.toMillis()
          || now < readAtMillis) {
        try {
          counts = Map.copyOf(store.jobCounts());
        } catch (RuntimeException e) {
          counts = null; // the store does not answer: NaN, and no retry until the TTL passes
        }
        readAtMillis = now;
      }
      return counts == null ? Double.NaN : counts.getOrDefault(state, 0L);
    }
  }
}
