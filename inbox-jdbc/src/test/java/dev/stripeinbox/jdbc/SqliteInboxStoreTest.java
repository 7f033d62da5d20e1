package dev.stripeinbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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
  void theDescriptionIsTheFilePath() {
    assertThat(store.description()).isEqualTo(location());
    assertThat(store.isPostgres()).isFalse();
  }
}
