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
   * Begins the next transaction on {@code c}, a connection in manual-commit mode, and sets how it
   * commits; see {@link GroupCommitWriter.Commit}. PostgreSQL sets the durability for the one
   * transaction.
   *
   * <p>On SQLite the transaction begins {@code IMMEDIATE}: it takes the write lock first, waiting
   * for another process (the CLI replaying while a server runs) up to the busy timeout. A deferred
   * one that read before it wrote (a replay by status selects, then updates) could not wait: SQLite
   * refuses the upgrade at once with {@code SQLITE_BUSY}, since its snapshot may be stale. The
   * driver keeps a deferred transaction open between commits; it holds no lock yet, so it is ended
   * here, empty, and replaced. The connection must not be configured {@code IMMEDIATE} instead: the
   * driver begins the next transaction right after each commit, so the writer would hold the write
   * lock while idle and shut every other process out. {@code synchronous} can only change between
   * transactions, so it changes here too, and only when the mode does. When this fails, the
   * connection's state is unknown and the writer replaces it.
   */
  public void prepareCommit(Connection c, boolean durable, Boolean previous) throws SQLException {
    if (this == SQLITE) {
      try (Statement st = c.createStatement()) {
        st.execute("COMMIT");
        if (previous == null ? !durable : previous != durable) {
          st.execute(durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
        }
        st.execute("BEGIN IMMEDIATE");
      }
    } else if (!durable) {
      try (Statement st = c.createStatement()) {
        st.execute("SET LOCAL synchronous_commit TO OFF");
      }
    }
  }
}
