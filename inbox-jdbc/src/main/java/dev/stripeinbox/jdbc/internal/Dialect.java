package dev.stripeinbox.jdbc.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** What differs between the databases; everything else is the same SQL. */
public enum Dialect {
  SQLITE("sqlite", ""),
  POSTGRES("postgres", " FOR UPDATE SKIP LOCKED");

  private final String resourceFolder;
  private final String claimLocking;

  Dialect(String resourceFolder, String claimLocking) {
    this.resourceFolder = resourceFolder;
    this.claimLocking = claimLocking;
  }

  /** The folder of this database's migration scripts, beside this class. */
  String resourceFolder() {
    return resourceFolder;
  }

  /**
   * Claims due jobs in one statement. On PostgreSQL, {@code SKIP LOCKED} lets any number of nodes
   * claim concurrently without waiting on each other or claiming a row twice; SQLite has one
   * writer, so the plain subquery is already exclusive.
   */
  public String claimSql() {
    return "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = ?,"
        + " lease_until = ?, updated_at = ?"
        + " WHERE id IN (SELECT id FROM jobs WHERE state IN ('pending', 'retrying')"
        + " AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?"
        + claimLocking
        + ") RETURNING id, event_id, subscriber, attempts";
  }

  /**
   * Sets how the next transaction commits on {@code c}, a connection in manual-commit mode; see
   * {@link GroupCommitWriter.Commit}. SQLite refuses to change {@code synchronous} inside a
   * transaction, and the driver keeps one open, so the change steps out of it (the open transaction
   * is still empty); it happens only when the mode changes. PostgreSQL sets it for the one
   * transaction.
   */
  public void prepareCommit(Connection c, boolean durable, Boolean previous) throws SQLException {
    if (this == SQLITE) {
      if (previous == null ? !durable : previous != durable) {
        c.setAutoCommit(true);
        try (Statement st = c.createStatement()) {
          st.execute(durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
        } finally {
          c.setAutoCommit(false);
        }
      }
    } else if (!durable) {
      try (Statement st = c.createStatement()) {
        st.execute("SET LOCAL synchronous_commit TO OFF");
      }
    }
  }
}
