package dev.stripeinbox.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.stripe.net.Webhook;
import dev.stripeinbox.StripeInbox;
import dev.stripeinbox.dispatch.DispatcherOptions;
import dev.stripeinbox.dispatch.RetryPolicy;
import dev.stripeinbox.inbox.EventStatus;
import dev.stripeinbox.inbox.JobState;
import dev.stripeinbox.inbox.StoredEvent;
import dev.stripeinbox.jdbc.JdbcInboxStore;
import dev.stripeinbox.server.cli.CliRun;
import dev.stripeinbox.server.http.InboxServer;
import dev.stripeinbox.server.http.ServerOptions;
import dev.stripeinbox.testkit.EventTemplates;
import dev.stripeinbox.testkit.RecordingHandler;
import dev.stripeinbox.testkit.Signer;
import dev.stripeinbox.testkit.TriggerOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code trigger} and {@code events} commands against a real server and database. */
class CliTest {
  static final String SECRET = "whsec_cli_tests_secret_000000000001";

  @TempDir Path dir;
  Path db;
  JdbcInboxStore store;
  StripeInbox inbox;
  InboxServer server;
  String url;
  RecordingHandler fragile =
      new RecordingHandler().failingWhen(e -> e.type().equals("charge.failed"));

  @BeforeEach
  void start() throws Exception {
    db = dir.resolve("inbox.db");
    store = JdbcInboxStore.open(db.toString());
    inbox =
        StripeInbox.builder()
            .store(store)
            .secrets(SECRET)
            .on("fragile", List.of("*"), fragile, RetryPolicy.defaults().withMaxAttempts(1))
            .dispatcherOptions(DispatcherOptions.defaults().withPollInterval(Duration.ofMillis(20)))
            .build();
    inbox.start();
    server =
        new InboxServer(
            inbox,
            new ServerOptions(
                "127.0.0.1", 0, 1 << 20, Map.of("/webhook", "default"), Duration.ofSeconds(5)));
    server.start();
    url = "http://127.0.0.1:" + server.port() + "/webhook";
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    inbox.close();
    store.close();
  }

  static CliRun cli(String... args) {
    return CliRun.run(args);
  }

