package dev.stripeinbox.server.config;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stripeinbox.dispatch.RetryPolicy;
import dev.stripeinbox.receive.Endpoint;
import dev.stripeinbox.server.cli.SettingException;
import dev.stripeinbox.server.config.InboxConfig.EndpointConfig;
import dev.stripeinbox.server.forward.Destination;
import dev.stripeinbox.testkit.Signer;
import dev.stripeinbox.verify.SignatureFailure;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code --config} file: a full valid file, and one test per kind of error. */
class ConfigFileTest {
  static final String PLATFORM = "whsec_platform_secret_000000000001";
  static final String CONNECT = "whsec_connect_secret_0000000000002";
  static final String ORDERS = "whsec_orders_forward_secret_000003";

  static final Map<String, String> ENV =
      Map.of(
          "STRIPE_WEBHOOK_SECRET", PLATFORM,
          "STRIPE_CONNECT_WEBHOOK_SECRET", CONNECT,
          "ORDERS_FORWARD_SECRET", ORDERS,
          "ADMIN_TOKEN", "admin#token:not-YAML",
          "EMPTY", "");

  /** A valid endpoints block, for tests about other parts. */
  static final String ENDPOINTS =
      """
      endpoints:
        - name: platform
          path: /webhook
          secrets: [whsec_abc]
      """;

  @TempDir Path dir;

  Path write(String yaml) throws IOException {
    Path file = dir.resolve("config.yml");
    Files.writeString(file, yaml, UTF_8);
    return file;
  }

  InboxConfig load(String yaml) throws IOException {
    return ConfigFile.load(write(yaml), ENV);
  }

  /** Loads the file, expecting exactly {@code <file> <expected>} as the one-line message. */
  void assertError(String yaml, String expected) throws IOException {
    Path file = write(yaml);
    SettingException e = assertThrows(SettingException.class, () -> ConfigFile.load(file, ENV));
    assertThat(e.getMessage()).isEqualTo(file + " " + expected).doesNotContain("\n");
  }

