package dev.stripeinbox.server;

import dev.stripeinbox.jdbc.PostgresTestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.TreeSet;

/**
 * A fresh PostgreSQL schema for one multi-node test, named {@code si_it_<random>} and dropped again
 * by {@link #close()}, with the plain-JDBC reads the tests check a run with. The schema, and the
 * skip (or failure, with {@code STRIPE_INBOX_REQUIRE_PG=true}) when no PostgreSQL answers, come
 * from the store suite's {@link PostgresTestDatabase}.
 *
 * <p>Servers get {@link #url()}, whose {@code ApplicationName} is the schema's name, so {@link
 * #terminateServerConnections()} cuts theirs and no one else's; the reads here connect under
 * another name and survive it.
 *
 * <p>Thread-safe: every read opens and closes its own connection.
 */
final class PostgresSchema extends InboxReads implements AutoCloseable {
  private final PostgresTestDatabase db;

  private PostgresSchema(PostgresTestDatabase db) {
    this.db = db;
  }

  /** Creates a schema named {@code si_it_<random>}, or skips (or fails) the calling test. */
  static PostgresSchema create() {
    return new PostgresSchema(PostgresTestDatabase.create("si_it_"));
  }

  String schema() {
    return db.schema();
  }

  /** The {@code --db} of the servers: this schema, under {@code ApplicationName=<schema>}. */
  String url() {
    return db.url();
  }

  /** A connection to this schema that {@link #terminateServerConnections()} leaves alone. */
  @Override
  Connection connect() throws SQLException {
    return db.connectAs(db.schema() + "-check");
  }

  /**
   * Ends every session the servers opened through {@link #url()}, as a failover or a restart of
   * PostgreSQL would; returns how many there were.
   */
  int terminateServerConnections() throws SQLException {
    return db.terminateConnections();
  }

  /** Whether the server accepts a connection and answers a query now. */
  boolean answers() {
    try (Connection c = db.connectToServer();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT 1")) {
      return rs.next();
    } catch (SQLException e) {
      return false;
    }
  }

  /** Client sessions on the whole server other than this schema's servers and reads. */
  long otherClientSessions() throws SQLException {
    try (Connection c = db.connectToServer();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
                    + " AND pid <> pg_backend_pid()"
                    + " AND COALESCE(application_name, '') NOT LIKE ?")) {
      ps.setString(1, db.schema() + "%");
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** {@link #jobsByState()} for a failure message, which must not throw itself. */
  String describeJobs() {
    try {
      return "jobs by state " + jobsByState();
    } catch (SQLException e) {
      return "jobs by state unknown: " + e.getMessage();
    }
  }

  /**
   * The events whose jobs are running under a lease of the process {@code pid}: a dispatcher's
   * lease owner is {@code pid@host/suffix}.
   */
  Set<String> runningUnderLeaseOf(long pid) throws SQLException {
    Set<String> out = new TreeSet<>();
    try (Connection c = connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT event_id FROM jobs WHERE state = 'running' AND lease_owner LIKE ?")) {
      ps.setString(1, pid + "@%");
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  /** Drops the schema and everything in it. Stop the servers that use it first. */
  @Override
  public void close() {
    db.close();
  }
}
