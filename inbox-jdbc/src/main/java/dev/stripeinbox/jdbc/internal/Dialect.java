package dev.stripeinbox.jdbc.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/** What differs between the databases; everything else is the same SQL. */
public enum Dialect {
  SQLITE("sqlite"),
  POSTGRES("postgres");

  private final String resourceFolder;

  Dialect(String resourceFolder) {
    this.resourceFolder = resourceFolder;
  }

  /** The folder of this database's migration scripts, beside this class. */
  String resourceFolder() {
    return resourceFolder;
  }

  /**
   * Claims due jobs in one statement, returning each one's id, event id, subscriber, attempt and
   * {@code queued_at}; bind it with {@link #bindClaim}.
   *
   * <p>On PostgreSQL, {@code SKIP LOCKED} lets any number of nodes claim concurrently without
   * waiting on each other or claiming a row twice. The rows are picked once, in a materialized
   * {@code WITH}: as a subquery of the {@code UPDATE}, PostgreSQL may run the pick again for rows
   * that changed under it, and update more than {@code LIMIT} of them. SQLite has one writer, so
   * the plain subquery is already exclusive.
   */
  public String claimSql() {
    if (this == POSTGRES) {
      return "WITH picked AS MATERIALIZED (SELECT id FROM jobs"
          + " WHERE state IN ('pending', 'retrying') AND next_attempt_at <= ?"
          + " ORDER BY next_attempt_at LIMIT ? FOR UPDATE SKIP LOCKED)"
          + " UPDATE jobs SET state = 'running', attempts = jobs.attempts + 1, lease_owner = ?,"
          + " lease_until = ?, updated_at = ? FROM picked WHERE jobs.id = picked.id"
          + " RETURNING jobs.id, jobs.event_id, jobs.subscriber, jobs.attempts, jobs.queued_at";
    }
    return "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = ?,"
        + " lease_until = ?, updated_at = ?"
        + " WHERE id IN (SELECT id FROM jobs WHERE state IN ('pending', 'retrying')"
        + " AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?)"
        + " RETURNING id, event_id, subscriber, attempts, queued_at";
  }

  /** Binds the parameters of {@link #claimSql()}, which the two spellings take in their order. */
  public void bindClaim(PreparedStatement ps, String owner, long leaseUntil, long now, int max)
      throws SQLException {
    int set = this == POSTGRES ? 3 : 1; // the first parameter of the SET clause
    int pick = this == POSTGRES ? 1 : 4; // the first parameter of the query that picks the rows
    ps.setString(set, owner);
    ps.setLong(set + 1, leaseUntil);
    ps.setLong(set + 2, now);
    ps.setLong(pick, now);
    ps.setInt(pick + 1, max);
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
