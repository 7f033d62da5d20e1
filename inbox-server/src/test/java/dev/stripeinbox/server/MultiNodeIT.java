package dev.stripeinbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripeinbox.dispatch.Dispatcher;
import dev.stripeinbox.server.DistinctEvents.Event;
import dev.stripeinbox.server.InboxReads.Job;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several real server processes sharing one PostgreSQL schema, as behind a load balancer: the nodes
 * dedupe each other's deliveries, share the jobs through {@code FOR UPDATE SKIP LOCKED} claims,
 * finish a killed node's leased jobs once its leases expire, and never answer 200 for an event
 * PostgreSQL did not commit.
 *
 * <p>Each test has its own schema ({@link PostgresSchema}); without PostgreSQL the tests are
 * skipped loudly, or fail under {@code STRIPE_INBOX_REQUIRE_PG=true}. The figures (ack throughput
 * over both nodes, time to process everything, jobs run twice, answers during an outage) are
 * printed on stdout.
 */
class MultiNodeIT {
  private static final String SECRET = "whsec_multi_node_integration_secret_0001";
  private static final String QUICKSTART = "quickstart";

  /** The server's default worker count: at most this many jobs run at once on one node. */
  private static final int WORKERS = 8;

  /** Client threads per node. */
  private static final int CLIENTS = 8;

  private static final Duration STOP = Duration.ofSeconds(15);
  private static final Duration DELIVER = Duration.ofSeconds(90);
  private static final Duration PROCESS = Duration.ofSeconds(60);

  /** How long the database stays unavailable in the outage tests. */
  private static final Duration OUTAGE = Duration.ofSeconds(3);

  /** Opts in to the test that stops and starts the machine's PostgreSQL. */
  private static final String RESTART_VARIABLE = "STRIPE_INBOX_IT_RESTART_PG";

  @TempDir Path dir;

  /** One planned request: a new event, or a repeat of one the other node acknowledged. */
  private record Delivery(Event event, boolean duplicate) {}

