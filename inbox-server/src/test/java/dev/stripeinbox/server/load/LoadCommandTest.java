package dev.stripeinbox.server.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripeinbox.StripeInbox;
import dev.stripeinbox.jdbc.JdbcInboxStore;
import dev.stripeinbox.server.cli.CliRun;
import dev.stripeinbox.server.http.InboxServer;
import dev.stripeinbox.server.http.ServerOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code stripe-inbox load} on the command line. */
@Timeout(60)
class LoadCommandTest {
  static final String SECRET = "whsec_load_command_secret_000000001";

  static CliRun cli(String... args) {
    return CliRun.run(args);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--rate|abc|--rate",
        "--concurrency|0|--concurrency",
        "--duration|10 parsecs|--duration",
        "--warmup|-1s|--warmup",
        "--duplicates|1.5|--duplicates",
        "--duplicates|lots|--duplicates",
        "--types|payment_intent.succeded|--types: unknown event type",
        "--types|invoice.paid:0|--types",
        "--url|ftp://example.com|--url",
        "--client|curl|--client",
        "--threads|many|--threads",
        "--timeout|0s|--timeout"
      })
  void badFlagsStopWithOneLineNamingTheFlag(String flag, String value, String named) {
    CliRun run = cli("load", "--secret", SECRET, flag, value);
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err().lines()).hasSize(1);
    assertThat(run.err()).startsWith("stripe-inbox: " + named);
  }

  @Test
  void aSecretIsRequired() {
    CliRun run = cli("load", "--url", "http://127.0.0.1:1/webhook");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).startsWith("stripe-inbox: --secret (STRIPE_WEBHOOK_SECRET): required");
  }

  @Test
  void rateAndConcurrencyTogetherAreRefused() {
    CliRun run = cli("load", "--secret", SECRET, "--rate", "10", "--concurrency", "4");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("--rate and --concurrency");
  }

  @Test
  void nothingListeningIsOneLine() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    CliRun run = cli("load", "--secret", SECRET, "--url", "http://127.0.0.1:" + port + "/webhook");
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).startsWith("stripe-inbox: nothing answers at");
  }

  @Test
  void jsonReportOfARunAgainstOurServer(@TempDir Path dir) throws Exception {
    try (JdbcInboxStore store = JdbcInboxStore.open(dir.resolve("inbox.db").toString());
        StripeInbox inbox = StripeInbox.builder().store(store).secrets(SECRET).build()) {
      InboxServer server =
          new InboxServer(
              inbox,
              new ServerOptions(
                  "127.0.0.1", 0, 1 << 20, Map.of("/webhook", "default"), Duration.ofSeconds(5)));
      server.start();
      try {
        CliRun run =
            cli(
                "load",
                "--url",
                "http://127.0.0.1:" + server.port() + "/webhook",
                "--secret",
                SECRET,
                "--rate",
                "100",
                "--duration",
                "1s",
                "--types",
                "invoice.paid:2,charge.refunded",
                "--duplicates",
                "10%",
                "--json");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out().strip())
            .startsWith("{\"url\":")
            .endsWith("}")
            .contains("\"mode\":\"open\"")
            .contains("\"requests\":100,")
            .contains("\"2xx\":100,")
            .contains("\"types\":\"invoice.paid:2,charge.refunded\"")
            .contains("\"latency_ms\":{\"p50\":");
      } finally {
        server.close();
      }
    }
  }
}
