package dev.stripeinbox.server.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.stripeinbox.StripeInbox;
import dev.stripeinbox.jdbc.JdbcInboxStore;
import dev.stripeinbox.server.http.InboxServer;
import dev.stripeinbox.server.http.ServerOptions;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Short load runs against a real server writing to a real SQLite file. */
@Timeout(60)
class LoadGeneratorTest {
  static final String SECRET = "whsec_load_tests_secret_00000000001";

  @TempDir Path dir;
  JdbcInboxStore store;
  StripeInbox inbox;
  InboxServer server;
  URI url;

  @BeforeEach
  void start() throws Exception {
    store = JdbcInboxStore.open(dir.resolve("inbox.db").toString());
    inbox = StripeInbox.builder().store(store).secrets(SECRET).build();
    server =
        new InboxServer(
            inbox,
            new ServerOptions(
                "127.0.0.1", 0, 1 << 20, Map.of("/webhook", "default"), Duration.ofSeconds(5)));
    server.start();
    url = URI.create("http://127.0.0.1:" + server.port() + "/webhook");
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    inbox.close();
    store.close();
  }

  long storedEvents() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("inbox.db"));
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM events")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static void assertCountsAddUp(LoadResult r) {
    assertThat(r.requests())
        .isEqualTo(
            r.status2xx()
                + r.status3xx()
                + r.status4xx()
                + r.status5xx()
                + r.statusOther()
                + r.errors());
    assertThat(r.latencyMicros().getTotalCount()).isEqualTo(r.requests() - r.errors());
  }

  @Test
  void closedLoopCountsAddUpAndEachNewEventIsStoredOnce() throws Exception {
    LoadPlan plan =
        LoadPlan.closed(url, SECRET, 8, Duration.ofMillis(1500)).withDuplicates(0.2).withThreads(2);

    LoadResult r = LoadGenerator.run(plan);

    assertCountsAddUp(r);
    assertThat(r.requests()).isGreaterThan(50);
    assertThat(r.status2xx()).isEqualTo(r.requests());
    assertThat(r.duplicateShare()).isCloseTo(0.2, within(0.03));
    assertThat(r.duplicateAcks()).isEqualTo(r.duplicatesSent());
    assertThat(storedEvents()).isEqualTo(r.distinctIds());
  }

  @Test
  void openLoopSendsEveryDeliveryThatFallsDueAtTheAskedRate() throws Exception {
    LoadPlan plan = LoadPlan.closed(url, SECRET, 1, Duration.ofSeconds(1)).withRate(200);

    LoadResult r = LoadGenerator.run(plan);

    assertCountsAddUp(r);
    assertThat(r.requests()).isEqualTo(200);
    assertThat(r.status2xx()).isEqualTo(200);
    assertThat(r.duplicatesSent()).isZero();
    assertThat(storedEvents()).isEqualTo(200);
  }

  @Test
  void warmupDeliveriesAreSentButNotCounted() throws Exception {
    LoadPlan plan =
        LoadPlan.closed(url, SECRET, 1, Duration.ofSeconds(1))
            .withRate(100)
            .withWarmup(Duration.ofSeconds(1), false);

    LoadResult r = LoadGenerator.run(plan);

    assertThat(r.requests()).isEqualTo(100);
    assertThat(r.warmupSeconds()).isCloseTo(1.0, within(0.01));
    assertThat(storedEvents()).isEqualTo(200);
  }

  @Test
  void jdkClientCountsAddUpToo() throws Exception {
    LoadPlan plan =
        LoadPlan.closed(url, SECRET, 4, Duration.ofSeconds(1))
            .withDuplicates(0.1)
            .withClient(LoadPlan.Client.JDK);

    LoadResult r = LoadGenerator.run(plan);

    assertCountsAddUp(r);
    assertThat(r.requests()).isGreaterThan(20);
    assertThat(r.status2xx()).isEqualTo(r.requests());
    assertThat(r.duplicateAcks()).isEqualTo(r.duplicatesSent());
    assertThat(storedEvents()).isEqualTo(r.distinctIds());
  }

  @Test
  void aWrongSecretIsCountedAs4xxWithTheAnswerShown() throws Exception {
    LoadPlan plan =
        LoadPlan.closed(url, "whsec_not_the_endpoint_secret_000000", 2, Duration.ofMillis(500));

    LoadResult r = LoadGenerator.run(plan);

    assertCountsAddUp(r);
    assertThat(r.status4xx()).isEqualTo(r.requests()).isPositive();
    assertThat(r.firstFailure()).startsWith("400 ").contains("signature_mismatch");
    assertThat(storedEvents()).isZero();
  }

  @Test
  void refusedConnectionsAreCountedAsErrors() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    LoadPlan plan =
        LoadPlan.closed(
                URI.create("http://127.0.0.1:" + port + "/webhook"),
                SECRET,
                2,
                Duration.ofMillis(300))
            .withRate(100);

    LoadResult r = LoadGenerator.run(plan);

    assertThat(r.requests()).isEqualTo(30);
    assertThat(r.errors()).isEqualTo(30);
    assertThat(r.latencyMicros().getTotalCount()).isZero();
  }
}
