package dev.stripeinbox.server;

import dev.stripeinbox.server.InboxDatabase.Job;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A fresh PostgreSQL schema for one multi-node test, named {@code si_it_<random>} and dropped again
 * by {@link #close()}, with the plain-JDBC reads the tests check a run with.
 *
 * <p>The server comes from {@value #URL_VARIABLE} (default {@value #DEFAULT_URL}). When no
 * PostgreSQL answers there, {@link #create()} aborts the calling test, so it is reported as
 * skipped, and prints a loud notice to stderr once per JVM; with {@value #REQUIRE_VARIABLE}{@code
 * =true} it fails the test instead. The same rules as the store suite's {@code
 * PostgresTestDatabase} in inbox-jdbc, whose test classes this module cannot see.
 *
 * <p>Servers get {@link #url()}, whose {@code ApplicationName} is the schema's name, so {@link
 * #terminateServerConnections()} cuts theirs and no one else's; the reads here connect under
 * another name and survive it.
 *
 * <p>Thread-safe: every read opens and closes its own connection.
 */
final class PostgresSchema implements AutoCloseable {
  static final String URL_VARIABLE = "STRIPE_INBOX_TEST_PG_URL";
  static final String REQUIRE_VARIABLE = "STRIPE_INBOX_REQUIRE_PG";
  static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

  private static final SecureRandom RANDOM = new SecureRandom();

  /** Why the server did not answer the first time, so later tests skip without waiting again. */
  private static volatile String unavailable;

  private final String serverUrl;
  private final String schema;

  private PostgresSchema(String serverUrl, String schema) {
    this.serverUrl = serverUrl;
    this.schema = schema;
  }

  /** Creates a schema named {@code si_it_<random>}, or skips (or fails) the calling test. */
  static PostgresSchema create() {
    String serverUrl = serverUrl();
    if (unavailable != null) {
      skipOrFail(serverUrl, unavailable);
    }
    byte[] suffix = new byte[6];
    RANDOM.nextBytes(suffix);
    String schema = "si_it_" + HexFormat.of().formatHex(suffix);
    try (Connection c = connect(serverUrl);
        Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      unavailable = e.getMessage();
      skipOrFail(serverUrl, unavailable);
    }
    return new PostgresSchema(serverUrl, schema);
  }

  static String serverUrl() {
    String url = System.getenv(URL_VARIABLE);
    return url == null || url.isBlank() ? DEFAULT_URL : url.strip();
  }

  static boolean required() {
    return Boolean.parseBoolean(System.getenv(REQUIRE_VARIABLE));
  }

  String schema() {
    return schema;
  }

  /** The {@code --db} of the servers: this schema, under {@code ApplicationName=<schema>}. */
  String url() {
    return withParameters(schema);
  }

  private String withParameters(String applicationName) {
    return serverUrl
        + (serverUrl.contains("?") ? "&" : "?")
        + "currentSchema="
        + schema
        + "&ApplicationName="
        + applicationName;
  }

  /** A connection to this schema that {@link #terminateServerConnections()} leaves alone. */
  Connection connect() throws SQLException {
    return connect(withParameters(schema + "-check"));
  }

  /**
   * Ends every session the servers opened through {@link #url()}, as a failover or a restart of
   * PostgreSQL would; returns how many there were.
   */
  int terminateServerConnections() throws SQLException {
    try (Connection c = connect(serverUrl);
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    + " WHERE application_name = ? AND pid <> pg_backend_pid()")) {
      ps.setString(1, schema);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /** Whether the server accepts a connection and answers a query now. */
  boolean answers() {
    try (Connection c = connect(serverUrl);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT 1")) {
      return rs.next();
    } catch (SQLException e) {
      return false;
    }
  }

  /** Client sessions on the whole server other than this schema's servers and reads. */
  long otherClientSessions() throws SQLException {
    try (Connection c = connect(serverUrl);
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
                    + " AND pid <> pg_backend_pid()"
                    + " AND COALESCE(application_name, '') NOT LIKE ?")) {
      ps.setString(1, schema + "%");
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
    try (Connection c = connect(serverUrl);
        Statement st = c.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    } catch (SQLException e) {
      throw new IllegalStateException("could not drop test schema " + schema, e);
    }
  }

  private static Connection connect(String url) throws SQLException {
    Properties properties = new Properties();
    // Seconds; an address that drops packets must not stall every test for the driver's default.
    properties.setProperty("connectTimeout", "3");
    properties.setProperty("loginTimeout", "5");
    return DriverManager.getConnection(url, properties);
  }

  private static void skipOrFail(String serverUrl, String reason) {
    String message =
        "no PostgreSQL answers at " + redact(serverUrl) + " (" + reason + "); set " + URL_VARIABLE;
    if (required()) {
      Assertions.fail(message + " (" + REQUIRE_VARIABLE + "=true, so this fails)");
    }
    Notice.print(message);
    Assumptions.abort("PostgreSQL tests skipped: " + message);
  }

  private static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&]*", "$1***");
  }

  /** Prints the skip notice once per JVM, however many tests skip. */
  private static final class Notice {
    private static boolean printed;

    static synchronized void print(String message) {
      if (printed) {
        return;
      }
      printed = true;
      String bar = "*".repeat(78);
      System.err.println(bar);
      System.err.println("* POSTGRESQL TESTS SKIPPED: " + message);
      System.err.println(
          "* Start PostgreSQL, or set " + REQUIRE_VARIABLE + "=true to fail instead of skipping.");
      System.err.println(bar);
    }
  }
}