  @Test
  void everySupportedTypeIsAcceptedByOurEndpointAndByStripeJava() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    List<String> refused = new ArrayList<>();
    for (String type : EventTemplates.types()) {
      byte[] body = EventTemplates.build(type, TriggerOptions.at(Instant.now()));
      String header = Signer.header(body, SECRET, Instant.now().getEpochSecond());
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(url))
                  .header("Stripe-Signature", header)
                  .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200 || !response.body().equals("{\"received\":true}")) {
        refused.add(type + " -> " + response.statusCode() + " " + response.body());
      }
      if (!EventTemplates.isThin(type)) {
        assertThat(Webhook.constructEvent(new String(body, UTF_8), header, SECRET).getType())
            .isEqualTo(EventTemplates.eventType(type));
      }
    }
    assertThat(refused).isEmpty();
    assertThat(store.list(dev.stripeinbox.inbox.EventQuery.latest(1000)))
        .hasSize(EventTemplates.types().size());
  }

  @Test
  void triggerSendsSignedEventsThatAreStored() {
    CliRun run =
        cli(
            "trigger",
            "payment_intent.succeeded",
            "--url",
            url,
            "--secret",
            SECRET,
            "--count",
            "3");
    assertThat(run.exit()).as(run.err()).isZero();
    List<String> lines = run.out().lines().toList();
    assertThat(lines)
        .hasSize(3)
        .allSatisfy(
            line -> assertThat(line).startsWith("200 evt_").contains("payment_intent.succeeded"));
    for (String line : lines) {
      String id = line.split(" ")[1];
      assertThat(store.find(id)).isPresent();
    }
  }

  @Test
  void triggerWithAnAccountAndAnOverrideMakesAConnectEventWithThatValue() {
    CliRun run =
        cli(
            "trigger",
            "payment_intent.succeeded",
            "--url",
            url,
            "--secret",
            SECRET,
            "--account",
            "acct_1ConnectTest",
            "--override",
            "data.object.amount=500");
    assertThat(run.exit()).as(run.err()).isZero();
    String id = run.out().strip().split(" ")[1];
    StoredEvent stored = store.find(id).orElseThrow();
    assertThat(stored.envelope().account()).isEqualTo("acct_1ConnectTest");
    assertThat(new String(store.payload(id).orElseThrow(), UTF_8)).contains("\"amount\": 500");
  }

  @Test
  void triggerUsesTheSecretStoredInTheDatabase() {
    store.putSettingIfAbsent("webhook_secret", SECRET);
    CliRun run = cli("trigger", "customer.created", "--url", url, "--db", db.toString());
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).startsWith("200 evt_");
  }

  @Test
  void triggerOfAnUnknownTypeSuggestsTheNearestNames() {
    CliRun run = cli("trigger", "invoice.payed", "--url", url, "--secret", SECRET);
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("unknown event type \"invoice.payed\"").contains("invoice.paid");
    assertThat(run.err().lines().count()).isEqualTo(1);
  }

  @Test
  void triggerListNamesEverySupportedType() {
    CliRun run = cli("trigger", "--list");
    assertThat(run.out().lines().toList()).containsExactlyElementsOf(EventTemplates.types());
  }

  @Test
  void eventsListShowAndPayloadReadTheDatabase() {
    String id =
        cli("trigger", "invoice.paid", "--url", url, "--secret", SECRET).out().split(" ")[1];
    CliRun list = cli("events", "list", "--db", db.toString(), "--type", "invoice.*");
    assertThat(list.out()).contains(id).contains("invoice.paid");
    CliRun show = cli("events", "show", id, "--db", db.toString());
    assertThat(show.out()).contains("id           " + id).contains("fragile");
    CliRun payload = cli("events", "show", id, "--payload", "--db", db.toString());
    assertThat(payload.out().getBytes(UTF_8)).isEqualTo(store.payload(id).orElseThrow());
    CliRun missing = cli("events", "show", "evt_nope", "--db", db.toString());
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err()).contains("no such event: evt_nope");
  }

  @Test
  void replayRequeuesDeadAndSucceededEventsWithoutReingesting() throws Exception {
    String dead =
        cli("trigger", "charge.failed", "--url", url, "--secret", SECRET).out().split(" ")[1];
    String ok =
        cli("trigger", "customer.created", "--url", url, "--secret", SECRET).out().split(" ")[1];
    awaitStatus(dead, EventStatus.DEAD);
    awaitStatus(ok, EventStatus.PROCESSED);
    inbox.close(); // stop processing so the re-queued state can be seen

    CliRun byStatus = cli("events", "replay", "--status", "dead", "--db", db.toString());
    assertThat(byStatus.exit()).as(byStatus.err()).isZero();
    assertThat(byStatus.out()).contains("re-queued 1 job");
    assertThat(store.find(dead).orElseThrow().jobs())
        .allMatch(j -> j.state() == JobState.PENDING && j.attempts() == 0);
    assertThat(store.find(ok).orElseThrow().status()).isEqualTo(EventStatus.PROCESSED);

    CliRun byId = cli("events", "replay", ok, "--db", db.toString());
    assertThat(byId.out()).contains("re-queued 1 job");
    assertThat(store.find(ok).orElseThrow().status()).isEqualTo(EventStatus.PENDING);
    assertThat(store.list(dev.stripeinbox.inbox.EventQuery.latest(10))).hasSize(2);

    assertThat(cli("events", "replay", "--db", db.toString()).exit()).isEqualTo(2);
    assertThat(cli("events", "replay", "--status", "pending", "--db", db.toString()).exit())
        .isEqualTo(2);
    assertThat(cli("events", "replay", "evt_missing", "--db", db.toString()).exit()).isEqualTo(1);
  }

  @Test
  void eventsOnAMissingDatabaseIsAOneLineError() {
    CliRun run = cli("events", "list", "--db", dir.resolve("nope.db").toString());
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err().strip())
        .startsWith("stripe-inbox: --db (STRIPE_INBOX_DB): no database at");
    assertThat(run.err().lines().count()).isEqualTo(1);
  }

  void awaitStatus(String id, EventStatus status) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      if (store.find(id).orElseThrow().status() == status) {
        return;
      }
      Thread.sleep(10);
    }
    throw new AssertionError(id + " never became " + status + ": " + store.find(id));
  }
}
