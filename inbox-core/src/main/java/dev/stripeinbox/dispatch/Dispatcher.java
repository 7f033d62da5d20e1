package dev.stripeinbox.dispatch;

import dev.stripeinbox.InboxEvent;
import dev.stripeinbox.inbox.ClaimedJob;
import dev.stripeinbox.inbox.InboxStore;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs stored jobs: claims due jobs with a lease, runs each subscriber's handler on a bounded
 * worker pool, and records success, a scheduled retry, or death.
 *
 * <p>Threads: {@code inbox-dispatcher} claims work, {@code inbox-worker-N} run handlers, and {@code
 * inbox-leases} renews the leases of running jobs and reaps expired ones. {@link #wake()} makes the
 * dispatcher look for work at once, which the receiver calls after each committed append; otherwise
 * it polls every {@code pollInterval}, which picks up scheduled retries and work appended by other
 * nodes.
 *
 * <p>Acknowledgements come first. While more than {@link DispatcherOptions#ackBacklog()} deliveries
 * wait for their append to commit, the dispatcher does not claim, for up to {@link #MAX_YIELD}
 * since its last claim: a burst is then acknowledged at the rate of the store alone, and its jobs
 * run right after it (or a batch every {@link #MAX_YIELD} if it never ends). Handlers already
 * running go on.
 *
 * <p>Thread-safe. Lifecycle: {@link #start()} once, then {@link #close()} once.
 */
public final class Dispatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

  /** The longest the dispatcher holds back its claims while acknowledgements are backed up. */
  public static final Duration MAX_YIELD = Duration.ofMillis(200);

  /**
   * How many claimed jobs a node holds per worker: the running ones and a queue ahead of them, all
   * leased. A node that dies leaves at most this many times its workers to run again.
   */
  public static final int HELD_PER_WORKER = 4;

  /** How often a held-back dispatcher looks at the backlog again. */
  private static final long YIELD_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  private final InboxStore store;
  private final Map<String, Subscriber> subscribers;
  private final Clock clock;
  private final DispatcherOptions options;
  private final DispatchListener listener;
  private final IntSupplier ackBacklog;
  private final String owner;
  private final ExecutorService workers;
  private final ScheduledExecutorService leases;
  private final Thread thread;
  private final Map<Long, Boolean> running = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean stopping;
  // Holding back for acknowledgements: the dispatcher looks again by itself, so wakes are moot.
  private volatile boolean yielding;

  /**
   * @param ackBacklog how many deliveries wait for their append to commit now (see {@link
   *     dev.stripeinbox.receive.Receiver#awaitingCommit()})
   */
  public Dispatcher(
      InboxStore store,
      List<Subscriber> subscribers,
      Clock clock,
      DispatcherOptions options,
      DispatchListener listener,
      IntSupplier ackBacklog) {
    this.ackBacklog = Objects.requireNonNull(ackBacklog, "ackBacklog");
    this.store = Objects.requireNonNull(store, "store");
    this.subscribers =
        subscribers.stream().collect(Collectors.toMap(Subscriber::name, Function.identity()));
    this.clock = Objects.requireNonNull(clock, "clock");
    this.options = Objects.requireNonNull(options, "options");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.owner = ownerName();
    AtomicInteger n = new AtomicInteger();
    this.workers =
        Executors.newFixedThreadPool(
            options.workers(), r -> daemon(r, "inbox-worker-" + n.incrementAndGet()));
    this.leases = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "inbox-leases"));
    this.thread = daemon(this::loop, "inbox-dispatcher");
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** This node's lease owner name: host, process id and a random suffix. */
  private static String ownerName() {
    String runtime = ManagementFactory.getRuntimeMXBean().getName(); // pid@host
    return runtime + "/" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** The name this dispatcher's leases are held under. */
  public String owner() {
    return owner;
  }

  public void start() {
    long renewEvery = Math.max(100, options.lease().toMillis() / 3);
    leases.scheduleWithFixedDelay(
        this::renewAndReap, renewEvery, renewEvery, TimeUnit.MILLISECONDS);
    thread.start();
  }

  /**
   * Makes the dispatcher look for due work now instead of at its next poll. While it holds too many
   * jobs to claim a batch, this does nothing: the workers wake it once there is room. Nor while it
   * yields to acknowledgements: it looks again every few milliseconds by itself.
   */
  public void wake() {
    if (yielding && !stopping) {
      return;
    }
    int held = inFlight.get();
    if (capacity() - held >= smallestClaim() || held == 0 || stopping) {
      LockSupport.unpark(thread);
    }
  }

  /**
   * How many claimed jobs this node holds at most: the running ones and a queue ahead of the
   * workers. Claiming in batches rather than one job per freed worker makes a claim (one write
   * transaction) serve many jobs; the queued ones hold leases like the running ones.
   */
  private int capacity() {
    return options.workers() * HELD_PER_WORKER;
  }

  /** Below this many free places, and with work in hand, the dispatcher waits to claim a batch. */
  private int smallestClaim() {
    return options.workers();
  }

  private void loop() {
    long backoffMillis = 0;
    long lastClaim = System.nanoTime() - MAX_YIELD.toNanos();
    while (!stopping) {
      int held = inFlight.get();
      int free = capacity() - held;
      int claimed = 0;
      boolean attempted = free >= smallestClaim() || held == 0;
      if (attempted
          && ackBacklog.getAsInt() > options.ackBacklog()
          && System.nanoTime() - lastClaim < MAX_YIELD.toNanos()) {
        yielding = true;
        LockSupport.parkNanos(YIELD_CHECK_NANOS);
        continue;
      }
      yielding = false;
      if (attempted) {
        lastClaim = System.nanoTime();
        try {
          List<ClaimedJob> jobs = store.claim(owner, free, clock.instant(), options.lease());
          backoffMillis = 0;
          claimed = jobs.size();
          for (ClaimedJob job : jobs) {
            inFlight.incrementAndGet();
            running.put(job.jobId(), Boolean.TRUE);
            workers.execute(() -> run(job));
          }
        } catch (RuntimeException e) {
          backoffMillis = Math.min(5_000, Math.max(250, backoffMillis * 2));
          log.warn("cannot claim jobs ({}); retrying in {} ms", e.getMessage(), backoffMillis);
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoffMillis));
          continue;
        }
      }
      if (claimed > 0 && claimed == free) {
        continue; // there may be more; claim again as soon as there is room
      }
      LockSupport.parkNanos(waitNanos(attempted && claimed == 0));
    }
  }

  /** Until the next poll, or sooner when a retry falls due before it. */
  private long waitNanos(boolean idle) {
    long poll = options.pollInterval().toNanos();
    if (!idle) {
      return poll;
    }
    try {
      Optional<Instant> due = store.nextDueAt();
      if (due.isPresent()) {
        long untilDue = Duration.between(clock.instant(), due.get()).toNanos();
        return Math.max(0, Math.min(poll, untilDue));
      }
    } catch (RuntimeException e) {
      // The claim will fail and back off too; just poll.
    }
    return poll;
  }

  private void run(ClaimedJob job) {
    long start = System.nanoTime();
    boolean finished = true;
    try {
      Subscriber subscriber = subscribers.get(job.subscriber());
      Throwable error = null;
      if (subscriber == null) {
        error = new IllegalStateException("no subscriber named " + job.subscriber() + " here");
      } else {
        try {
          subscriber.handler().handle(new InboxEvent(job.envelope(), job.payload(), job.attempt()));
        } catch (Throwable e) {
          // Every failure is an attempt, Errors included (StackOverflowError, Kotlin's TODO(), a
          // handler's own Error): one that escaped here would leave the job running until its
          // lease expired, then run again, forever, never counted towards death.
          error = e;
        }
      }
      long runNanos = System.nanoTime() - start;
      if (error == null) {
        recordSuccessAsync(job, runNanos);
        finished = false; // the job stays held until its outcome is committed
      } else {
        record(job, subscriber, error, runNanos);
      }
    } catch (RuntimeException e) {
      cannotRecord(job, e);
    } finally {
      if (finished) {
        release(job);
      }
    }
  }

  /**
   * Records a success without making the worker wait for the commit: it takes its next job at once,
   * and the outcomes of several workers share a commit. The job keeps its place and its lease until
   * the outcome is committed. If the write fails, a worker retries it as {@link #record} does.
   */
  private void recordSuccessAsync(ClaimedJob job, long runNanos) {
    Instant now = clock.instant();
    CompletableFuture<Boolean> written;
    try {
      written = store.succeedAsync(job.jobId(), owner, now);
    } catch (RuntimeException e) {
      written = CompletableFuture.failedFuture(e);
    }
    written.whenComplete(
        (kept, error) -> {
          if (error == null) {
            try {
              succeeded(job, kept, runNanos);
            } finally {
              release(job); // a throwing listener must not keep the job's place forever
            }
            return;
          }
          try {
            workers.execute(
                () -> {
                  try {
                    boolean keptLater = withRetries(() -> store.succeed(job.jobId(), owner, now));
                    succeeded(job, keptLater, runNanos);
                  } catch (RuntimeException e) {
                    cannotRecord(job, e);
                  } finally {
                    release(job);
                  }
                });
          } catch (RejectedExecutionException e) {
            cannotRecord(job, error);
            release(job);
          }
        });
  }

  private void succeeded(ClaimedJob job, boolean kept, long runNanos) {
    listener.onAttempt(
        job,
        kept ? DispatchListener.Outcome.SUCCEEDED : DispatchListener.Outcome.LEASE_LOST,
        null,
        runNanos);
  }

  /** The outcome could not be recorded (store down): the lease expires and the job reruns. */
  private static void cannotRecord(ClaimedJob job, Throwable e) {
    log.warn(
        "job {} of {}: cannot record outcome: {}",
        job.jobId(),
        job.envelope().id(),
        e.getMessage());
  }

  private void release(ClaimedJob job) {
    running.remove(job.jobId());
    int held = inFlight.decrementAndGet();
    if (capacity() - held == smallestClaim() || held == 0) {
      LockSupport.unpark(thread); // room for a batch again; below that there is nothing to do
    }
  }

  private void record(ClaimedJob job, Subscriber subscriber, Throwable error, long runNanos) {
    Instant now = clock.instant();
    String eventId = job.envelope().id();
    RetryPolicy policy = subscriber == null ? RetryPolicy.defaults() : subscriber.retryPolicy();
    String message = describe(error);
    Optional<Instant> next = nextAttempt(job, policy, error, now);
    boolean kept = withRetries(() -> store.fail(job.jobId(), owner, message, now, next));
    DispatchListener.Outcome outcome =
        !kept
            ? DispatchListener.Outcome.LEASE_LOST
            : next.isPresent() ? DispatchListener.Outcome.RETRYING : DispatchListener.Outcome.DEAD;
    listener.onAttempt(job, outcome, error, runNanos);
    if (outcome == DispatchListener.Outcome.DEAD) {
      log.warn(
          "dead {} {} for {} after {} attempts: {}",
          eventId,
          job.envelope().type(),
          job.subscriber(),
          job.attempt(),
          message);
    } else if (outcome == DispatchListener.Outcome.RETRYING) {
      log.info(
          "retrying {} {} for {} at {} (attempt {} failed: {})",
          eventId,
          job.envelope().type(),
          job.subscriber(),
          next.get(),
          job.attempt(),
          message);
    }
  }

  /**
   * When the failed job runs again, or empty when it is dead. A policy that throws makes it dead:
   * without an outcome it would run again at every lease expiry, never counted; dead, it waits for
   * a replay, and the log says why.
   */
  private static Optional<Instant> nextAttempt(
      ClaimedJob job, RetryPolicy policy, Throwable error, Instant now) {
    try {
      return policy.nextAttempt(
          job.attempt(),
          job.queuedAt(),
          now,
          askedDelay(error),
          () -> ThreadLocalRandom.current().nextDouble());
    } catch (RuntimeException e) {
      log.warn(
          "job {} of {}: the retry policy failed ({}); the job is dead",
          job.jobId(),
          job.envelope().id(),
          e.toString());
      return Optional.empty();
    }
  }

  /**
   * Records an outcome, retrying briefly through a store hiccup: otherwise the job would only run
   * again once its lease expired, and run twice.
   */
  private static boolean withRetries(java.util.function.BooleanSupplier write) {
    long pauseMillis = 100;
    for (int attempt = 1; ; attempt++) {
      try {
        return write.getAsBoolean();
      } catch (RuntimeException e) {
        if (attempt == 4) {
          throw e;
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(pauseMillis));
        pauseMillis *= 2;
      }
    }
  }

  /** The delay a {@link RetryAfter} failure asks for; zero for any other failure. */
  private static Duration askedDelay(Throwable error) {
    if (error instanceof RetryAfter hint) {
      try {
        Optional<Duration> asked = hint.retryAfter();
        if (asked != null && asked.isPresent() && !asked.get().isNegative()) {
          return asked.get();
        }
      } catch (RuntimeException e) {
        log.debug("ignoring a failure's retryAfter() that threw: {}", e.toString());
      }
    }
    return Duration.ZERO;
  }

  private static String describe(Throwable error) {
    String name = error.getClass().getSimpleName();
    String message;
    try {
      message = error.getMessage();
    } catch (RuntimeException e) {
      message = null; // a failure's own getMessage() must not keep its outcome from being recorded
    }
    return message == null ? name : name + ": " + message;
  }

  private void renewAndReap() {
    try {
      Instant now = clock.instant();
      if (!running.isEmpty()) {
        store.renewLeases(owner, List.copyOf(running.keySet()), now.plus(options.lease()));
      }
      int reaped = store.reapExpiredLeases(now);
      if (reaped > 0) {
        log.info("returned {} jobs with expired leases to pending", reaped);
        wake();
      }
    } catch (RuntimeException e) {
      log.warn("cannot renew leases or reap: {}", e.getMessage());
    }
  }

  /**
   * Stops claiming, waits up to the shutdown timeout for running handlers, and leaves whatever is
   * still running to be reclaimed when its lease expires.
   */
  @Override
  public void close() {
    stopping = true;
    wake();
    try {
      thread.join(options.shutdownTimeout().toMillis());
      workers.shutdown();
      if (!workers.awaitTermination(options.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn(
            "{} handlers still running at shutdown; their jobs will be reclaimed", inFlight.get());
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      workers.shutdownNow();
    } finally {
      leases.shutdownNow();
    }
  }
}