  @Test
  void twoNodesShareOneDatabaseDedupeAcrossNodesAndRunEveryEventExactlyOnce() throws Exception {
    int distinct = 1_600;
    List<Event> events = new DistinctEvents("mn-share", 500, 4 * 1024, 3).take(distinct);
    // A quarter of the events (0, 5, 8, 13, ...) are sent twice: first to their own node (even
    // events to A, odd ones to B), then, at least forty events later, to the other node.
    List<Delivery> toA = new ArrayList<>();
    List<Delivery> toB = new ArrayList<>();
    Deque<Integer> toRepeat = new ArrayDeque<>();
    int duplicates = 0;
    for (int i = 0; i < distinct; i++) {
      (i % 2 == 0 ? toA : toB).add(new Delivery(events.get(i), false));
      if (i % 8 == 0 || i % 8 == 5) {
        toRepeat.add(i);
      }
      while (!toRepeat.isEmpty() && (toRepeat.peek() + 40 <= i || i == distinct - 1)) {
        int original = toRepeat.poll();
        (original % 2 == 0 ? toB : toA).add(new Delivery(events.get(original), true));
        duplicates++;
      }
    }
    int deliveries = toA.size() + toB.size();
    assertThat(duplicates).isEqualTo(400);
    assertThat(deliveries).isEqualTo(2_000);

    try (PostgresSchema pg = PostgresSchema.create();
        Nodes nodes = Nodes.start(dir, pg.url(), List.of("a", "b"))) {
      NodeProcess a = nodes.get(0);
      NodeProcess b = nodes.get(1);
      AtomicReference<ContinuousLoad> loadOfA = new AtomicReference<>();
      AtomicReference<ContinuousLoad> loadOfB = new AtomicReference<>();
      long start = System.nanoTime();
      loadOfA.set(ContinuousLoad.start(a.webhookUrl(), SECRET, CLIENTS, source(toA, loadOfB)));
      loadOfB.set(ContinuousLoad.start(b.webhookUrl(), SECRET, CLIENTS, source(toB, loadOfA)));
      ContinuousLoad loadA = loadOfA.get();
      ContinuousLoad loadB = loadOfB.get();
      Await.until(
          () -> loadA.finished() && loadB.finished(),
          DELIVER,
          () -> "all deliveries answered; A: " + loadA.summary() + "; B: " + loadB.summary());
      long acked = System.nanoTime();
      Await.until(
          () -> pg.count("SELECT COUNT(*) FROM jobs WHERE state <> 'succeeded'") == 0,
          PROCESS,
          () -> "every job succeeded; " + pg.describeJobs());
      long processed = System.nanoTime();

      Map<String, byte[]> acknowledged = new HashMap<>(loadA.acknowledged());
      acknowledged.putAll(loadB.acknowledged());
      long rows = pg.count("SELECT COUNT(*) FROM events");
      Map<String, Job> jobs = pg.jobsOf(QUICKSTART);
      Set<String> ranTwice = idsWhere(jobs, job -> job.attempts() > 1);
      Set<String> notRun =
          events.stream()
              .map(Event::id)
              .filter(id -> !jobs.containsKey(id) || !jobs.get(id).state().equals("succeeded"))
              .collect(Collectors.toCollection(TreeSet::new));
      double seconds = (acked - start) / 1e9;
      System.out.printf(
          "two nodes, one PostgreSQL: %d deliveries (%d duplicates sent to the other node) from"
              + " %d client threads answered in %.2f s: %.0f deliveries/s over both nodes;"
              + " A answered %d (duplicates %d), B answered %d (duplicates %d); rows %d;"
              + " all %d jobs succeeded %.2f s after the first delivery (%.2f s after the last"
              + " answer); jobs run more than once %d; handler runs logged by A %d, by B %d%n",
          deliveries,
          duplicates,
          2 * CLIENTS,
          seconds,
          deliveries / seconds,
          loadA.sent(),
          loadA.duplicates(),
          loadB.sent(),
          loadB.duplicates(),
          rows,
          jobs.size(),
          (processed - start) / 1e9,
          (processed - acked) / 1e9,
          ranTwice.size(),
          handlerRunsLogged(a),
          handlerRunsLogged(b));

      assertThat(loadA.otherAnswers()).as("every answer of A is 200").isEmpty();
      assertThat(loadB.otherAnswers()).as("every answer of B is 200").isEmpty();
      assertThat(loadA.failed()).as("no request to A failed").isEmpty();
      assertThat(loadB.failed()).as("no request to B failed").isEmpty();
      assertThat(loadA.sent() + loadB.sent()).isEqualTo(deliveries);
      assertThat(loadA.duplicates() + loadB.duplicates())
          .as("every repeat, and only the repeats, answered \"duplicate\":true")
          .isEqualTo(duplicates);
      assertThat(acknowledged).hasSize(distinct);
      assertThat(pg.missingOrDifferent(acknowledged)).as("stored byte for byte").isEmpty();
      assertThat(rows).as("one row per distinct event").isEqualTo(deliveries - duplicates);
      assertThat(notRun).as("every event's quickstart job succeeded").isEmpty();
      assertThat(jobs).as("one quickstart job per event").hasSize(distinct);
      assertThat(ranTwice).as("no node died, so no job ran twice").isEmpty();
      nodes.stopAll(STOP);
    }
  }

  @Test
  void killNineOfOneNodeLetsTheOtherFinishItsLeasedJobsWithNoAcknowledgedEventLost()
      throws Exception {
    List<Event> events = new DistinctEvents("mn-kill", 500, 4 * 1024, 4).take(3_000);
    List<Event> forA = new ArrayList<>();
    List<Event> forB = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      (i % 2 == 0 ? forA : forB).add(events.get(i));
    }

