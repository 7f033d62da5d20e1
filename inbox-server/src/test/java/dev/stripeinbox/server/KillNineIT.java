package dev.stripeinbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripeinbox.dispatch.Dispatcher;
import dev.stripeinbox.server.DistinctEvents.Event;
import dev.stripeinbox.server.InboxReads.Job;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of the real server under load: no acknowledged event is lost, the database
 * recovers, and every acknowledged event is processed after the restart.
 *
 * <p>A 200 promises that the exact bytes are committed, so each test records what was acknowledged
 * and compares it with the file after the crash. Events whose request was in flight at the crash
 * got no answer; they may or may not be stored, and Stripe would deliver them again.
 */
class KillNineIT {
  private static final String SECRET = "whsec_kill_nine_integration_secret_0001";
  private static final int CLIENTS = 16;

  /** The server's default worker count: at most this many jobs are running at any instant. */
  private static final int WORKERS = 8;

  /** Short, so jobs left running by the crash come back soon after the restart. */
  private static final String[] SHORT_LEASE = {"--lease", "3s"};

  private static final Duration STOP = Duration.ofSeconds(15);
  private static final String QUICKSTART = "quickstart";

  @TempDir Path dir;

  @Test
  void everyAcknowledgedEventSurvivesKillNineByteForByte() throws Exception {
    Path db = dir.resolve("inbox.db");
    ContinuousLoad load;
    try (ServerProcess server = ServerProcess.start(dir, db, SECRET)) {
      load =
          ContinuousLoad.start(
              server.webhookUrl(),
              SECRET,
              CLIENTS,
              ContinuousLoad.of(new DistinctEvents("k9receive", 500, 20 * 1024, 1)));
      long start = System.nanoTime();
      ContinuousLoad running = load;
      // 500 acknowledgements, or 1.5 s of load; on a slow machine, at least 100 of them.
      Await.until(
          () ->
              running.acknowledgedCount() >= 500
                  || (System.nanoTime() - start >= 1_500_000_000L
                      && running.acknowledgedCount() >= 100),
          Duration.ofSeconds(20),
          () -> "100 acknowledgements under load; " + running.summary() + "\n" + server.log());
      server.kill9();
      assertThat(load.stop(STOP)).as("senders stop after the crash").isTrue();
    }
    Map<String, byte[]> acknowledged = new HashMap<>(load.acknowledged());

    Event afterRestart = new DistinctEvents("k9receive-after", 500, 2_000, 11).next();
    try (ServerProcess restarted = ServerProcess.start(dir, db, SECRET)) {
      ContinuousLoad probe =
          ContinuousLoad.start(
              restarted.webhookUrl(), SECRET, 1, ContinuousLoad.of(List.of(afterRestart)));
      Await.until(
          probe::finished,
          STOP,
          () -> "the probe delivered; " + probe.summary() + "\n" + restarted.log());
      assertThat(probe.acknowledged())
          .as(
              "the recovered server acknowledges a new event; %s%n%s",
              probe.summary(), restarted.log())
          .containsKey(afterRestart.id());
      acknowledged.putAll(probe.acknowledged());
      restarted.stop(STOP);
    }

    InboxDatabase inbox = new InboxDatabase(db);
    List<String> problems = inbox.missingOrDifferent(acknowledged);
    long stored = inbox.count("SELECT COUNT(*) FROM events");
    String integrity = inbox.integrityCheck();
    System.out.printf(
        "kill -9 under load (%d clients): acknowledged before the kill %d, failed in flight %d,"
            + " other answers %s; stored after restart %d (including the post-restart probe);"
            + " acknowledged but missing or different %d; integrity_check %s%n",
        CLIENTS,
        load.acknowledgedCount(),
        load.failed().size(),
        load.otherAnswers(),
        stored,
        problems.size(),
        integrity);

    assertThat(problems).as("every acknowledged event is stored byte for byte").isEmpty();
    assertThat(integrity).isEqualTo("ok");
  }

