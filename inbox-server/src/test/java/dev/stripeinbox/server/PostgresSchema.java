package dev.stripeinbox.server;

import dev.stripeinbox.jdbc.PostgresTestDatabase;
import dev.stripeinbox.server.InboxDatabase.Job;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
final class PostgresSchema implements AutoCloseable {
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

  long count(String sql) throws SQLException {
    try (Connection c = connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** How many jobs are in each state, for messages: {@code {pending=3, succeeded=597}}. */
  Map<String, Long> jobsByState() throws SQLException {
    Map<String, Long> out = new TreeMap<>();
    try (Connection c = connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT state, COUNT(*) FROM jobs GROUP BY state")) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getLong(2));
      }
    }
    return out;
  }

  /** {@link #jobsByState()} for a failure message, which must not throw itself. */
  String describeJobs() {
    try {
      return "jobs by state " + jobsByState();
    } catch (SQLException e) {
      return "jobs by state unknown: " + e.getMessage();
    }
  }

  /** A subscriber's job of every event that has one: event id to (state, attempts). */
  Map<String, Job> jobsOf(String subscriber) throws SQLException {
    Map<String, Job> out = new HashMap<>();
    try (Connection c = connect();
        PreparedStatement ps =
            c.prepareStatement("SELECT event_id, state, attempts FROM jobs WHERE subscriber = ?")) {
      ps.setString(1, subscriber);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), new Job(rs.getString(2), rs.getInt(3)));
        }
      }
    }
    return out;
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

  /**
   * Every expected event that is missing or whose stored payload differs from the bytes sent, one
   * line each; empty when all are stored byte for byte.
   */
  List<String> missingOrDifferent(Map<String, byte[]> expected) throws SQLException {
    List<String> problems = new ArrayList<>();
    try (Connection c = connect();
        PreparedStatement ps = c.prepareStatement("SELECT payload FROM events WHERE id = ?")) {
      for (Map.Entry<String, byte[]> e : new TreeMap<>(expected).entrySet()) {
        ps.setString(1, e.getKey());
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            problems.add(e.getKey() + ": acknowledged but not stored");
          } else if (!Arrays.equals(rs.getBytes(1), e.getValue())) {
            problems.add(e.getKey() + ": stored bytes differ from the bytes sent");
          }
        }
      }
    }
    return problems;
  }

  /** Drops the schema and everything in it. Stop the servers that use it first. */
  @Override
  public void close() {
    db.close();
  }
}