  @Test
  void fullFileLoadsWithEnvironmentSubstitutionAndFallbacks() throws Exception {
    InboxConfig config =
        load(
            """
            # the deployment's config; ${NOT_SET_BUT_IN_A_COMMENT} is ignored
            server:
              host: 0.0.0.0
              port: ${PORT:-4242}
              max_body: 512KiB
              admin_token: ${ADMIN_TOKEN}
            database: ${DB_PATH:-/var/lib/stripe-inbox/inbox.db}
            endpoints:
              - name: platform
                path: /webhook
                secrets: [${STRIPE_WEBHOOK_SECRET}, "${OLD_SECRET:-whsec_old_rolling_out}"]
                tolerance: 300s
                types: ["*"]
              - name: connect
                path: /webhook/connect
                secrets: [${STRIPE_CONNECT_WEBHOOK_SECRET}]
                tolerance: 2m
                types: [account.updated, "payout.*"]
            destinations:
              - name: orders
                url: http://localhost:9000/stripe
                secret: ${ORDERS_FORWARD_SECRET}
                types: [checkout.session.completed, "invoice.*"]
                timeout: 10s
                max_concurrency: 16
                retry: {max_attempts: 12, initial_delay: 1s, factor: 2, max_delay: 1h, max_age: 3d}
              - name: audit
                url: https://audit.example.com/hooks/stripe?source=${EMPTY:-inbox}
                secret: whsec_audit
                retry:
                  max_attempts: 3
                  jitter: 0
            """);

    assertThat(config.server().host()).contains("0.0.0.0");
    assertThat(config.server().port()).isEqualTo(OptionalInt.of(4242));
    assertThat(config.server().maxBody()).isEqualTo(OptionalInt.of(512 * 1024));
    assertThat(config.server().adminToken())
        .as("a value is used as it is, never read as YAML")
        .contains("admin#token:not-YAML");
    assertThat(config.database()).contains("/var/lib/stripe-inbox/inbox.db");

    assertThat(config.endpoints())
        .containsExactly(
            new EndpointConfig(
                "platform",
                "/webhook",
                List.of(PLATFORM, "whsec_old_rolling_out"),
                Duration.ofSeconds(300),
                config.endpoints().get(0).types()),
            new EndpointConfig(
                "connect",
                "/webhook/connect",
                List.of(CONNECT),
                Duration.ofMinutes(2),
                config.endpoints().get(1).types()));
    assertThat(config.endpoints().get(0).types().matches("anything.at_all")).isTrue();
    assertThat(config.endpoints().get(1).types().matches("payout.paid")).isTrue();
    assertThat(config.endpoints().get(1).types().matches("account.updated")).isTrue();
    assertThat(config.endpoints().get(1).types().matches("charge.succeeded")).isFalse();
    assertThat(config.webhookPaths())
        .containsExactly(
            Map.entry("/webhook", "platform"), Map.entry("/webhook/connect", "connect"));

    Destination orders = config.destinations().get(0);
    assertThat(orders.name()).isEqualTo("orders");
    assertThat(orders.subscriberName()).isEqualTo("forward:orders");
    assertThat(orders.url()).isEqualTo(URI.create("http://localhost:9000/stripe"));
    assertThat(orders.secret()).isEqualTo(ORDERS);
    assertThat(orders.types().matches("invoice.paid")).isTrue();
    assertThat(orders.types().matches("checkout.session.completed")).isTrue();
    assertThat(orders.types().matches("customer.created")).isFalse();
    assertThat(orders.timeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(orders.maxConcurrency()).isEqualTo(16);
    assertThat(orders.retryPolicy()).isEqualTo(RetryPolicy.defaults());

    Destination audit = config.destinations().get(1);
    assertThat(audit.url())
        .as("an empty variable takes its fallback")
        .isEqualTo(URI.create("https://audit.example.com/hooks/stripe?source=inbox"));
    assertThat(audit.types().matches("anything")).isTrue();
    assertThat(audit.timeout()).isEqualTo(Destination.DEFAULT_TIMEOUT);
    assertThat(audit.maxConcurrency()).isEqualTo(Destination.DEFAULT_MAX_CONCURRENCY);
    assertThat(audit.retryPolicy())
        .isEqualTo(RetryPolicy.defaults().withMaxAttempts(3).withJitter(0));

    assertThat(config.toString())
        .as("no secret or token in toString")
        .doesNotContain(PLATFORM, CONNECT, ORDERS, "whsec_audit", "admin#token");
  }

  @Test
  void endpointBuiltFromTheFileVerifiesWithItsSecretsOnly() throws Exception {
    InboxConfig config =
        load(
            """
            endpoints:
              - name: connect
                path: /webhook/connect
                secrets: [${STRIPE_CONNECT_WEBHOOK_SECRET}]
                tolerance: 60s
            """);
    Instant now = Instant.parse("2026-11-28T12:00:00Z");
    Endpoint endpoint = config.endpoints(Clock.fixed(now, ZoneOffset.UTC)).get(0);
    byte[] body = "{\"id\":\"evt_1\",\"type\":\"account.updated\"}".getBytes(UTF_8);

    assertThat(endpoint.name()).isEqualTo("connect");
    assertThat(endpoint.verifier().verify(body, Signer.header(body, CONNECT, now.getEpochSecond())))
        .isEmpty();
    assertThat(
            endpoint.verifier().verify(body, Signer.header(body, PLATFORM, now.getEpochSecond())))
        .contains(SignatureFailure.SIGNATURE_MISMATCH);
    assertThat(
            endpoint
                .verifier()
                .verify(body, Signer.header(body, CONNECT, now.getEpochSecond() - 61)))
        .contains(SignatureFailure.TIMESTAMP_OUTSIDE_TOLERANCE);
  }

  @Test
  void omittedSettingsTakeTheirDefaultsAndLeaveServerSettingsToFlags() throws Exception {
    InboxConfig config = load(ENDPOINTS);

    assertThat(config.server()).isEqualTo(InboxConfig.Server.unset());
    assertThat(config.database()).isEqualTo(Optional.empty());
    assertThat(config.endpoints().get(0).tolerance()).isEqualTo(Duration.ofSeconds(300));
    assertThat(config.endpoints().get(0).types().matches("any.type")).isTrue();
    assertThat(config.destinations()).isEmpty();
  }

  @Test
  void missingVariableWithoutFallbackNamesTheVariableTheLineAndTheSetting() throws Exception {
    assertError(
        """
        endpoints:
          - name: platform
            path: /webhook
            secrets:
              - ${STRIPE_WEBHOOK_SECRET}
              - ${STRIPE_WEBHOOK_SECRET_OLD}
        """,
        "line 6: endpoints[0].secrets[1]: environment variable STRIPE_WEBHOOK_SECRET_OLD is not set");
  }

  @Test
  void emptyVariableWithoutFallbackIsAnError() throws Exception {
    assertError(
        ENDPOINTS + "database: ${EMPTY}\n",
        "line 5: database: environment variable EMPTY is empty");
  }

  @Test
  void textThatLooksLikeAnInternalPlaceholderIsKeptAsWritten() throws Exception {
    InboxConfig config =
        load(
            """
            endpoints:
              - name: platform
                path: /webhook
                secrets:
                  - whsec___stripe_inbox_env_7__
                  - "whsec___stripe_inbox_env_0__\uE000"
                  - ${STRIPE_WEBHOOK_SECRET}
            """);
    assertThat(config.endpoints().get(0).secrets())
        .containsExactly(
            "whsec___stripe_inbox_env_7__", "whsec___stripe_inbox_env_0__\uE000", PLATFORM);
  }

  @Test
  void inMemoryDatabaseIsAnError() throws Exception {
    assertError(
        ENDPOINTS + "database: \":memory:\"\n",
        "line 5: database: an in-memory SQLite database cannot keep events; give a file path such"
            + " as stripe-inbox.db");
  }

  @Test
  void referenceThatIsNotAVariableNameIsAnError() throws Exception {
    assertError(
        ENDPOINTS + "database: ${1DB}\n",
        "line 5: database: has a ${ that is not a reference such as ${NAME} or ${NAME:-fallback}");
  }

  @Test
  void malformedYamlIsOneLineWithTheLine() throws Exception {
    Path file =
        write(
            """
            endpoints:
              - name: platform
                path: /webhook
               secrets: [whsec_abc]
            """);
    SettingException e = assertThrows(SettingException.class, () -> ConfigFile.load(file, ENV));
    assertThat(e.getMessage()).startsWith(file + " line 4: malformed YAML: ").doesNotContain("\n");
  }

  @Test
  void unclosedFlowListIsMalformedYaml() throws Exception {
    Path file = write(ENDPOINTS + "destinations: [\n");
    SettingException e = assertThrows(SettingException.class, () -> ConfigFile.load(file, ENV));
    assertThat(e.getMessage()).matches(".* line \\d+: malformed YAML: .*").doesNotContain("\n");
  }

  @Test
  void unknownKeyIsAnErrorThatListsTheKnownOnes() throws Exception {
    assertError(
        "server:\n  hots: 0.0.0.0\n" + ENDPOINTS,
        "line 2: server.hots: unknown setting; expected one of admin_token, host, max_body, port");
  }

  @Test
  void unknownTopLevelKeyIsAnError() throws Exception {
    assertError(
        ENDPOINTS + "destination:\n  - name: x\n",
        "line 5: destination: unknown setting; expected one of database, destinations, endpoints,"
            + " server");
  }

  @Test
  void keySetTwiceIsAnError() throws Exception {
    assertError(
        """
        endpoints:
          - name: platform
            path: /webhook
            name: other
            secrets: [whsec_abc]
        """,
        "line 4: endpoints[0].name: is set twice (first on line 2)");
  }

  @Test
  void scalarWhereAListBelongsIsAWrongType() throws Exception {
    assertError(
        """
        endpoints:
          - name: platform
            path: /webhook
            secrets: whsec_abc
        """,
        "line 4: endpoints[0].secrets: must be a list, such as [a, b], not a single value");
  }

  @Test
  void listWhereAValueBelongsIsAWrongType() throws Exception {
    assertError(
        "server:\n  port: [4242]\n" + ENDPOINTS,
        "line 2: server.port: must be a single value, not a list");
  }

  @Test
  void fileThatIsNotAMappingIsAnError() throws Exception {
    assertError(
        "- endpoints\n",
        "line 1: the file: must be a mapping of database, destinations, endpoints, server,"
            + " not a list");
  }

  @Test
  void emptyFileIsAnError() throws Exception {
    assertError("# nothing yet\n", "line 1: the file is empty; it needs an endpoints list");
  }

  @Test
  void settingWithNoValueIsAnError() throws Exception {
    assertError(ENDPOINTS + "database:\n", "line 5: database: has no value");
  }

  @Test
  void missingEndpointsIsAnError() throws Exception {
    assertError(
        "database: inbox.db\n", "line 1: endpoints: is required: list at least one endpoint");
  }

  @Test
  void emptyEndpointsListIsAnError() throws Exception {
    assertError("endpoints: []\n", "line 1: endpoints: is empty: list at least one endpoint");
  }

  @Test
  void missingRequiredKeyNamesTheSetting() throws Exception {
    assertError(
        """
        endpoints:
          - name: platform
            secrets: [whsec_abc]
        """,
        "line 2: endpoints[0].path: is required");
  }

  @Test
  void destinationWithoutSecretNamesTheSetting() throws Exception {
    assertError(
        ENDPOINTS + "destinations:\n  - name: orders\n    url: http://localhost:9000/stripe\n",
        "line 6: destinations[0].secret: is required");
  }

  @Test
  void duplicateEndpointNameIsAnError() throws Exception {
    assertError(
        ENDPOINTS + "  - name: platform\n    path: /webhook/connect\n    secrets: [whsec_x]\n",
        "line 5: endpoints[1].name: \"platform\" is already the name of endpoints[0]");
  }

  @Test
  void duplicateEndpointPathIsAnError() throws Exception {
    assertError(
        ENDPOINTS + "  - name: connect\n    path: /webhook\n    secrets: [whsec_x]\n",
        "line 6: endpoints[1].path: /webhook is already the path of endpoints[0]");
  }

  @Test
  void duplicateDestinationNameIsAnError() throws Exception {
    String destination = "  - name: orders\n    url: http://localhost:9000/\n    secret: whsec_d\n";
    assertError(
        ENDPOINTS + "destinations:\n" + destination + destination,
        "line 9: destinations[1].name: \"orders\" is already the name of destinations[0]");
  }

  @Test
  void invalidNameIsAnError() throws Exception {
    assertError(
        "endpoints:\n  - name: my endpoint\n    path: /webhook\n    secrets: [whsec_abc]\n",
        "line 2: endpoints[0].name: \"my endpoint\" is not a name: use 1 to 64 of A-Z a-z 0-9 . _"
            + " -");
  }

  @Test
  void pathNotStartingWithSlashIsAnError() throws Exception {
    assertError(
        "endpoints:\n  - name: platform\n    path: webhook\n    secrets: [whsec_abc]\n",
        "line 3: endpoints[0].path: must start with /, such as /webhook");
  }

  @Test
  void pathCollidingWithAServerRouteIsAnError() throws Exception {
    assertError(
        "endpoints:\n  - name: platform\n    path: /healthz\n    secrets: [whsec_abc]\n",
        "line 3: endpoints[0].path: /healthz collides with the server's own /healthz route");
    assertError(
        "endpoints:\n  - name: platform\n    path: /api/stripe\n    secrets: [whsec_abc]\n",
        "line 3: endpoints[0].path: /api/stripe collides with the server's own /api route");
    assertError(
        "endpoints:\n  - name: platform\n    path: /metrics\n    secrets: [whsec_abc]\n",
        "line 3: endpoints[0].path: /metrics collides with the server's own /metrics route");
  }

  @Test
  void pathWithCharactersOutsideAPathIsAnError() throws Exception {
    assertError(
        "endpoints:\n  - name: platform\n    path: /webhook?x=1\n    secrets: [whsec_abc]\n",
        "line 3: endpoints[0].path: \"/webhook?x=1\" is not a path of letters, digits and / - . _"
            + " ~ only");
  }

  @Test
  void secretNotStartingWithWhsecIsAnErrorThatDoesNotShowIt() throws Exception {
    assertError(
        ENDPOINTS
            + "  - name: connect\n    path: /webhook/connect\n    secrets: [sk_live_123abc]\n",
        "line 7: endpoints[1].secrets[0]: must start with whsec_ (copy it from the Dashboard or"
            + " stripe listen)");
  }

  @Test
  void forwardSecretNotStartingWithWhsecIsAnError() throws Exception {
    assertError(
        ENDPOINTS
            + "destinations:\n  - name: orders\n    url: http://localhost:9000/\n"
            + "    secret: ${UNSET_FORWARD_SECRET:-changeme}\n",
        "line 8: destinations[0].secret: must start with whsec_ (copy it from the Dashboard or"
            + " stripe listen)");
  }

  @Test
  void badDurationIsAnError() throws Exception {
    assertError(
        ENDPOINTS + "    tolerance: 5 minutes\n",
        "line 5: endpoints[0].tolerance: \"5 minutes\" is not a duration such as 250ms, 300s, 5m,"
            + " 1h or 30d");
  }

  @Test
  void zeroDurationIsAnError() throws Exception {
    assertError(
        ENDPOINTS
            + "destinations:\n  - name: orders\n    url: http://localhost:9000/\n"
            + "    secret: whsec_d\n    timeout: 0s\n",
        "line 9: destinations[0].timeout: must be more than zero");
  }

  @Test
  void toleranceUnderASecondIsAnError() throws Exception {
    assertError(
        ENDPOINTS + "    tolerance: 500ms\n",
        "line 5: endpoints[0].tolerance: must be at least 1s, was 500ms");
  }

  @Test
  void badSizeIsAnError() throws Exception {
    assertError(
        "server:\n  max_body: lots\n" + ENDPOINTS,
        "line 2: server.max_body: \"lots\" is not a size such as 1MiB, 512KiB or 65536");
  }

  @Test
  void sizeThatWouldOverflowIsAnError() throws Exception {
    assertError(
        "server:\n  max_body: 73786976295gb\n" + ENDPOINTS,
        "line 2: server.max_body: must be between 1 byte and 256MiB, was 73786976295gb");
  }

  @Test
  void durationOverTenYearsIsAnError() throws Exception {
    assertError(
        ENDPOINTS
            + "destinations:\n  - name: orders\n    url: http://localhost:9000/\n"
            + "    secret: whsec_d\n    retry: {max_age: 999999999999d}\n",
        "line 9: destinations[0].retry.max_age: must be at most 3650d, was 999999999999d");
  }

  @Test
  void badPortIsAnError() throws Exception {
    assertError(
        "server:\n  port: 70000\n" + ENDPOINTS,
        "line 2: server.port: 70000 is not between 0 and 65535");
  }

  @Test
  void shortAdminTokenIsAnErrorNamingTheFileSetting() throws Exception {
    assertError(
        "server:\n  admin_token: short\n" + ENDPOINTS,
        "line 2: server.admin_token: use at least 16 printable characters without spaces");
  }

  @Test
  void badTypePatternIsAnError() throws Exception {
    assertError(
        ENDPOINTS + "    types: [invoice.paid, \"invoice*\"]\n",
        "line 5: endpoints[0].types[1]: invalid event type pattern \"invoice*\": use an exact"
            + " type, a prefix such as invoice.*, or *");
  }

  @Test
  void emptyTypeListIsAnError() throws Exception {
    assertError(
        ENDPOINTS + "    types: []\n",
        "line 5: endpoints[0].types: is empty: list at least one type, or \"*\" for all");
  }

  @Test
  void urlThatIsNotHttpIsAnErrorThatDoesNotShowIt() throws Exception {
    assertError(
        ENDPOINTS
            + "destinations:\n  - name: orders\n    url: ftp://user:pw@host/\n"
            + "    secret: whsec_d\n",
        "line 7: destinations[0].url: must be an absolute http:// or https:// URL with a host");
    assertError(
        ENDPOINTS
            + "destinations:\n  - name: orders\n    url: localhost:9000\n"
            + "    secret: whsec_d\n",
        "line 7: destinations[0].url: must be an absolute http:// or https:// URL with a host");
  }

  @Test
  void urlWithAPortOutOfRangeIsAnError() throws Exception {
    assertError(
        ENDPOINTS
            + "destinations:\n  - name: orders\n    url: http://localhost:70000/\n"
            + "    secret: whsec_d\n",
        "line 7: destinations[0].url: the port must be from 1 to 65535, was 70000");
  }

  @Test
  void numbersOutOfRangeAreErrors() throws Exception {
    String destination =
        ENDPOINTS
            + "destinations:\n  - name: orders\n    url: http://localhost:9000/\n"
            + "    secret: whsec_d\n";
    assertError(
        destination + "    max_concurrency: 0\n",
        "line 9: destinations[0].max_concurrency: must be at least 1, was 0");
    assertError(
        destination + "    max_concurrency: 600000000\n",
        "line 9: destinations[0].max_concurrency: must be at most 1000, was 600000000");
    assertError(
        destination + "    retry: {max_attempts: -3}\n",
        "line 9: destinations[0].retry.max_attempts: must be at least 1, was -3");
    assertError(
        destination + "    retry: {max_attempts: many}\n",
        "line 9: destinations[0].retry.max_attempts: \"many\" is not a whole number");
    assertError(
        destination + "    retry:\n      factor: 0.5\n",
        "line 10: destinations[0].retry.factor: must be between 1 and 1000, was 0.5");
    assertError(
        destination + "    retry:\n      jitter: 1.5\n",
        "line 10: destinations[0].retry.jitter: must be between 0 and 1, was 1.5");
  }

  @Test
  void retryCapShorterThanTheFirstDelayIsAnError() throws Exception {
    assertError(
        ENDPOINTS
            + "destinations:\n  - name: orders\n    url: http://localhost:9000/\n"
            + "    secret: whsec_d\n    retry: {initial_delay: 10m, max_delay: 1m}\n",
        "line 9: destinations[0].retry.max_delay: must be at least initial_delay (PT10M)");
  }

  @Test
  void unknownRetryKeyIsAnError() throws Exception {
    assertError(
        ENDPOINTS
            + "destinations:\n  - name: orders\n    url: http://localhost:9000/\n"
            + "    secret: whsec_d\n    retry: {attempts: 3}\n",
        "line 9: destinations[0].retry.attempts: unknown setting; expected one of factor,"
            + " initial_delay, jitter, max_age, max_attempts, max_delay");
  }

  @Test
  void missingFileIsAnError() {
    Path file = dir.resolve("nope.yml");
    SettingException e = assertThrows(SettingException.class, () -> ConfigFile.load(file, ENV));
    assertThat(e.getMessage()).isEqualTo(file + ": no such file");
  }
}
