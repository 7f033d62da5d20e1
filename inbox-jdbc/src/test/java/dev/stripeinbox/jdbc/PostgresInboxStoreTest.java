package dev.stripeinbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripeinbox.inbox.AppendResult;
import dev.stripeinbox.inbox.StoreUnavailableException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The store contract on PostgreSQL, in a fresh schema per test; skipped when no PostgreSQL answers
 * (see {@link PostgresTestDatabase}).
 */
final class PostgresInboxStoreTest extends InboxStoreContract {
  private final List<PostgresTestDatabase> databases = new ArrayList<>();

  /** The schema of the test's main store. */
  private PostgresTestDatabase database;

  @Override
  String createDatabase() {
    PostgresTestDatabase created = PostgresTestDatabase.create();
    databases.add(created);
    if (database == null) {
      database = created;
    }
    return created.url();
  }

  @Override
  void dropDatabases() {
    databases.forEach(PostgresTestDatabase::close);
  }

  @Override
  Connection connect(String location) throws SQLException {
    return DriverManager.getConnection(location);
  }

  @Test
  void theStoreKnowsItIsPostgres() {
    assertThat(store.isPostgres()).isTrue();
    assertThat(store.description()).contains(database.schema());
  }

  @Test
  void theStoreRecoversWhenPostgresEndsItsSessions() throws SQLException {
    append(event("evt_before", "invoice.paid", T0, "h"));
    assertThat(database.terminateConnections()).isPositive();

    // Pooled sessions that died are found one by one; until then, writes fail as 503s would.
    AppendResult after =
        withinAttempts(8, () -> store.append(event("evt_after", "invoice.paid", T0, "h")).join());

    assertThat(after).isEqualTo(AppendResult.APPENDED);
    assertThat(withinAttempts(8, () -> store.find("evt_before"))).isPresent();
    assertThat(store.find("evt_after")).isPresent();
    assertThat(store.claim(OWNER, 10, T0, LEASE)).hasSize(2);
  }

  /** Runs {@code action} until it succeeds, allowing only store-unavailable failures meanwhile. */
  private static <T> T withinAttempts(int attempts, Supplier<T> action) {
    RuntimeException last = null;
    for (int i = 0; i < attempts; i++) {
      try {
        return action.get();
      } catch (StoreUnavailableException | CompletionException e) {
        Throwable failure = e instanceof CompletionException ? e.getCause() : e;
        assertThat(failure).isInstanceOf(StoreUnavailableException.class);
        last = e;
      }
    }
    throw new AssertionError("still failing after " + attempts + " attempts", last);
  }
}
