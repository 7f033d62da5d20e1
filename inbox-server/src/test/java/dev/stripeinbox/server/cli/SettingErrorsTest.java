package dev.stripeinbox.server.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
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

  record Run(int exit, String out, String err) {}

  /** Runs the command line with {@code env} as its environment variables. */
  static synchronized Run cli(Map<String, String> env, String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, UTF_8));
      System.setErr(new PrintStream(e, true, UTF_8));
      int exit = Main.run(env, args);
      return new Run(exit, o.toString(UTF_8), e.toString(UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  /** {@code serve --db <temp file> --port 0 [args]}, expected to stop with a setting error. */
  Run serve(Map<String, String> env, String... args) {
    String[] all = new String[args.length + 5];
    all[0] = "serve";
    all[1] = "--db";
    all[2] = dir.resolve("inbox.db").toString();
    all[3] = "--port";
    all[4] = "0";
    System.arraycopy(args, 0, all, 5, args.length);
    return cli(env, all);
  }

  static void assertSettingError(Run run, String startsWith) {
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
    Run run = serve(Map.of(), "--config", config.toString(), "--secret", SECRET);
    assertSettingError(run, "--secret: with --config, set each endpoint's secrets in the file");
  }

  @ParameterizedTest
  @ValueSource(strings = {",", ",,", "whsec_a,", " , whsec_a"})
  void aSecretListWithAnEmptyItemIsRefusedByServe(String list) {
    Run run = serve(Map.of("STRIPE_WEBHOOK_SECRET", list));
    assertSettingError(run, "--secret (STRIPE_WEBHOOK_SECRET): a secret is empty");
  }

  @ParameterizedTest
  @ValueSource(strings = {",", ",,"})
  void aSecretListOfOnlyCommasIsRefusedByTrigger(String list) {
    Run run =
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
    Run run =
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
}
