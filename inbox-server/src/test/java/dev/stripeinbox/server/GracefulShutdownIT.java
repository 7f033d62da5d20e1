package dev.stripeinbox.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertAll;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM of the real server under load: a clean, bounded stop that keeps every promise. */
class GracefulShutdownIT {
  private static final String SECRET = "whsec_graceful_shutdown_integration_01";
  private static final int CLIENTS = 16;
  private static final Duration EXIT_WITHIN = Duration.ofSeconds(15);

  @TempDir Path dir;

  @Test
  void sigtermLetsInFlightRequestsFinishAndCommits() throws Exception {
    Path db = dir.resolve("inbox.db");
    try (ServerProcess server = ServerProcess.start(dir, db, SECRET)) {
      ContinuousLoad load =
          ContinuousLoad.start(
              server.webhookUrl(),
              SECRET,
              CLIENTS,
              ContinuousLoad.of(new DistinctEvents("sigterm", 500, 20 * 1024, 3)));
      long start = System.nanoTime();
      // 300 acknowledgements, or 1.5 s of load; on a slow machine, at least 100 of them.
      Await.until(
          () ->
              load.acknowledgedCount() >= 300
                  || (System.nanoTime() - start >= 1_500_000_000L
                      && load.acknowledgedCount() >= 100),
          Duration.ofSeconds(20),
          () -> "100 acknowledgements under load; " + load.summary() + "\n" + server.log());

      int acknowledgedAtSignal = load.acknowledgedCount();
      long signalled = System.nanoTime();
      server.terminate();
      OptionalInt exit = server.awaitExit(EXIT_WITHIN);
      long exitMillis = (System.nanoTime() - signalled) / 1_000_000;
      boolean sendersStopped = load.stop(Duration.ofSeconds(15));
      String log = server.log();

      Map<String, byte[]> acknowledged = Map.copyOf(load.acknowledged());
      InboxDatabase inbox = new InboxDatabase(db);
      List<String> problems = inbox.missingOrDifferent(acknowledged);
      String integrity = inbox.integrityCheck();
      System.out.printf(
          "SIGTERM under load (%d clients): acknowledged %d (%d of them answered after the"
              + " signal), failed without an answer %d, other answers %s; exit %s after %d ms;"
              + " acknowledged but missing or different %d%n",
          CLIENTS,
          acknowledged.size(),
          acknowledged.size() - acknowledgedAtSignal,
          load.failed().size(),
          load.otherAnswers(),
          exit.isPresent() ? Integer.toString(exit.getAsInt()) : "none (killed)",
          exitMillis,
          problems.size());

      assertAll(
          () -> assertThat(problems).as("every acknowledged event is stored").isEmpty(),
          () -> assertThat(integrity).isEqualTo("ok"),
          () -> assertThat(log).as("the shutdown log").contains("stopped"),
          () -> assertThat(sendersStopped).as("every client got an answer or an error").isTrue(),
          () ->
              assertThat(exit)
                  .as("exit code within %s of SIGTERM; log:%n%s", EXIT_WITHIN, tail(log))
                  .hasValue(0));
    }
  }

  private static String tail(String log) {
    return log.length() <= 2000 ? log : "..." + log.substring(log.length() - 2000);
  }
}
