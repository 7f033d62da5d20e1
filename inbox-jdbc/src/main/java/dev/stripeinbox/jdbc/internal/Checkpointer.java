package dev.stripeinbox.jdbc.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies SQLite's write-ahead log back into the database file from its own connection, so that the
 * copy and its fsync rarely happen inside a commit of the writer.
 *
 * <p>SQLite checkpoints automatically when a commit leaves the log over 1,000 pages; that commit
 * then also copies the pages and flushes the file, and every append waiting behind it waits too. At
 * 1,000 events a second the log reaches that size several times a second. This thread runs a {@code
 * PASSIVE} checkpoint every {@code intervalMillis}, which never blocks the writer; the writer's
 * automatic checkpoint stays on as the backstop and finds little left to copy. Once all of the log
 * is in the file, the writer's next transaction starts the log over from its beginning.
 *
 * <p>Thread: {@code inbox-checkpoint}. Failures are logged and the next round tries again.
 */
public final class Checkpointer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Checkpointer.class);

  private final GroupCommitWriter.ConnectionFactory connections;
  private final ScheduledExecutorService thread;
  private Connection connection; // checkpoint thread only
  private boolean warned; // checkpoint thread only

  public Checkpointer(GroupCommitWriter.ConnectionFactory connections) {
    this.connections = connections;
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "inbox-checkpoint");
              t.setDaemon(true);
              return t;
            });
  }

  public void start(long intervalMillis) {
    thread.scheduleWithFixedDelay(
        this::checkpoint, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
  }

  private void checkpoint() {
    try {
      if (connection == null) {
        connection = connections.open();
      }
      try (Statement st = connection.createStatement();
          ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
        rs.next(); // busy flag, log pages, pages copied: nothing to act on
      }
      warned = false;
    } catch (SQLException | RuntimeException e) {
      if (!warned) {
        log.warn(
            "background checkpoint failed ({}); the writer's own checkpoints go on", e.toString());
        warned = true;
      }
      closeConnection();
    }
  }

  private void closeConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // Reopened on the next round.
      }
      connection = null;
    }
  }

  @Override
  public void close() {
    thread.shutdown();
    try {
      if (thread.awaitTermination(5, TimeUnit.SECONDS)) {
        closeConnection(); // the thread is gone: nothing else uses the connection
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
