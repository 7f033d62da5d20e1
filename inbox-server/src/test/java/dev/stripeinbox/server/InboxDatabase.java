package dev.stripeinbox.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Reads a server's SQLite file with plain JDBC, the way an operator would after a crash: which
 * events are stored with which bytes, and what state their jobs are in.
 *
 * <p>Each method opens and closes its own connection, so it may run while a server has the file
 * open (WAL readers do not block the writer). Thread-safe.
 */
final class InboxDatabase extends InboxReads {
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

  @Override
  Connection connect() throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + file);
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
}