  @Test
  void everyAcknowledgedEventReachesEverySubscriberAfterRestart() throws Exception {
    Path db = dir.resolve("inbox.db");
    List<Event> events = new DistinctEvents("k9process", 500, 4 * 1024, 2).take(1000);
    Map<String, byte[]> acknowledged = new HashMap<>();

    ContinuousLoad first;
    try (ServerProcess server = ServerProcess.start(dir, db, SECRET, SHORT_LEASE)) {
      first = ContinuousLoad.start(server.webhookUrl(), SECRET, CLIENTS, ContinuousLoad.of(events));
      ContinuousLoad running = first;
      Await.until(
          () -> running.acknowledgedCount() >= 600,
          Duration.ofSeconds(30),
          () -> "600 acknowledgements; " + running.summary() + "\n" + server.log());
      server.kill9();
      assertThat(first.stop(STOP)).as("senders stop after the crash").isTrue();
    }
    acknowledged.putAll(first.acknowledged());

    // Read a copy, so the server, not this reader, is the one to recover the WAL.
    Map<String, Job> atKill = InboxDatabase.snapshot(db, dir.resolve("at-kill")).jobsOf(QUICKSTART);
    Set<String> runningAtKill = idsIn(atKill, "running");
    long unfinishedAtKill =
        acknowledged.keySet().stream()
            .filter(id -> !atKill.containsKey(id) || !atKill.get(id).state().equals("succeeded"))
            .count();

    List<Event> rest = events.stream().filter(e -> !acknowledged.containsKey(e.id())).toList();
    InboxDatabase inbox = new InboxDatabase(db);
    ContinuousLoad second;
    try (ServerProcess restarted = ServerProcess.start(dir, db, SECRET, SHORT_LEASE)) {
      second =
          ContinuousLoad.start(restarted.webhookUrl(), SECRET, CLIENTS, ContinuousLoad.of(rest));
      Await.until(
          second::finished,
          Duration.ofSeconds(30),
          () -> "the rest delivered; " + second.summary() + "\n" + restarted.log());
      acknowledged.putAll(second.acknowledged());
      Await.until(
          () ->
              inbox.count(
                      "SELECT COUNT(*) FROM jobs WHERE state IN ('pending', 'running', 'retrying')")
                  == 0,
          Duration.ofSeconds(60),
          () -> {
            try {
              return "all jobs settled; jobs by state " + inbox.jobsByState();
            } catch (Exception e) {
              return "all jobs settled; " + e;
            }
          });
      restarted.stop(STOP);
    }

    Map<String, Job> jobs = inbox.jobsOf(QUICKSTART);
    Set<String> notAcknowledged =
        events.stream()
            .map(Event::id)
            .filter(id -> !acknowledged.containsKey(id))
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> notSucceeded = new TreeSet<>();
    for (String id : acknowledged.keySet()) {
      Job job = jobs.get(id);
      if (job == null || !job.state().equals("succeeded")) {
        notSucceeded.add(id + "=" + job);
      }
    }
    Set<String> ranTwice = new TreeSet<>();
    jobs.forEach(
        (id, job) -> {
          if (job.attempts() > 1) {
            ranTwice.add(id);
          }
        });
    Set<String> leftRunningButNotRerun = new TreeSet<>(runningAtKill);
    leftRunningButNotRerun.removeAll(ranTwice);
    Set<String> rerunButNotLeftRunning = new TreeSet<>(ranTwice);
    rerunButNotLeftRunning.removeAll(runningAtKill);

    System.out.printf(
        "kill -9 mid-processing: acknowledged before the kill %d (failed in flight %d);"
            + " at the kill %d acknowledged events not yet processed, jobs %s;"
            + " after restart sent %d more (%d acknowledged as duplicates);"
            + " acknowledged in all %d of %d; quickstart jobs succeeded %d;"
            + " jobs that ran twice %d (left running by the kill %d)%n",
        first.acknowledgedCount(),
        first.failed().size(),
        unfinishedAtKill,
        stateCounts(atKill),
        rest.size(),
        second.duplicates(),
        acknowledged.size(),
        events.size(),
        jobs.values().stream().filter(j -> j.state().equals("succeeded")).count(),
        ranTwice.size(),
        runningAtKill.size());

    assertThat(notAcknowledged).as("every event is acknowledged by the end").isEmpty();
    assertThat(inbox.missingOrDifferent(acknowledged)).isEmpty();
    assertThat(notSucceeded).as("every acknowledged event's quickstart job succeeded").isEmpty();
    assertThat(ranTwice.size())
        .as(
            "at most the jobs held at the kill (running or queued, all leased) run twice: %s",
            ranTwice)
        .isLessThanOrEqualTo(Dispatcher.HELD_PER_WORKER * WORKERS);
    assertThat(rerunButNotLeftRunning).as("only jobs the crash interrupted ran twice").isEmpty();
    assertThat(leftRunningButNotRerun)
        .as("jobs left running by the crash were reclaimed and ran again")
        .isEmpty();
    assertThat(inbox.integrityCheck()).isEqualTo("ok");
  }

  private static Set<String> idsIn(Map<String, Job> jobs, String state) {
    return jobs.entrySet().stream()
        .filter(e -> e.getValue().state().equals(state))
        .map(Map.Entry::getKey)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static Map<String, Long> stateCounts(Map<String, Job> jobs) {
    return jobs.values().stream()
        .collect(Collectors.groupingBy(Job::state, java.util.TreeMap::new, Collectors.counting()));
  }
}
