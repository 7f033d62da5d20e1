package dev.stripeinbox.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a server's SQLite file with plain JDBC, the way an operator would after a crash: which
 * events are stored with which bytes, and what state their jobs are in.
 *
 * <p>Each method opens and closes its own connection, so it may run while a server has the file
 * open (WAL readers do not block the writer). Thread-safe.
 */
final class InboxDatabase {
  private final Path file;

  InboxDatabase(Path file) {
    this.file = file;
  }

  /**
   * A copy of the database and its WAL as they are on disk now, taken without opening them, so that
   * reading the copy cannot checkpoint or recover the original before the server does.
   */
  static InboxDatabase snapshot(Path db, Path into) throws Exception {
    Files.createDirectories(into);
    Path copy = into.resolve(db.getFileName());
    Files.copy(db, copy, StandardCopyOption.REPLACE_EXISTING);
    Path wal = db.resolveSibling(db.getFileName() + "-wal");
    if (Files.exists(wal)) {
      Files.copy(wal, into.resolve(wal.getFileName()), StandardCopyOption.REPLACE_EXISTING);
    }
    return new InboxDatabase(copy);
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + file);
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
          } else {
            byte[] stored = rs.getBytes(1);
            if (!Arrays.equals(stored, e.getValue())) {
              problems.add(
                  e.getKey()
                      + ": stored "
                      + (stored == null ? "null" : stored.length + " bytes")
                      + " differ from the "
                      + e.getValue().length
                      + " bytes sent");
            }
          }
        }
      }
    }
    return problems;
  }

  /** The answer of {@code PRAGMA integrity_check}: {@code ok} for a sound file. */
  String integrityCheck() throws SQLException {
    try (Connection c = connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
      StringBuilder out = new StringBuilder();
      while (rs.next()) {
        out.append(out.length() == 0 ? "" : "\n").append(rs.getString(1));
      }
      return out.toString();
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

  /** One job's state and the number of times it has been claimed. */
  record Job(String state, int attempts) {}
}
