package dev.stripeinbox.jdbc;

import static dev.stripeinbox.jdbc.internal.GroupCommitWriter.Commit.RELAXED;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.stripeinbox.event.Envelope;
import dev.stripeinbox.inbox.AppendResult;
import dev.stripeinbox.inbox.ClaimedJob;
import dev.stripeinbox.inbox.EventQuery;
import dev.stripeinbox.inbox.EventStatus;
import dev.stripeinbox.inbox.InboxStore;
import dev.stripeinbox.inbox.JobState;
import dev.stripeinbox.inbox.JobView;
import dev.stripeinbox.inbox.NewEvent;
import dev.stripeinbox.inbox.StoreUnavailableException;
import dev.stripeinbox.inbox.StoredEvent;
import dev.stripeinbox.jdbc.internal.Checkpointer;
import dev.stripeinbox.jdbc.internal.Dialect;
import dev.stripeinbox.jdbc.internal.GroupCommitWriter;
import dev.stripeinbox.jdbc.internal.Migrations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The inbox on SQLite (one node, the embedded default) or PostgreSQL (any number of nodes).
 *
 * <p>Every write goes through one {@link GroupCommitWriter}, so concurrent appends share a commit;
 * reads use a small connection pool. On SQLite the file runs in WAL mode with {@code
 * synchronous=FULL}, so a commit is on disk before an append's future completes.
 *
 * <p>Thread-safe. Open it with {@link #open(String)} and close it once, after the HTTP server and
 * the dispatcher have stopped.
 */
public final class JdbcInboxStore implements InboxStore {
  private static final String STATUS_EXPR =
      "CASE WHEN EXISTS (SELECT 1 FROM jobs j WHERE j.event_id = e.id AND j.state = 'dead')"
          + " THEN 'dead'"
          + " WHEN EXISTS (SELECT 1 FROM jobs j WHERE j.event_id = e.id AND j.state = 'retrying')"
          + " THEN 'retrying'"
          + " WHEN EXISTS (SELECT 1 FROM jobs j WHERE j.event_id = e.id"
          + " AND j.state <> 'succeeded') THEN 'pending'"
          + " ELSE 'processed' END";
  private static final String ENVELOPE_COLUMNS =
      "e.id, e.object, e.type, e.created_at, e.livemode, e.api_version, e.account,"
          + " e.data_object_id, e.data_object_type";

  private static final int SQLITE_BUSY_TIMEOUT_MS = 10_000;

  /**
   * The writer's page cache. Every append updates three indexes with random keys (event id, and the
   * job's event id); past SQLite's default 2 MiB those pages come back through read system calls,
   * which grew an append's cost with the size of the file.
   */
  private static final int WRITER_CACHE_KIB = 64 * 1024;

  private static final int READER_CACHE_KIB = 8 * 1024;

  /** How often the background checkpoint runs; see {@link Checkpointer}. */
  private static final long CHECKPOINT_INTERVAL_MS = 100;

  private static final int SQLITE_BUSY = 5;
  private static final int SQLITE_LOCKED = 6;

  private final Dialect dialect;
  private final String description;
  private final HikariDataSource readers;
  private final GroupCommitWriter writer;
  private volatile Checkpointer checkpointer; // SQLite only; set once while opening

  private JdbcInboxStore(
      Dialect dialect,
      String description,
      HikariDataSource readers,
      GroupCommitWriter.ConnectionFactory writerConnections,
      StoreOptions options) {
    this.dialect = dialect;
    this.description = description;
    this.readers = readers;
    this.writer =
        new GroupCommitWriter(
            writerConnections,
            dialect::prepareCommit,
            options.maxBatch(),
            options.queueCapacity(),
            options.commitListener());
  }

  /** Opens a store with default options; see {@link #open(String, StoreOptions)}. */
  public static JdbcInboxStore open(String location) {
    return open(location, StoreOptions.defaults());
  }

  /**
   * Opens the store at {@code location}: a {@code jdbc:postgresql://...} URL, or else a SQLite file
   * path (created when missing). Migrates the schema to this build's version.
   *
   * @throws StoreUnavailableException when the database cannot be reached or migrated
   */
  public static JdbcInboxStore open(String location, StoreOptions options) {
    if (location.startsWith("jdbc:postgresql:")) {
      return openPostgres(location, options);
    }
    if (location.startsWith("jdbc:")) {
      throw new IllegalArgumentException(
          "unsupported database URL "
              + redact(location)
              + ": use a SQLite file path or jdbc:postgresql://...");
    }
    return openSqlite(Path.of(location), options);
  }

  private static JdbcInboxStore openSqlite(Path file, StoreOptions options) {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      throw new StoreUnavailableException("the folder of the database does not exist: " + parent);
    }
    String url = "jdbc:sqlite:" + file;
    try {
      prepareSqlite(url);
    } catch (SQLException e) {
      throw new StoreUnavailableException("cannot open SQLite database " + file + ": " + e, e);
    }
    SQLiteDataSource writerSource = sqliteSource(url, WRITER_CACHE_KIB);
    SQLiteDataSource readerSource = sqliteSource(url, READER_CACHE_KIB);
    HikariConfig config = new HikariConfig();
    config.setDataSource(readerSource);
    config.setPoolName("inbox-readers");
    config.setMaximumPoolSize(options.readerPoolSize());
    config.setReadOnly(false);
    JdbcInboxStore store =
        new JdbcInboxStore(
            Dialect.SQLITE,
            file.toString(),
            new HikariDataSource(config),
            writerSource::getConnection,
            options);
    store.writer.start();
    store.checkpointer = new Checkpointer(writerSource::getConnection);
    store.checkpointer.start(CHECKPOINT_INTERVAL_MS);
    return store;
  }

  /**
   * Puts the file in WAL mode (a persistent setting of the file) and migrates it, on a connection
   * whose transactions begin IMMEDIATE. Several processes may open one new file at once: switching
   * a new file to WAL takes an exclusive lock that SQLite does not wait for, so that step retries
   * for a bounded time, and the immediate transaction makes the migration wait its turn instead of
   * failing on a stale snapshot.
   */
  private static void prepareSqlite(String url) throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.setBusyTimeout(SQLITE_BUSY_TIMEOUT_MS);
    config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    try (Connection c = config.createConnection(url)) {
      enableWal(c);
      Migrations.migrate(c, Dialect.SQLITE);
    }
  }

  private static void enableWal(Connection c) throws SQLException {
    long deadline = System.nanoTime() + Duration.ofMillis(SQLITE_BUSY_TIMEOUT_MS).toNanos();
    try (Statement st = c.createStatement()) {
      while (true) {
        try (ResultSet rs = st.executeQuery("PRAGMA journal_mode=WAL")) {
          String mode = rs.next() ? rs.getString(1) : "";
          if (!mode.equalsIgnoreCase("wal")) {
            throw new SQLException("the file refused WAL mode (journal_mode is " + mode + ")");
          }
          return;
        } catch (SQLException e) {
          int primary = e.getErrorCode() & 0xff; // extended codes carry the primary one
          boolean busy = primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
          if (!busy || System.nanoTime() > deadline) {
            throw e;
          }
        }
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new SQLException("interrupted while waiting for the database file", e);
        }
      }
    }
  }

  private static SQLiteDataSource sqliteSource(String url, int cacheKib) {
    // WAL is already the file's mode (see prepareSqlite); it is not repeated per connection.
    SQLiteConfig config = new SQLiteConfig();
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.setCacheSize(-cacheKib); // negative: KiB rather than pages
    config.setBusyTimeout(SQLITE_BUSY_TIMEOUT_MS);
    // No generated keys are read; left on, the driver matches every INSERT against a pattern and
    // prepares and runs a SELECT last_insert_rowid() after it.
    config.setGetGeneratedKeys(false);
    SQLiteDataSource source = new SQLiteDataSource(config);
    source.setUrl(url);
    return source;
  }

  private static JdbcInboxStore openPostgres(String url, StoreOptions options) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setPoolName("inbox-readers");
    config.setMaximumPoolSize(options.readerPoolSize() + 1);
    config.setConnectionTimeout(options.connectTimeout().toMillis());
    config.setInitializationFailTimeout(-1);
    HikariDataSource pool = new HikariDataSource(config);
    try (Connection c = pool.getConnection()) {
      Migrations.migrate(c, Dialect.POSTGRES);
    } catch (SQLException e) {
      pool.close();
      throw new StoreUnavailableException(
          "cannot reach PostgreSQL at " + redact(url) + ": " + rootMessage(e), e);
    }
    JdbcInboxStore store =
        new JdbcInboxStore(Dialect.POSTGRES, redact(url), pool, pool::getConnection, options);
    store.writer.start();
    return store;
  }

  /** The innermost cause's message: "Connection refused" rather than the pool's timeout. */
  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return message == null ? root.getClass().getSimpleName() : redact(message);
  }

  /** Drops credentials from a JDBC URL for messages and logs. */
  static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&]*", "$1***").replaceAll("//[^/@]*@", "//***@");
  }

  /** Where the data lives, safe to print: a file path, or the URL without its password. */
  public String description() {
    return description;
  }

  public boolean isPostgres() {
    return dialect == Dialect.POSTGRES;
  }

  // ---------------------------------------------------------------- appends

  @Override
  public CompletableFuture<AppendResult> append(NewEvent event) {
    return writer.submit(c -> insert(c, event));
  }

  private static final String INSERT_EVENT =
      "INSERT INTO events (id, endpoint, type, object, api_version, created_at, livemode,"
          + " account, data_object_id, data_object_type, received_at, payload)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING";
  private static final String INSERT_JOB =
      "INSERT INTO jobs (event_id, subscriber, state, attempts, next_attempt_at,"
          + " created_at, updated_at) VALUES (?, ?, 'pending', 0, ?, ?, ?)";

  private AppendResult insert(Connection c, NewEvent event) throws SQLException {
    Envelope env = event.envelope();
    long now = event.receivedAt().toEpochMilli();
    PreparedStatement insertEvent = writer.prepared(c, INSERT_EVENT);
    insertEvent.setString(1, env.id());
    insertEvent.setString(2, event.endpoint());
    insertEvent.setString(3, env.type());
    insertEvent.setString(4, env.object());
    insertEvent.setString(5, env.apiVersion());
    setMillis(insertEvent, 6, env.created());
    insertEvent.setBoolean(7, env.livemode());
    insertEvent.setString(8, env.account());
    insertEvent.setString(9, env.dataObjectId());
    insertEvent.setString(10, env.dataObjectType());
    insertEvent.setLong(11, now);
    insertEvent.setBytes(12, event.payload());
    if (insertEvent.executeUpdate() == 0) {
      return AppendResult.DUPLICATE;
    }
    PreparedStatement insertJob = writer.prepared(c, INSERT_JOB);
    for (String subscriber : event.subscribers()) {
      insertJob.setString(1, env.id());
      insertJob.setString(2, subscriber);
      insertJob.setLong(3, now);
      insertJob.setLong(4, now);
      insertJob.setLong(5, now);
      insertJob.executeUpdate();
    }
    return AppendResult.APPENDED;
  }

  // ---------------------------------------------------------------- jobs

  @Override
  public List<ClaimedJob> claim(String owner, int max, Instant now, Duration lease) {
    if (max <= 0) {
      return List.of();
    }
    return writer.call(c -> claimIn(c, owner, max, now, lease), RELAXED);
  }

  private List<ClaimedJob> claimIn(Connection c, String owner, int max, Instant now, Duration lease)
      throws SQLException {
    record Claim(long id, String eventId, String subscriber, int attempt, Instant queuedAt) {}
    List<Claim> claims = new ArrayList<>();
    PreparedStatement claimDue = writer.prepared(c, dialect.claimSql());
    dialect.bindClaim(claimDue, owner, now.plus(lease).toEpochMilli(), now.toEpochMilli(), max);
    try (ResultSet rs = claimDue.executeQuery()) {
      while (rs.next()) {
        claims.add(
            new Claim(
                rs.getLong(1), rs.getString(2), rs.getString(3), rs.getInt(4), millis(rs, 5)));
      }
    }
    if (claims.isEmpty()) {
      return List.of();
    }
    Map<String, Object[]> events = new HashMap<>();
    List<String> ids = claims.stream().map(Claim::eventId).distinct().toList();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT "
                + ENVELOPE_COLUMNS
                + ", e.payload, e.received_at FROM events e WHERE e.id IN ("
                + placeholders(ids.size())
                + ")")) {
      for (int i = 0; i < ids.size(); i++) {
        ps.setString(i + 1, ids.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          events.put(
              rs.getString(1),
              new Object[] {envelope(rs), rs.getBytes(10), Instant.ofEpochMilli(rs.getLong(11))});
        }
      }
    }
    List<ClaimedJob> out = new ArrayList<>(claims.size());
    for (Claim claim : claims) {
      Object[] event = events.get(claim.eventId());
      if (event == null) {
        continue; // pruned between claim and read: cannot happen, prune skips running jobs
      }
      Instant receivedAt = (Instant) event[2];
      out.add(
          new ClaimedJob(
              claim.id(),
              claim.subscriber(),
              claim.attempt(),
              (Envelope) event[0],
              (byte[]) event[1],
              receivedAt,
              claim.queuedAt() == null ? receivedAt : claim.queuedAt()));
    }
    return out;
  }

  @Override
  public void renewLeases(String owner, Collection<Long> jobIds, Instant until) {
    if (jobIds.isEmpty()) {
      return;
    }
    List<Long> ids = List.copyOf(jobIds);
    writer.call(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE jobs SET lease_until = ? WHERE state = 'running' AND lease_owner = ?"
                      + " AND id IN ("
                      + placeholders(ids.size())
                      + ")")) {
            ps.setLong(1, until.toEpochMilli());
            ps.setString(2, owner);
            for (int i = 0; i < ids.size(); i++) {
              ps.setLong(i + 3, ids.get(i));
            }
            return ps.executeUpdate();
          }
        },
        RELAXED);
  }

  private static final String SUCCEED_JOB =
      "UPDATE jobs SET state = 'succeeded', finished_at = ?, updated_at = ?,"
          + " next_attempt_at = NULL, lease_owner = NULL, lease_until = NULL"
          + " WHERE id = ? AND lease_owner = ? AND state = 'running'";
  private static final String FAIL_JOB =
      "UPDATE jobs SET state = ?, last_error = ?, next_attempt_at = ?,"
          + " finished_at = ?, updated_at = ?, lease_owner = NULL, lease_until = NULL"
          + " WHERE id = ? AND lease_owner = ? AND state = 'running'";

  @Override
  public boolean succeed(long jobId, String owner, Instant now) {
    return writer.call(c -> succeedIn(c, jobId, owner, now), RELAXED);
  }

  @Override
  public CompletableFuture<Boolean> succeedAsync(long jobId, String owner, Instant now) {
    return writer.submit(c -> succeedIn(c, jobId, owner, now), RELAXED);
  }

  private boolean succeedIn(Connection c, long jobId, String owner, Instant now)
      throws SQLException {
    PreparedStatement ps = writer.prepared(c, SUCCEED_JOB);
    ps.setLong(1, now.toEpochMilli());
    ps.setLong(2, now.toEpochMilli());
    ps.setLong(3, jobId);
    ps.setString(4, owner);
    return ps.executeUpdate() == 1;
  }

  @Override
  public boolean fail(
      long jobId, String owner, String error, Instant now, Optional<Instant> nextAttemptAt) {
    return writer.call(
        c -> {
          PreparedStatement ps = writer.prepared(c, FAIL_JOB);
          ps.setString(1, nextAttemptAt.isPresent() ? "retrying" : "dead");
          ps.setString(2, truncate(error, 2000));
          setMillis(ps, 3, nextAttemptAt.orElse(null));
          setMillis(ps, 4, nextAttemptAt.isPresent() ? null : now);
          ps.setLong(5, now.toEpochMilli());
          ps.setLong(6, jobId);
          ps.setString(7, owner);
          return ps.executeUpdate() == 1;
        },
        RELAXED);
  }

  @Override
  public int reapExpiredLeases(Instant now) {
    return writer.call(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE jobs SET state = 'pending', next_attempt_at = ?, updated_at = ?,"
                      + " lease_owner = NULL, lease_until = NULL"
                      + " WHERE state = 'running' AND lease_until < ?")) {
            long ms = now.toEpochMilli();
            ps.setLong(1, ms);
            ps.setLong(2, ms);
            ps.setLong(3, ms);
            return ps.executeUpdate();
          }
        },
        RELAXED);
  }

  @Override
  public Optional<Instant> nextDueAt() {
    return read(
        c -> {
          try (Statement st = c.createStatement();
              ResultSet rs =
                  st.executeQuery(
                      "SELECT MIN(next_attempt_at) FROM jobs"
                          + " WHERE state IN ('pending', 'retrying')")) {
            rs.next();
            long ms = rs.getLong(1);
            return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(ms));
          }
        });
  }

  // ---------------------------------------------------------------- inspection

  @Override
  public List<StoredEvent> list(EventQuery query) {
    return read(
        c -> {
          List<Object> args = new ArrayList<>();
          String sql =
              "SELECT * FROM (SELECT "
                  + ENVELOPE_COLUMNS
                  + ", e.endpoint, e.received_at, "
                  + STATUS_EXPR
                  + " AS status FROM e_filtered e) s"
                  + (query.status().isPresent() ? " WHERE s.status = ?" : "")
                  + " ORDER BY s.received_at DESC, s.id DESC LIMIT ?";
          sql = sql.replace("e_filtered e", filteredEvents(query, args));
          query.status().ifPresent(status -> args.add(status.wireName()));
          args.add(query.limit());
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            List<StoredEvent> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(storedEvent(rs, List.of()));
              }
            }
            return out;
          }
        });
  }

  /** A FROM clause of the events that pass the query's type and time filters, aliased {@code e}. */
  private static String filteredEvents(EventQuery query, List<Object> args) {
    StringBuilder where = new StringBuilder(" WHERE 1 = 1");
    query
        .type()
        .ifPresent(
            type -> {
              if (type.endsWith(".*")) {
                where.append(" AND ev.type LIKE ? ESCAPE '\\'");
                args.add(likeEscape(type.substring(0, type.length() - 1)) + "%");
              } else if (!type.equals("*")) {
                where.append(" AND ev.type = ?");
                args.add(type);
              }
            });
    query
        .since()
        .ifPresent(
            since -> {
              where.append(" AND ev.received_at >= ?");
              args.add(since.toEpochMilli());
            });
    query
        .before()
        .ifPresent(
            before -> {
              if (query.beforeId().isPresent()) {
                // The same as received_at < t OR (received_at = t AND id < x), with a range on
                // received_at that its index serves.
                where.append(" AND ev.received_at <= ? AND (ev.received_at < ? OR ev.id < ?)");
                args.add(before.toEpochMilli());
                args.add(before.toEpochMilli());
                args.add(query.beforeId().get());
              } else {
                where.append(" AND ev.received_at < ?");
                args.add(before.toEpochMilli());
              }
            });
    return "(SELECT * FROM events ev" + where + ") e";
  }

  @Override
  public Optional<StoredEvent> find(String eventId) {
    return read(
        c -> {
          List<JobView> jobs = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT subscriber, state, attempts, last_error, next_attempt_at, finished_at"
                      + " FROM jobs WHERE event_id = ? ORDER BY subscriber")) {
            ps.setString(1, eventId);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                jobs.add(
                    new JobView(
                        rs.getString(1),
                        JobState.fromWire(rs.getString(2)),
                        rs.getInt(3),
                        rs.getString(4),
                        millis(rs, 5),
                        millis(rs, 6)));
              }
            }
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT "
                      + ENVELOPE_COLUMNS
                      + ", e.endpoint, e.received_at, "
                      + STATUS_EXPR
                      + " AS status FROM events e WHERE e.id = ?")) {
            ps.setString(1, eventId);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? Optional.of(storedEvent(rs, jobs)) : Optional.empty();
            }
          }
        });
  }

  @Override
  public Optional<byte[]> payload(String eventId) {
    return read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("SELECT payload FROM events WHERE id = ?")) {
            ps.setString(1, eventId);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
            }
          }
        });
  }

  // ---------------------------------------------------------------- replay, retention

  @Override
  public int replay(Collection<String> eventIds, Instant now) {
    List<String> ids = List.copyOf(eventIds);
    if (ids.isEmpty()) {
      return 0;
    }
    return writer.call(c -> requeue(c, ids, List.of("succeeded", "retrying", "dead"), now));
  }

  @Override
  public int replay(EventQuery query, Instant now) {
    EventStatus status =
        query
            .status()
            .orElseThrow(() -> new IllegalArgumentException("replay by filter needs a status"));
    String jobState =
        switch (status) {
          case DEAD -> "dead";
          case RETRYING -> "retrying";
          case PROCESSED -> "succeeded";
          case PENDING ->
              throw new IllegalArgumentException(
                  "pending events are already queued; replay dead, retrying or processed ones");
        };
    return writer.call(
        c -> {
          List<Object> args = new ArrayList<>();
          String sql =
              "SELECT s.id FROM (SELECT e.id, e.received_at, "
                  + STATUS_EXPR
                  + " AS status FROM "
                  + filteredEvents(query, args)
                  + ") s WHERE s.status = ? ORDER BY s.received_at, s.id LIMIT ?";
          args.add(status.wireName());
          args.add(query.limit());
          List<String> ids = new ArrayList<>();
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                ids.add(rs.getString(1));
              }
            }
          }
          return ids.isEmpty() ? 0 : requeue(c, ids, List.of(jobState), now);
        });
  }

  /**
   * Queues the jobs again as new: no attempts, due now, and {@code queued_at} now, so that their
   * retries are bounded by age from the replay rather than from when the event was received (a
   * replayed dead event older than the age limit would otherwise get one attempt, then die again).
   */
  private static int requeue(Connection c, List<String> eventIds, List<String> states, Instant now)
      throws SQLException {
    int total = 0;
    for (int from = 0; from < eventIds.size(); from += 500) {
      List<String> chunk = eventIds.subList(from, Math.min(eventIds.size(), from + 500));
      try (PreparedStatement ps =
          c.prepareStatement(
              "UPDATE jobs SET state = 'pending', attempts = 0, next_attempt_at = ?,"
                  + " queued_at = ?, finished_at = NULL, updated_at = ? WHERE state IN ("
                  + placeholders(states.size())
                  + ") AND event_id IN ("
                  + placeholders(chunk.size())
                  + ")")) {
        int i = 1;
        ps.setLong(i++, now.toEpochMilli());
        ps.setLong(i++, now.toEpochMilli());
        ps.setLong(i++, now.toEpochMilli());
        for (String state : states) {
          ps.setString(i++, state);
        }
        for (String id : chunk) {
          ps.setString(i++, id);
        }
        total += ps.executeUpdate();
      }
    }
    return total;
  }

  @Override
  public int prune(Instant cutoff) {
    return writer.call(
        c -> {
          long ms = cutoff.toEpochMilli();
          try (PreparedStatement jobs =
                  c.prepareStatement(
                      "DELETE FROM jobs WHERE event_id IN (SELECT e.id FROM events e"
                          + " WHERE e.received_at < ? AND NOT EXISTS (SELECT 1 FROM jobs j"
                          + " WHERE j.event_id = e.id AND j.state <> 'succeeded'))");
              PreparedStatement events =
                  c.prepareStatement(
                      "DELETE FROM events WHERE received_at < ? AND NOT EXISTS"
                          + " (SELECT 1 FROM jobs j WHERE j.event_id = events.id)")) {
            jobs.setLong(1, ms);
            jobs.executeUpdate();
            events.setLong(1, ms);
            return events.executeUpdate();
          }
        });
  }

  @Override
  public Map<JobState, Long> jobCounts() {
    return read(
        c -> {
          Map<JobState, Long> counts = new java.util.EnumMap<>(JobState.class);
          try (Statement st = c.createStatement();
              ResultSet rs = st.executeQuery("SELECT state, COUNT(*) FROM jobs GROUP BY state")) {
            while (rs.next()) {
              counts.put(JobState.fromWire(rs.getString(1)), rs.getLong(2));
            }
          }
          return counts;
        });
  }

  // ---------------------------------------------------------------- settings, health

  @Override
  public Optional<String> setting(String key) {
    return read(c -> settingIn(c, key));
  }

  private static Optional<String> settingIn(Connection c, String key) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT value FROM settings WHERE key = ?")) {
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }

  @Override
  public String putSettingIfAbsent(String key, String value) {
    return writer.call(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING")) {
            ps.setString(1, key);
            ps.setString(2, value);
            ps.executeUpdate();
          }
          return settingIn(c, key).orElseThrow();
        });
  }

  @Override
  public boolean isReady() {
    try (Connection c = readers.getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT 1")) {
      return rs.next();
    } catch (SQLException | RuntimeException e) {
      return false;
    }
  }

  @Override
  public void close() {
    if (checkpointer != null) {
      checkpointer.close();
    }
    writer.close();
    readers.close();
  }

  /** The pool readers use; exposed for tests and diagnostics. */
  DataSource readers() {
    return readers;
  }

  // ---------------------------------------------------------------- helpers

  @FunctionalInterface
  private interface Read<T> {
    T run(Connection c) throws SQLException;
  }

  private <T> T read(Read<T> read) {
    try (Connection c = readers.getConnection()) {
      return read.run(c);
    } catch (SQLException e) {
      throw new StoreUnavailableException("could not read the store: " + e.getMessage(), e);
    }
  }

  private static StoredEvent storedEvent(ResultSet rs, List<JobView> jobs) throws SQLException {
    Envelope envelope = envelope(rs);
    String endpoint = rs.getString(10);
    Instant receivedAt = Instant.ofEpochMilli(rs.getLong(11));
    EventStatus status = EventStatus.fromWire(rs.getString(12)).orElseThrow();
    return new StoredEvent(envelope, endpoint, receivedAt, status, jobs);
  }

  /** Reads the nine {@link #ENVELOPE_COLUMNS} at positions 1 to 9. */
  private static Envelope envelope(ResultSet rs) throws SQLException {
    Instant created = millis(rs, 4);
    return new Envelope(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        created,
        rs.getBoolean(5),
        rs.getString(6),
        rs.getString(7),
        rs.getString(8),
        rs.getString(9));
  }

  private static Instant millis(ResultSet rs, int column) throws SQLException {
    long ms = rs.getLong(column);
    return rs.wasNull() ? null : Instant.ofEpochMilli(ms);
  }

  private static void setMillis(PreparedStatement ps, int index, Instant instant)
      throws SQLException {
    if (instant == null) {
      ps.setNull(index, Types.BIGINT);
    } else {
      ps.setLong(index, instant.toEpochMilli());
    }
  }

  private static void bind(PreparedStatement ps, List<Object> args) throws SQLException {
    for (int i = 0; i < args.size(); i++) {
      Object arg = args.get(i);
      if (arg instanceof Long l) {
        ps.setLong(i + 1, l);
      } else if (arg instanceof Integer n) {
        ps.setInt(i + 1, n);
      } else {
        ps.setString(i + 1, (String) arg);
      }
    }
  }

  private static String placeholders(int n) {
    return String.join(", ", java.util.Collections.nCopies(n, "?"));
  }

  private static String likeEscape(String s) {
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
  }

  private static String truncate(String s, int max) {
    if (s == null) {
      return null;
    }
    return s.length() <= max ? s : s.substring(0, max);
  }
}
