package dev.stripeinbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripeinbox.inbox.NewEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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
  void theDescriptionIsTheFilePath() {
    assertThat(store.description()).isEqualTo(location());
    assertThat(store.isPostgres()).isFalse();
  }
}
