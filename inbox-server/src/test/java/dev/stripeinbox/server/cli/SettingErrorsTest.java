package dev.stripeinbox.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripeinbox.jdbc.JdbcInboxStore;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Settings that stop a command before it does its work: each is one line naming the setting, and
 * exit code 2, never a stack trace. A serve that wrongly starts would block here, hence the
 * timeout.
 */
@Timeout(30)
class SettingErrorsTest {
  static final String SECRET = "whsec_serve_command_test_secret_001";

  @TempDir Path dir;

  static CliRun cli(Map<String, String> env, String... args) {
    return CliRun.run(env, args);
  }

  /**
   * {@code serve [args]}, with a database in a temporary folder and on port 0 unless {@code args}
   * name them, expected to stop with a setting error.
   */
  CliRun serve(Map<String, String> env, String... args) {
    List<String> all = new ArrayList<>(List.of("serve"));
    if (!List.of(args).contains("--db")) {
      all.addAll(List.of("--db", dir.resolve("inbox.db").toString()));
    }
    if (!List.of(args).contains("--port")) {
      all.addAll(List.of("--port", "0"));
    }
    all.addAll(List.of(args));
    return cli(env, all.toArray(String[]::new));
  }

  static void assertSettingError(CliRun run, String startsWith) {
    assertThat(run.exit()).as(run.err()).isEqualTo(2);
    assertThat(run.err().lines()).as(run.err()).hasSize(1);
    assertThat(run.err()).startsWith("stripe-inbox: " + startsWith);
  }

  Path config(String yaml) throws Exception {
    Path file = dir.resolve("stripe-inbox.yml");
    Files.writeString(file, yaml);
    return file;
  }

  @Test
  void secretFlagWithAConfigFileIsRefused() throws Exception {
    Path config =
        config(
            """
            endpoints:
              - {name: platform, path: /webhook, secrets: [whsec_in_the_file]}
            """);
    CliRun run = serve(Map.of(), "--config", config.toString(), "--secret", SECRET);
    assertSettingError(run, "--secret: with --config, set each endpoint's secrets in the file");
  }

  @ParameterizedTest
  @ValueSource(strings = {",", ",,", "whsec_a,", " , whsec_a"})
  void aSecretListWithAnEmptyItemIsRefusedByServe(String list) {
    CliRun run = serve(Map.of("STRIPE_WEBHOOK_SECRET", list));
    assertSettingError(run, "--secret (STRIPE_WEBHOOK_SECRET): a secret is empty");
  }

  @ParameterizedTest
  @ValueSource(strings = {",", ",,"})
  void aSecretListOfOnlyCommasIsRefusedByTrigger(String list) {
    CliRun run =
        cli(
            Map.of("STRIPE_WEBHOOK_SECRET", list),
            "trigger",
            "invoice.paid",
            "--url",
            "http://127.0.0.1:1/webhook");
    assertSettingError(run, "--secret (STRIPE_WEBHOOK_SECRET): a secret is empty");
  }

  @ParameterizedTest
  @ValueSource(strings = {",", ",,"})
  void aSecretListOfOnlyCommasIsRefusedByLoad(String list) {
    CliRun run =
        cli(Map.of("STRIPE_WEBHOOK_SECRET", list), "load", "--url", "http://127.0.0.1:1/webhook");
    assertSettingError(run, "--secret (STRIPE_WEBHOOK_SECRET): a secret is empty");
  }

  @Test
  void toleranceUnderASecondIsRefused() {
    assertSettingError(
        serve(Map.of(), "--secret", SECRET, "--tolerance", "500ms"),
        "--tolerance (STRIPE_INBOX_TOLERANCE): must be at least 1s, was 500ms");
    assertSettingError(
        serve(Map.of("STRIPE_INBOX_TOLERANCE", "999ms"), "--secret", SECRET),
        "--tolerance (STRIPE_INBOX_TOLERANCE): must be at least 1s, was 999ms");
  }

