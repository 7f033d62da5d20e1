package dev.stripeinbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripeinbox.event.Envelope;
import dev.stripeinbox.inbox.AppendResult;
import dev.stripeinbox.inbox.ClaimedJob;
import dev.stripeinbox.inbox.NewEvent;
import dev.stripeinbox.jdbc.JdbcInboxStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * How fast the PostgreSQL store hands out jobs when handlers do nothing: the claim and the success
 * commit are the whole cost. Two store instances stand for two nodes, each with four claiming
 * threads that take up to eight jobs per claim (a node's default worker count) and record each
 * success at once, as the dispatcher does. Prints jobs per second; checks that every job ran
 * exactly once.
 */
class PostgresClaimThroughputIT {
  private static final int EVENTS = 5_000;
  private static final int STORES = 2;
  private static final int THREADS_PER_STORE = 4;
  private static final int CLAIM_BATCH = 8;
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @Test
  void eightClaimersOnTwoStoresRunEveryJobExactlyOnce() throws Exception {
    try (PostgresSchema pg = PostgresSchema.create()) {
      List<JdbcInboxStore> stores = new ArrayList<>();
      try {
        for (int i = 0; i < STORES; i++) {
          stores.add(JdbcInboxStore.open(pg.url()));
        }
        long appendStart = System.nanoTime();
        List<CompletableFuture<AppendResult>> appends = new ArrayList<>(EVENTS);
        for (int i = 0; i < EVENTS; i++) {
          appends.add(stores.get(0).append(event(i)));
        }
        for (CompletableFuture<AppendResult> f : appends) {
          assertThat(f.join()).isEqualTo(AppendResult.APPENDED);
        }
        double appendSeconds = (System.nanoTime() - appendStart) / 1e9;

        Set<Long> ran = ConcurrentHashMap.newKeySet();
        AtomicInteger ranTwice = new AtomicInteger();
        AtomicInteger lostLeases = new AtomicInteger();
        AtomicInteger claims = new AtomicInteger();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        List<Thread> claimers = new ArrayList<>();
        for (int s = 0; s < STORES; s++) {
          JdbcInboxStore store = stores.get(s);
          for (int t = 0; t < THREADS_PER_STORE; t++) {
            String owner = "bench-store" + s + "-thread" + t;
            claimers.add(
                new Thread(
                    () -> {
                      try {
                        while (System.nanoTime() < deadline) {
                          List<ClaimedJob> jobs =
                              store.claim(owner, CLAIM_BATCH, Instant.now(), LEASE);
                          claims.incrementAndGet();
                          if (jobs.isEmpty()) {
                            return; // every job is claimed: all were appended before the start
                          }
                          for (ClaimedJob job : jobs) {
                            if (!ran.add(job.jobId())) {
                              ranTwice.incrementAndGet();
                            }
                            if (!store.succeed(job.jobId(), owner, Instant.now())) {
                              lostLeases.incrementAndGet();
                            }
                          }
                        }
                      } catch (RuntimeException | Error e) {
                        errors.add(e);
                      }
                    },
                    owner));
          }
        }
        long start = System.nanoTime();
        claimers.forEach(Thread::start);
        for (Thread t : claimers) {
          t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000 + 1_000));
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        long succeeded = pg.count("SELECT COUNT(*) FROM jobs WHERE state = 'succeeded'");
        long maxAttempts = pg.count("SELECT MAX(attempts) FROM jobs");
        System.out.printf(
            "PostgreSQL claim throughput, no-op handlers: %d jobs claimed and succeeded by %d"
                + " stores x %d threads (up to %d jobs per claim, %d claims) in %.2f s: %.0f"
                + " jobs/s; appending the %d events through one store took %.2f s (%.0f"
                + " events/s)%n",
            ran.size(),
            STORES,
            THREADS_PER_STORE,
            CLAIM_BATCH,
            claims.get(),
            seconds,
            ran.size() / seconds,
            EVENTS,
            appendSeconds,
            EVENTS / appendSeconds);

        assertThat(errors).as("no claimer failed").isEmpty();
        assertThat(claimers).as("every claimer finished").noneMatch(Thread::isAlive);
        assertThat(ranTwice.get()).as("no job was handed out twice").isZero();
        assertThat(lostLeases.get()).as("no success was refused").isZero();
        assertThat(ran).hasSize(EVENTS);
        assertThat(succeeded).isEqualTo(EVENTS);
        assertThat(maxAttempts).isEqualTo(1);
      } finally {
        stores.forEach(JdbcInboxStore::close);
      }
    }
  }

  private static NewEvent event(int n) {
    String id = String.format("evt_claim_%06d", n);
    Envelope envelope =
        new Envelope(
            id,
            "event",
            "invoice.paid",
            Instant.now(),
            false,
            "2024-06-20",
            null,
            "in_" + n,
            "invoice");
    byte[] payload =
        ("{\"id\":\""
                + id
                + "\",\"object\":\"event\",\"type\":\"invoice.paid\",\"data\":{\"object\":"
                + "{\"id\":\"in_"
                + n
                + "\",\"object\":\"invoice\"}}}")
            .getBytes(StandardCharsets.UTF_8);
    return new NewEvent(envelope, payload, "default", Instant.now(), List.of("noop"));
  }
}
