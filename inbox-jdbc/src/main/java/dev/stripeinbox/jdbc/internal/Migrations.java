package dev.stripeinbox.jdbc.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A small versioned schema runner: numbered scripts applied in order, each in its own transaction,
 * with the applied version recorded in {@code stripe_inbox_schema}. Both databases run the same
 * numbers; only the DDL spelling differs.
 */
public final class Migrations {
  /** The scripts in order; version N is the N-th entry. Append, never edit a released one. */
  private static final List<String> SCRIPTS = List.of("V1__inbox.sql", "V2__job_queued_at.sql");

  private Migrations() {}

  /** The schema version this build expects. */
  public static int latestVersion() {
    return SCRIPTS.size();
  }

  /**
   * Brings the schema to the latest version. On PostgreSQL an advisory lock keeps two nodes that
   * start together from migrating twice.
   */
  public static void migrate(Connection connection, Dialect dialect) throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try (Statement st = connection.createStatement()) {
      if (dialect == Dialect.POSTGRES) {
        st.execute("SELECT pg_advisory_xact_lock(4242424242)");
      }
      st.execute(
          "CREATE TABLE IF NOT EXISTS stripe_inbox_schema ("
              + " version INTEGER NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL)");
      int current = currentVersion(st);
      if (current > SCRIPTS.size()) {
        throw new SQLException(
            "the database schema is version "
                + current
                + ", newer than this build's "
                + SCRIPTS.size()
                + "; upgrade stripe-inbox");
      }
      for (int version = current + 1; version <= SCRIPTS.size(); version++) {
        for (String sql : statements(read(dialect, SCRIPTS.get(version - 1)))) {
          st.execute(sql);
        }
        st.execute(
            "INSERT INTO stripe_inbox_schema (version, applied_at) VALUES ("
                + version
                + ", "
                + System.currentTimeMillis()
                + ")");
      }
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  private static int currentVersion(Statement st) throws SQLException {
    try (ResultSet rs = st.executeQuery("SELECT MAX(version) FROM stripe_inbox_schema")) {
      return rs.next() ? rs.getInt(1) : 0;
    }
  }

  private static String read(Dialect dialect, String script) {
    String path = dialect.resourceFolder() + "/" + script;
    try (InputStream in = Migrations.class.getResourceAsStream("/dev/stripeinbox/jdbc/" + path)) {
      if (in == null) {
        throw new IllegalStateException("migration script missing from the jar: " + path);
      }
      return new String(in.readAllBytes(), UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read migration script " + path, e);
    }
  }

  /** Splits a script on semicolons that end a line, dropping {@code --} comment lines. */
  static List<String> statements(String script) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : script.split("\n")) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("--")) {
        continue;
      }
      current.append(line).append('\n');
      if (trimmed.endsWith(";")) {
        String sql = current.toString().strip();
        out.add(sql.substring(0, sql.length() - 1));
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      out.add(current.toString().strip());
    }
    return out;
  }
}