  @Test
  void aPortInUseNamesTheHostAndThePort() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      CliRun run = serve(Map.of(), "--secret", SECRET, "--host", "127.0.0.1", "--port", "" + port);
      assertSettingError(
          run, "--host (HOST) / --port (PORT): cannot listen on 127.0.0.1:" + port + ": ");
      assertThat(run.err()).as("the reason").contains("in use");
    }
  }

  @Test
  void anAddressOfNoLocalInterfaceNamesTheHostAndThePort() {
    // 192.0.2.0/24 is reserved for documentation: no machine has it.
    CliRun run = serve(Map.of("HOST", "192.0.2.1"), "--secret", SECRET);
    assertSettingError(run, "--host (HOST) / --port (PORT): cannot listen on 192.0.2.1:0: ");
  }

  @Test
  void aShortAdminTokenInTheConfigFileIsNamedAsTheFileSetting() throws Exception {
    Path config =
        config(
            """
            server:
              admin_token: too-short
            endpoints:
              - {name: platform, path: /webhook, secrets: [whsec_in_the_file]}
            """);
    CliRun run = serve(Map.of(), "--config", config.toString());
    assertSettingError(
        run,
        config
            + " line 2: server.admin_token: use at least 16 printable characters without spaces");
  }

  @Test
  void forwardToBesideAConfigDestinationNamedDefaultIsRefused() throws Exception {
    Path config =
        config(
            """
            endpoints:
              - {name: platform, path: /webhook, secrets: [whsec_in_the_file]}
            destinations:
              - {name: default, url: "http://127.0.0.1:9/", secret: whsec_downstream}
            """);
    CliRun run =
        serve(
            Map.of(),
            "--config",
            config.toString(),
            "--forward-to",
            "http://127.0.0.1:9/other",
            "--forward-secret",
            "whsec_other_downstream");
    assertSettingError(
        run,
        "--forward-to (STRIPE_INBOX_FORWARD_URL): adds a destination named default, and "
            + config
            + " has one by that name");
  }

  /** An empty database, as {@code serve} leaves it, for the {@code events} commands. */
  String emptyDatabase() {
    Path db = dir.resolve("events.db");
    JdbcInboxStore.open(db.toString()).close();
    return db.toString();
  }

  @Test
  void aTypeThatIsNotAPatternIsRefusedByEventsListAndReplay() {
    String db = emptyDatabase();
    String message =
        "--type: invalid event type pattern \"invoice*\": use an exact type, a prefix such as"
            + " invoice.*, or *";
    assertSettingError(
        cli(Map.of(), "events", "replay", "--status", "dead", "--type", "invoice*", "--db", db),
        message);
    assertSettingError(cli(Map.of(), "events", "list", "--type", "invoice*", "--db", db), message);
  }

  @Test
  void aSinceBeyondWhatTheStoreKeepsIsRefused() {
    CliRun run =
        cli(
            Map.of(),
            "events",
            "replay",
            "--status",
            "dead",
            "--since",
            "+300000000-01-01T00:00:00Z",
            "--db",
            emptyDatabase());
    assertSettingError(run, "--since: \"+300000000-01-01T00:00:00Z\" is not a date such as");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--max-body|73786976295gb|--max-body (STRIPE_INBOX_MAX_BODY): must be between 1 byte and"
            + " 256MiB, was 73786976295gb",
        "--lease|999999999999d|--lease (STRIPE_INBOX_LEASE): must be at most 3650d, was"
            + " 999999999999d",
        "--retention|3651d|--retention (STRIPE_INBOX_RETENTION): must be at most 3650d, was 3651d",
        "--workers|600000000|--workers (STRIPE_INBOX_WORKERS): must be at most 1000, was 600000000"
      })
  void numbersThatWouldOverflowAreRefused(String flag, String value, String message) {
    assertSettingError(serve(Map.of(), "--secret", SECRET, flag, value), message);
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://127.0.0.1:70000/", "http://127.0.0.1:0/"})
  void aForwardUrlWithAPortOutOfRangeIsRefused(String url) {
    CliRun run =
        serve(
            Map.of(),
            "--secret",
            SECRET,
            "--forward-to",
            url,
            "--forward-secret",
            "whsec_downstream_secret");
    assertSettingError(
        run, "--forward-to (STRIPE_INBOX_FORWARD_URL): the port must be from 1 to 65535, was ");
  }

  @Test
  void anEmptyOrInMemoryDatabaseIsRefusedByName() {
    assertSettingError(
        serve(Map.of(), "--secret", SECRET, "--db", ""),
        "--db (STRIPE_INBOX_DB): is empty; give a SQLite file path or a jdbc:postgresql:// URL");
    assertSettingError(
        serve(Map.of(), "--secret", SECRET, "--db", ":memory:"),
        "--db (STRIPE_INBOX_DB): an in-memory SQLite database cannot keep events");
    assertSettingError(
        serve(Map.of(), "--secret", SECRET, "--db", "file:inbox?mode=memory&cache=shared"),
        "--db (STRIPE_INBOX_DB): an in-memory SQLite database cannot keep events");
  }
}
