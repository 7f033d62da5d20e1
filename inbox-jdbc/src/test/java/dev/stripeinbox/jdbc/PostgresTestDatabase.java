package dev.stripeinbox.jdbc;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Properties;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A fresh, empty PostgreSQL schema for one test, dropped again by {@link #close()}.
 *
 * <p>The server comes from the environment variable {@value #URL_VARIABLE} (default {@value
 * #DEFAULT_URL}). When no PostgreSQL answers there, {@link #create()} aborts the calling test, so
 * it is reported as skipped, and prints a loud notice to stderr once per JVM. With {@value
 * #REQUIRE_VARIABLE}{@code =true} it fails the test instead, so a CI run cannot pass by skipping.
 *
 * <pre>{@code
 * PostgresTestDatabase db = PostgresTestDatabase.create(); // in @BeforeEach
 * JdbcInboxStore store = JdbcInboxStore.open(db.url());
 * ...
 * store.close();
 * db.close(); // in @AfterEach, after every store on it is closed
 * }</pre>
 *
 * <p>Thread-safe. Each instance owns one schema; tests never share one.
 */
public final class PostgresTestDatabase implements AutoCloseable {
  public static final String URL_VARIABLE = "STRIPE_INBOX_TEST_PG_URL";
  public static final String REQUIRE_VARIABLE = "STRIPE_INBOX_REQUIRE_PG";
  public static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

  private static final SecureRandom RANDOM = new SecureRandom();

  /** Why the server did not answer the first time, so later tests skip without waiting again. */
  private static volatile String unavailable;

  private final String serverUrl;
  private final String schema;

  private PostgresTestDatabase(String serverUrl, String schema) {
    this.serverUrl = serverUrl;
    this.schema = schema;
  }

  /** Creates a schema named {@code si_test_<random>}, or skips (or fails) the calling test. */
  public static PostgresTestDatabase create() {
    return create("si_test_");
  }

  /** Creates a schema named {@code prefix<random>}, or skips (or fails) the calling test. */
  public static PostgresTestDatabase create(String prefix) {
    String serverUrl = serverUrl();
    if (unavailable != null) {
      skipOrFail(serverUrl, unavailable);
    }
    byte[] suffix = new byte[6];
    RANDOM.nextBytes(suffix);
    String schema = prefix + HexFormat.of().formatHex(suffix);
    try (Connection c = connect(serverUrl);
        Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      unavailable = e.getMessage();
      skipOrFail(serverUrl, unavailable);
    }
    return new PostgresTestDatabase(serverUrl, schema);
  }

  /** The server's URL: {@value #URL_VARIABLE}, else {@value #DEFAULT_URL}. */
  public static String serverUrl() {
    String url = System.getenv(URL_VARIABLE);
    return url == null || url.isBlank() ? DEFAULT_URL : url.strip();
  }

  /** Whether a missing PostgreSQL fails the tests instead of skipping them. */
  public static boolean required() {
    return Boolean.parseBoolean(System.getenv(REQUIRE_VARIABLE));
  }

  /**
   * The URL of this schema: the server URL with {@code currentSchema} set, and the schema's name as
   * {@code ApplicationName}, so {@link #terminateConnections()} can find its sessions.
   */
  public String url() {
    return url(schema);
  }

  private String url(String applicationName) {
    return serverUrl
        + (serverUrl.contains("?") ? "&" : "?")
        + "currentSchema="
        + schema
        + "&ApplicationName="
        + applicationName;
  }

  public String schema() {
    return schema;
  }

  /** A plain connection whose search path is this schema, for checks below the store's API. */
  public Connection connect() throws SQLException {
    return connect(url());
  }

  /**
   * A connection whose search path is this schema, under another {@code ApplicationName}, so that
   * {@link #terminateConnections()} leaves it alone.
   */
  public Connection connectAs(String applicationName) throws SQLException {
    return connect(url(applicationName));
  }

  /** A connection to the server's default schema, for questions about the whole server. */
  public Connection connectToServer() throws SQLException {
    return connect(serverUrl);
  }

  /**
   * Ends every server session opened through {@link #url()}, as a server restart or failover would;
   * returns how many there were.
   */
  public int terminateConnections() throws SQLException {
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

  /** Drops the schema and everything in it. Close the stores that use it first. */
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
