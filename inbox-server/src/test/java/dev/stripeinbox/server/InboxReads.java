package dev.stripeinbox.server;

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
import java.util.TreeMap;

/**
 * The plain-JDBC reads the crash and multi-node tests check a run with, the same on SQLite and
 * PostgreSQL: which events are stored with which bytes, and what state their jobs are in.
 *
 * <p>Each method opens and closes its own connection through {@link #connect()}. Thread-safe.
 */
abstract class InboxReads {
  /** A new connection to the inbox's tables. */
  abstract Connection connect() throws SQLException;

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