    try (PostgresSchema pg = PostgresSchema.create();
        Nodes nodes = Nodes.start(dir, pg.url(), List.of("a", "b"), "--lease", "2s")) {
      NodeProcess a = nodes.get(0);
      NodeProcess b = nodes.get(1);
      ContinuousLoad loadA =
          ContinuousLoad.start(a.webhookUrl(), SECRET, CLIENTS, ContinuousLoad.of(forA));
      ContinuousLoad loadB =
          ContinuousLoad.start(b.webhookUrl(), SECRET, CLIENTS, ContinuousLoad.of(forB));
      Await.until(
          () -> loadA.acknowledgedCount() >= 400,
          DELIVER,
          () -> "400 acknowledgements by A; " + loadA.summary() + "\n" + a.logTail(20));
      // Kill A while it holds leases, if it takes any within a few seconds: its handlers are quick,
      // so a job is running only between its claim and the commit of its success.
      long lookUntil = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (pg.runningUnderLeaseOf(a.pid()).isEmpty() && System.nanoTime() < lookUntil) {
        Thread.onSpinWait();
      }
      a.kill9();
      long killed = System.nanoTime();
      // A renewed its leases at most a third of the lease ago, so they are still live now.
      Set<String> leasedByAAtKill = pg.runningUnderLeaseOf(a.pid());
      assertThat(loadA.stop(STOP)).as("A's senders stop after the kill").isTrue();
      int ackedByABeforeKill = loadA.acknowledgedCount();

      // What A never acknowledged (not sent yet, or in flight at the kill) goes to B now.
      List<Event> rest =
          forA.stream().filter(e -> !loadA.acknowledged().containsKey(e.id())).toList();
      ContinuousLoad loadRest =
          ContinuousLoad.start(b.webhookUrl(), SECRET, CLIENTS, ContinuousLoad.of(rest));
      Await.until(
          () -> loadB.finished() && loadRest.finished(),
          DELIVER,
          () -> "B answered the rest; " + loadB.summary() + "; " + loadRest.summary());
      Await.until(
          () -> pg.count("SELECT COUNT(*) FROM jobs WHERE state <> 'succeeded'") == 0,
          PROCESS,
          () -> "every job succeeded; " + pg.describeJobs() + "\n" + b.logTail(20));
      long processed = System.nanoTime();

      Map<String, byte[]> acknowledged = new HashMap<>(loadA.acknowledged());
      acknowledged.putAll(loadB.acknowledged());
      acknowledged.putAll(loadRest.acknowledged());
      Set<String> notAcknowledged =
          events.stream()
              .map(Event::id)
              .filter(id -> !acknowledged.containsKey(id))
              .collect(Collectors.toCollection(TreeSet::new));
      Map<String, Job> jobs = pg.jobsOf(QUICKSTART);
      Set<String> ranTwice = idsWhere(jobs, job -> job.attempts() > 1);
      Set<String> notSucceeded = idsWhere(jobs, job -> !job.state().equals("succeeded"));
      Set<String> rerunButNotLeasedByA = new TreeSet<>(ranTwice);
      rerunButNotLeasedByA.removeAll(leasedByAAtKill);
      Set<String> leasedByAButNotRerun = new TreeSet<>(leasedByAAtKill);
      leasedByAButNotRerun.removeAll(ranTwice);
      System.out.printf(
          "kill -9 of node A (of two, lease 2s): A acknowledged %d before the kill, %d requests"
              + " in flight failed, A held %d leases at the kill; B then took %d more of A's"
              + " share (%d already stored: duplicates); acknowledged in all %d of %d; all jobs"
              + " succeeded %.2f s after the kill; jobs run more than once %d (at most %d"
              + " allowed); B logged reaping %d expired leases%n",
          ackedByABeforeKill,
          loadA.failed().size(),
          leasedByAAtKill.size(),
          rest.size(),
          loadRest.duplicates(),
          acknowledged.size(),
          events.size(),
          (processed - killed) / 1e9,
          ranTwice.size(),
          Dispatcher.HELD_PER_WORKER * WORKERS,
          reapedLogged(b));

      assertThat(loadA.otherAnswers()).as("A answered 200 until it died").isEmpty();
      assertThat(loadA.failed().size())
          .as("at most one request per client thread was in flight at the kill")
          .isLessThanOrEqualTo(CLIENTS);
      assertThat(loadB.otherAnswers()).as("every answer of B is 200").isEmpty();
      assertThat(loadRest.otherAnswers()).as("every answer of B is 200").isEmpty();
      assertThat(loadB.failed()).isEmpty();
      assertThat(loadRest.failed()).isEmpty();
      assertThat(notAcknowledged).as("every event is acknowledged by the end").isEmpty();
      assertThat(pg.missingOrDifferent(acknowledged))
          .as("no acknowledged event is lost, and each is stored byte for byte")
          .isEmpty();
      assertThat(pg.count("SELECT COUNT(*) FROM events")).isEqualTo(events.size());
      assertThat(jobs).hasSize(events.size());
      assertThat(notSucceeded).as("every quickstart job succeeded").isEmpty();
      assertThat(ranTwice.size())
          .as("jobs run more than once: %s", ranTwice)
          .isLessThanOrEqualTo(Dispatcher.HELD_PER_WORKER * WORKERS);
      assertThat(rerunButNotLeasedByA)
          .as("only jobs A held a live lease on at the kill ran more than once")
          .isEmpty();
      assertThat(leasedByAButNotRerun)
          .as("B reclaimed and ran every job A held a lease on at the kill")
          .isEmpty();
      nodes.stopAll(STOP);
    }
  }

  @Test
  void postgresConnectionsCutUnderLoadGiveNoTwoHundredWithoutACommitAndAllIsProcessedAfter()
      throws Exception {
    outageUnderLoad(
        "mn-cut",
        pg -> {
          int terminated = 0;
          int cuts = 0;
          long end = System.nanoTime() + OUTAGE.toNanos();
          while (System.nanoTime() < end) {
            terminated += pg.terminateServerConnections();
            cuts++;
            Thread.sleep(25); // the gap in which the pool reconnects, bounded by the outage's end
          }
          assertThat(terminated).as("the test did cut the node's sessions").isPositive();
          return "sessions of the node cut " + cuts + " times (" + terminated + " sessions)";
        });
  }

  /**
   * The whole server stopped ({@code pg_ctlcluster ... stop -m fast}) and started again. It stops
   * PostgreSQL for every client of the machine, so it runs only when {@value #RESTART_VARIABLE}
   * {@code =true} and no other client is connected; it always starts PostgreSQL again.
   */
  @Test
  void postgresStoppedAndRestartedUnderLoadGivesNoTwoHundredWithoutACommitAndAllIsProcessedAfter()
      throws Exception {
    Assumptions.assumeTrue(
        Boolean.parseBoolean(System.getenv(RESTART_VARIABLE)),
        "stops the machine's PostgreSQL; set " + RESTART_VARIABLE + "=true to run it");
    outageUnderLoad(
        "mn-restart",
        pg -> {
          long others = pg.otherClientSessions();
          Assumptions.assumeTrue(
              others == 0, others + " other clients use this PostgreSQL; not stopping it");
          String version = clusterVersion();
          pgCtlCluster(version, "stop", "-m", "fast");
          long stopped = System.nanoTime();
          try {
            Thread.sleep(OUTAGE.toMillis()); // the outage itself
          } finally {
            pgCtlCluster(version, "start");
          }
          Await.until(() -> pg.answers(), Duration.ofSeconds(60), () -> "PostgreSQL answers again");
          return String.format(
              "PostgreSQL %s stopped and started again (down %.1f s)",
              version, (System.nanoTime() - stopped) / 1e9);
        });
  }

  /** Makes PostgreSQL unavailable to the node for about {@link #OUTAGE}, then ends it. */
  @FunctionalInterface
  private interface Disruption {
    /** Returns what it did, for the printed figures. */
    String run(PostgresSchema pg) throws Exception;
  }

  /**
   * One node under continuous load through {@code disruption}: every answer is 200 or 503 {@code
   * storage_unavailable}, every 200 is committed, and once PostgreSQL is back the unanswered
   * deliveries are sent again (as Stripe would) and everything is processed.
   */
  private void outageUnderLoad(String prefix, Disruption disruption) throws Exception {
    DistinctEvents events = new DistinctEvents(prefix, 500, 2 * 1024, 5);
    List<Event> taken = Collections.synchronizedList(new ArrayList<>());
    ContinuousLoad.Source source =
        () -> {
          Event e = events.next();
          taken.add(e);
          return e;
        };

    try (PostgresSchema pg = PostgresSchema.create();
        Nodes nodes = Nodes.start(dir, pg.url(), List.of("a"), "--lease", "5s")) {
      NodeProcess node = nodes.get(0);
      ContinuousLoad load = ContinuousLoad.start(node.webhookUrl(), SECRET, CLIENTS, source);
      Await.until(
          () -> load.acknowledgedCount() >= 300,
          DELIVER,
          () -> "300 acknowledgements; " + load.summary() + "\n" + node.logTail(20));

      int sentBefore = load.sent();
      int ackedBefore = load.acknowledgedCount();
      ReadinessProbe readiness = ReadinessProbe.start(node);
      String outage;
      try {
        outage = disruption.run(pg);
      } finally {
        readiness.stop();
      }
      Map<Integer, Integer> readyz = readiness.answers();
      int sentDuring = load.sent() - sentBefore;
      int ackedDuring = load.acknowledgedCount() - ackedBefore;
      Map<String, Integer> answersDuring = load.otherAnswers();
      long recovered = System.nanoTime();
      Await.until(
          () -> load.acknowledgedCount() >= ackedBefore + ackedDuring + 200,
          DELIVER,
          () ->
              "200 acknowledgements after the outage; " + load.summary() + "\n" + node.logTail(20));
      assertThat(load.stop(STOP)).as("senders stop").isTrue();

      // Stripe retries what got no 200; so does this test, now that the database is back.
      Map<String, byte[]> acknowledged = new HashMap<>(load.acknowledged());
      List<Event> unanswered =
          List.copyOf(taken).stream().filter(e -> !acknowledged.containsKey(e.id())).toList();
      ContinuousLoad retry =
          ContinuousLoad.start(node.webhookUrl(), SECRET, 4, ContinuousLoad.of(unanswered));
      Await.until(retry::finished, DELIVER, () -> "retries answered; " + retry.summary());
      Await.until(
          () -> pg.count("SELECT COUNT(*) FROM jobs WHERE state <> 'succeeded'") == 0,
          PROCESS,
          () -> "every job succeeded; " + pg.describeJobs() + "\n" + node.logTail(20));
      long processed = System.nanoTime();

      List<String> storedBeforeRetry = pg.missingOrDifferent(acknowledged);
      acknowledged.putAll(retry.acknowledged());
      int unavailable =
          load.otherAnswers().entrySet().stream()
              .filter(e -> isStorageUnavailable(e.getKey()))
              .mapToInt(Map.Entry::getValue)
              .sum();
      Map<String, Job> jobs = pg.jobsOf(QUICKSTART);
      System.out.printf(
          "outage under load, one node (lease 5s, %d client threads): %s; during it %d"
              + " deliveries, %d answered 200, other answers %s; /readyz during it %s; after it"
              + " %d unanswered deliveries sent again, %d of them already committed"
              + " (duplicates); all %d jobs succeeded %.2f s after it ended; jobs run more than"
              + " once %d (outcomes the node could not record %d, expired leases reaped %d)%n",
          CLIENTS,
          outage,
          sentDuring,
          ackedDuring,
          answersDuring,
          readyz,
          unanswered.size(),
          retry.duplicates(),
          taken.size(),
          (processed - recovered) / 1e9,
          idsWhere(jobs, job -> job.attempts() > 1).size(),
          node.log().lines().filter(l -> l.contains("cannot record outcome")).count(),
          reapedLogged(node));

      assertThat(load.failed()).as("the node kept answering").isEmpty();
      assertThat(load.otherAnswers().keySet())
          .as("every answer other than 200 is 503 storage_unavailable")
          .allMatch(MultiNodeIT::isStorageUnavailable);
      assertThat(unavailable).as("the outage made some deliveries fail").isPositive();
      assertThat(storedBeforeRetry).as("no 200 without a commit").isEmpty();
      assertThat(retry.otherAnswers()).as("every retry after recovery is 200").isEmpty();
      assertThat(retry.failed()).isEmpty();
      assertThat(acknowledged)
          .as("every delivery is acknowledged in the end")
          .hasSize(taken.size());
      assertThat(pg.missingOrDifferent(acknowledged)).isEmpty();
      assertThat(pg.count("SELECT COUNT(*) FROM events")).isEqualTo(taken.size());
      assertThat(jobs).hasSize(taken.size());
      assertThat(idsWhere(jobs, job -> !job.state().equals("succeeded")))
          .as("every event is processed after recovery")
          .isEmpty();
      nodes.stopAll(STOP);
    }
  }

  private static boolean isStorageUnavailable(String answer) {
    return answer.startsWith("503 ") && answer.contains("\"storage_unavailable\"");
  }

  /** The version of the machine's PostgreSQL cluster: the first folder of /etc/postgresql. */
  private static String clusterVersion() throws IOException {
    try (Stream<Path> versions = Files.list(Path.of("/etc/postgresql"))) {
      return versions
          .map(p -> p.getFileName().toString())
          .sorted()
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("no cluster in /etc/postgresql"));
    }
  }

  private void pgCtlCluster(String version, String... action) throws Exception {
    List<String> command =
        new ArrayList<>(List.of("pg_ctlcluster", "--skip-systemctl-redirect", version, "main"));
    command.addAll(List.of(action));
    Path log = Files.createTempFile(dir, "pg_ctlcluster-", ".log");
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(command + " did not finish within 60 s");
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(
          command + " exited with " + p.exitValue() + ": " + Files.readString(log));
    }
  }

  /**
   * Hands out one node's deliveries in order; a repeat is held back (for at most 20 s) until the
   * other node has acknowledged the original, so that it is a duplicate when it arrives.
   */
  private static ContinuousLoad.Source source(
      List<Delivery> deliveries, AtomicReference<ContinuousLoad> otherNode) {
    AtomicInteger next = new AtomicInteger();
    return () -> {
      int i = next.getAndIncrement();
      if (i >= deliveries.size()) {
        return null;
      }
      Delivery d = deliveries.get(i);
      if (d.duplicate()) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
          ContinuousLoad other = otherNode.get();
          if (other != null && other.acknowledged().containsKey(d.event().id())) {
            break;
          }
          try {
            Thread.sleep(1); // waiting for the other node's answer, bounded by the deadline
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
          }
        }
      }
      return d.event();
    };
  }

  private static Set<String> idsWhere(
      Map<String, Job> jobs, java.util.function.Predicate<Job> predicate) {
    return jobs.entrySet().stream()
        .filter(e -> predicate.test(e.getValue()))
        .map(Map.Entry::getKey)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** The quickstart handler's log lines: a lower bound, since the async log may drop lines. */
  private static long handlerRunsLogged(NodeProcess node) {
    return node.log().lines().filter(l -> l.contains("Unhandled event type:")).count();
  }

  private static long reapedLogged(NodeProcess node) {
    return node.log()
        .lines()
        .filter(l -> l.contains("jobs with expired leases to pending"))
        .mapToLong(
            l -> Long.parseLong(l.replaceAll(".*returned (\\d+) jobs with expired leases.*", "$1")))
        .sum();
  }

  /** Several nodes on one database, started together (as after a deploy) and closed together. */
  private static final class Nodes implements AutoCloseable {
    private final List<NodeProcess> nodes;

    private Nodes(List<NodeProcess> nodes) {
      this.nodes = nodes;
    }

    /** Starts one node per name, all at once; extra arguments go to every node. */
    static Nodes start(Path dir, String db, List<String> names, String... args) throws Exception {
      List<CompletableFuture<NodeProcess>> starting = new ArrayList<>();
      for (String n : names) {
        starting.add(
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return NodeProcess.start(n, dir, db, SECRET, args);
                  } catch (Exception e) {
                    throw new CompletionException(e);
                  }
                }));
      }
      List<NodeProcess> started = new ArrayList<>();
      Throwable failure = null;
      for (CompletableFuture<NodeProcess> f : starting) {
        try {
          started.add(f.join());
        } catch (CompletionException e) {
          failure = failure == null ? e.getCause() : failure;
        }
      }
      if (failure != null) {
        started.forEach(NodeProcess::close);
        throw new IllegalStateException("a node did not start", failure);
      }
      return new Nodes(started);
    }

    NodeProcess get(int i) {
      return nodes.get(i);
    }

    /** Graceful stop of the nodes still running, so they close their sessions. */
    void stopAll(Duration timeout) throws InterruptedException {
      for (NodeProcess node : nodes) {
        if (node.isAlive()) {
          node.stop(timeout);
        }
      }
    }

    @Override
    public void close() {
      nodes.forEach(NodeProcess::close);
    }
  }

  /** Polls a node's {@code /readyz} on its own thread and counts the answers by status. */
  private static final class ReadinessProbe {
    private final Map<Integer, AtomicInteger> answers = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean stopping;

    private ReadinessProbe(NodeProcess node) {
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      HttpRequest request =
          HttpRequest.newBuilder(node.readyzUrl()).timeout(Duration.ofSeconds(5)).GET().build();
      thread =
          new Thread(
              () -> {
                while (!stopping) {
                  int status;
                  try {
                    status =
                        client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                  } catch (InterruptedException e) {
                    return;
                  } catch (Exception e) {
                    status = -1;
                  }
                  answers.computeIfAbsent(status, k -> new AtomicInteger()).incrementAndGet();
                  try {
                    Thread.sleep(20); // probe pacing; the loop ends when the test stops it
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "readyz-probe");
      thread.setDaemon(true);
    }

    static ReadinessProbe start(NodeProcess node) {
      ReadinessProbe probe = new ReadinessProbe(node);
      probe.thread.start();
      return probe;
    }

    /** Stops probing, after the request in flight (at most its 5 s timeout). */
    void stop() throws InterruptedException {
      stopping = true;
      thread.join(10_000);
      thread.interrupt();
    }

    /** How often each status came ({@code -1}: no answer). */
    Map<Integer, Integer> answers() {
      Map<Integer, Integer> out = new TreeMap<>();
      answers.forEach((k, v) -> out.put(k, v.get()));
      return out;
    }
  }
}
