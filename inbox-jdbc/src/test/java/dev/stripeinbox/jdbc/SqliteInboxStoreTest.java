package dev.stripeinbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripeinbox.inbox.ClaimedJob;
import dev.stripeinbox.inbox.EventQuery;
import dev.stripeinbox.inbox.EventStatus;
import dev.stripeinbox.inbox.NewEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on a SQLite file in a fresh temporary folder per test. */
final class SqliteInboxStoreTest extends InboxStoreContract {
  @TempDir Path folder;

  private int created;

  @Override
  String createDatabase() {
    return folder.resolve("inbox-" + created++ + ".db").toString();
  }

  @Override
  int openingRounds() {
    return 10;
  }

  @Override
  void dropDatabases() {
    // JUnit deletes the temporary folder.
  }

  @Override
  Connection connect(String location) throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + location);
  }

  @Test
  void theFileRunsInWriteAheadLogMode() throws SQLException {
    try (Connection c = connect(location());
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
    }
  }

  @Test
  void committedPagesReachTheDatabaseFileLongBeforeTheLogFillsUp() throws Exception {
    Path file = Path.of(location());
    long before = Files.size(file);
    byte[] payload = new byte[200 * 1024]; // about 50 pages: far below SQLite's own 1,000
    new Random(7).nextBytes(payload);

    append(new NewEvent(envelope("evt_ckpt", "invoice.paid"), payload, "default", T0, List.of()));

    // Only the background checkpoint copies the log into the file this early.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (Files.size(file) < before + payload.length && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(Files.size(file)).isGreaterThanOrEqualTo(before + payload.length);
  }

  @Test
  void replayByStatusWaitsItsTurnWhileAnotherProcessWritesTheFile() throws Exception {
    // Another store on the file stands for a running server; this one for `events replay`.
    JdbcInboxStore server = open(StoreOptions.defaults());
    AtomicBoolean stop = new AtomicBoolean();
    List<Throwable> serverFailures = new CopyOnWriteArrayList<>();
    Thread appender =
        new Thread(
            () -> {
              for (int i = 0; !stop.get(); i++) {
                try {
                  server.append(event("evt_load_" + i, "charge.succeeded", T0)).join();
                } catch (RuntimeException e) {
                  serverFailures.add(e);
                }
              }
            },
            "appender");
    append(event("evt_dead", "invoice.paid", T0, "broken"));
    EventQuery dead = EventQuery.latest(100).withStatus(EventStatus.DEAD);
    appender.start();
    try {
      for (int round = 0; round < 100; round++) {
        ClaimedJob job = store.claim(OWNER, 10, T0, LEASE).get(0);
        store.fail(job.jobId(), OWNER, "x", T0, Optional.empty());

        // Selects the dead events, then updates their jobs: one transaction that must wait for
        // the other writer rather than fail on its lock or on a snapshot it made stale.
        assertThat(store.replay(dead, T0)).as("round %d", round).isEqualTo(1);
      }
    } finally {
      stop.set(true);
      appender.join(30_000);
    }
    assertThat(serverFailures).isEmpty();
  }

  @Test
  void theDescriptionIsTheFilePath() {
    assertThat(store.description()).isEqualTo(location());
    assertThat(store.isPostgres()).isFalse();
  }
}
