package dev.stripeinbox.jdbc.internal;

import dev.stripeinbox.inbox.StoreUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's single writer: every write of the store is an {@link Op} queued here, and one thread
 * runs whatever has queued up in one transaction with one commit (one fsync on SQLite), then
 * completes each op's future. Under load, hundreds of appends share a commit; when idle, a lone
 * append commits at once, since the thread never waits to fill a batch.
 *
 * <p>If a batch fails, each of its ops is retried in a transaction of its own, so one bad op cannot
 * fail its neighbours; when the database itself is gone, they all fail with {@link
 * StoreUnavailableException}. A full queue fails new ops at once instead of blocking callers.
 *
 * <p>Thread-safe: {@link #submit} may be called from any thread. The writer thread is named {@code
 * inbox-writer}; the futures of {@link #submit} complete on {@code inbox-completions}.
 */
public final class GroupCommitWriter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GroupCommitWriter.class);

  /** One unit of work run inside the writer's transaction. */
  @FunctionalInterface
  public interface Op<T> {
    T run(Connection connection) throws SQLException;
  }

  /** Gives the writer a connection, again after the previous one broke. */
  @FunctionalInterface
  public interface ConnectionFactory {
    Connection open() throws SQLException;
  }

  /**
   * How a batch commits. {@link #DURABLE} waits until the commit is on disk: appends, settings and
   * anything an operator asked for. {@link #RELAXED} is for job bookkeeping that at-least-once
   * delivery makes safe to lose (claims, outcomes, leases): losing one to a power cut at worst runs
   * a job again. A relaxed commit skips the disk flush (SQLite {@code synchronous=NORMAL},
   * PostgreSQL {@code synchronous_commit=off}) and becomes durable with the next durable commit,
   * since the log is written in order. A batch with any durable op commits durably.
   */
  public enum Commit {
    DURABLE,
    RELAXED
  }

  /** Sets the durability of the transaction about to run, in a database's own terms. */
  @FunctionalInterface
  public interface CommitMode {
    /**
     * Called before each batch's first op, with whether the last batch on this connection was
     * durable ({@code null} on a new connection).
     */
    void prepare(Connection connection, boolean durable, Boolean previous) throws SQLException;
  }

  /** Told of every commit, for metrics. */
  @FunctionalInterface
  public interface CommitListener {
    void onCommit(int batchSize, long nanos, boolean succeeded);
  }

  private static final class Task<T> {
    final Op<T> op;
    final boolean durable;
    final boolean waited; // a thread blocks in call(): wake it from the writer directly
    final CompletableFuture<T> future = new CompletableFuture<>();
    T result;

    Task(Op<T> op, boolean durable, boolean waited) {
      this.op = op;
      this.durable = durable;
      this.waited = waited;
    }

    void runIn(Connection connection) throws SQLException {
      result = op.run(connection);
    }

    void complete() {
      future.complete(result);
    }

    void fail(Throwable error) {
      future.completeExceptionally(error);
    }
  }

  private final ConnectionFactory connections;
  private final CommitMode commitMode;
  private final CommitListener listener;
  private final int maxBatch;
  private final BlockingQueue<Task<?>> queue;
  private final Thread thread;
  private final ExecutorService completions;
  private volatile boolean closing;
  // Set by the writer thread just before its last drain of the queue: an op queued after that
  // drain sees it and fails itself, so none is left behind unanswered.
  private volatile boolean closed;
  private Connection connection; // writer thread only
  private Boolean lastDurable; // writer thread only; null on a new connection
  private final Map<String, PreparedStatement> statements = new HashMap<>(); // writer thread only

  public GroupCommitWriter(
      ConnectionFactory connections,
      CommitMode commitMode,
      int maxBatch,
      int capacity,
      CommitListener listener) {
    this.connections = connections;
    this.commitMode = commitMode;
    this.maxBatch = maxBatch;
    this.listener = listener;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.thread = new Thread(this::loop, "inbox-writer");
    this.thread.setDaemon(false);
    this.completions =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "inbox-completions");
              t.setDaemon(true);
              return t;
            });
  }

  public void start() {
    thread.start();
  }

  /** Queues an op; its future completes after the durable commit that includes it. */
  public <T> CompletableFuture<T> submit(Op<T> op) {
    return submit(op, Commit.DURABLE);
  }

  /** Queues an op; its future completes after the commit that includes it. */
  public <T> CompletableFuture<T> submit(Op<T> op, Commit commit) {
    return enqueue(new Task<>(op, commit == Commit.DURABLE, false));
  }

  private <T> CompletableFuture<T> enqueue(Task<T> task) {
    if (closing) {
      task.fail(new StoreUnavailableException("the store is closing"));
    } else if (!queue.offer(task)) {
      task.fail(new StoreUnavailableException("the store's write queue is full"));
    } else if (closed && queue.remove(task)) {
      // The writer stopped between the check and the offer, and its last drain may have come
      // before the offer: nobody else will answer this op. (Whichever of this remove and that
      // drain takes the op fails it.)
      task.fail(new StoreUnavailableException("the store closed"));
    }
    return task.future;
  }

  /** Runs an op and waits for its durable commit; see {@link #call(Op, Commit)}. */
  public <T> T call(Op<T> op) {
    return call(op, Commit.DURABLE);
  }

  /** Runs an op and waits for its commit, rethrowing failures as unchecked store exceptions. */
  public <T> T call(Op<T> op, Commit commit) {
    try {
      return enqueue(new Task<>(op, commit == Commit.DURABLE, true)).join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new StoreUnavailableException("store write failed", e.getCause());
    }
  }

  private void loop() {
    List<Task<?>> batch = new ArrayList<>(maxBatch);
    while (true) {
      try {
        Task<?> first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (closing && queue.isEmpty()) {
            break;
          }
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, maxBatch - 1);
        runBatch(batch);
      } catch (InterruptedException e) {
        // close() never interrupts; an outside interrupt means the JVM is going down.
        Thread.currentThread().interrupt();
        break;
      } catch (RuntimeException | Error e) {
        log.error("inbox writer: unexpected failure; continuing", e);
        StoreUnavailableException failure = new StoreUnavailableException("store write failed", e);
        settle(List.copyOf(batch), task -> task.fail(failure));
      } finally {
        batch.clear();
      }
    }
    closed = true;
    failRemaining();
    closeConnection();
  }

  private void runBatch(List<Task<?>> batch) {
    long start = System.nanoTime();
    try {
      runInOneTransaction(batch);
      notify(batch.size(), System.nanoTime() - start, true);
      settle(batch, Task::complete);
      return;
    } catch (SQLException e) {
      notify(batch.size(), System.nanoTime() - start, false);
      if (batch.size() == 1 || connection == null) {
        // No connection could be opened, it broke, or no transaction could begin on it: the
        // database is at fault, not an op. Retrying op by op would wait out a connection (or
        // busy) timeout once per op.
        settle(batch, task -> fail(task, e));
        return;
      }
    }
    // Isolate the failure: each op alone, so only the broken ones fail.
    for (Task<?> task : batch) {
      try {
        runInOneTransaction(List.of(task));
        settle(List.of(task), Task::complete);
      } catch (SQLException e) {
        settle(List.of(task), failed -> fail(failed, e));
      }
    }
  }

  /**
   * Settles tasks with {@code outcome} (complete or fail). A thread blocked in {@link #call} is
   * woken from here. The futures of {@link #submit} settle on the {@code inbox-completions} thread,
   * all of a batch in one task: whatever is chained on them (an HTTP answer, a listener) runs
   * there, off the writer, and a batch of 64 appends costs one thread hand-off rather than 64.
   */
  private void settle(List<Task<?>> tasks, Consumer<Task<?>> outcome) {
    List<Task<?>> handOff = null;
    for (Task<?> task : tasks) {
      if (task.waited) {
        outcome.accept(task);
      } else {
        if (handOff == null) {
          handOff = new ArrayList<>(tasks.size());
        }
        handOff.add(task);
      }
    }
    if (handOff != null) {
      List<Task<?>> later = handOff;
      try {
        completions.execute(() -> later.forEach(outcome));
      } catch (RejectedExecutionException e) {
        later.forEach(outcome); // closing: settle here rather than never
      }
    }
  }

  private void runInOneTransaction(List<Task<?>> tasks) throws SQLException {
    Connection c = connection();
    boolean prepared = false;
    try {
      boolean durable = false;
      for (Task<?> task : tasks) {
        durable |= task.durable;
      }
      commitMode.prepare(c, durable, lastDurable);
      prepared = true;
      lastDurable = durable;
      for (Task<?> task : tasks) {
        task.runIn(c);
      }
      c.commit();
    } catch (Throwable e) {
      // Errors too: an op that threw one may have written half of its rows, and the open
      // transaction would carry them into the next batch's commit.
      rollbackQuietly(c);
      // A transaction that could not even begin (SQLite busy past its timeout) may have left the
      // connection half-way, its durability setting unknown: a new one starts from the defaults.
      if (!prepared || !isValid(c)) {
        closeConnection();
      }
      if (e instanceof SQLException sql) {
        throw sql;
      }
      throw new SQLException("store op failed: " + e, e);
    }
  }

  /** A failing listener must not turn a committed batch into failed appends. */
  private void notify(int size, long nanos, boolean succeeded) {
    try {
      listener.onCommit(size, nanos, succeeded);
    } catch (RuntimeException e) {
      log.warn("commit listener failed: {}", e.toString());
    }
  }

  private static void fail(Task<?> task, SQLException e) {
    task.fail(new StoreUnavailableException("could not commit to the store: " + e.getMessage(), e));
  }

  /**
   * The statement for {@code sql}, prepared once per writer connection: SQLite compiles a statement
   * on every {@code prepareStatement}, which cost about a tenth of an append. Only for the constant
   * SQL of frequent ops, called from inside an op; the op sets every parameter and must not close
   * it.
   */
  public PreparedStatement prepared(Connection c, String sql) throws SQLException {
    if (Thread.currentThread() != thread || c != connection) {
      throw new IllegalStateException("prepared() is for ops running on the writer's connection");
    }
    PreparedStatement ps = statements.get(sql);
    if (ps == null) {
      ps = c.prepareStatement(sql);
      statements.put(sql, ps);
    }
    return ps;
  }

  private Connection connection() throws SQLException {
    if (connection == null) {
      Connection c = connections.open();
      c.setAutoCommit(false);
      connection = c;
    }
    return connection;
  }

  private static boolean isValid(Connection c) {
    try {
      return c.isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // The connection is broken; it is closed and reopened next time.
    }
  }

  private void closeConnection() {
    for (PreparedStatement ps : statements.values()) {
      try {
        ps.close();
      } catch (SQLException ignored) {
        // The connection is closed next; its statements go with it.
      }
    }
    statements.clear();
    lastDurable = null;
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // Nothing more can be done with a connection that fails to close.
      }
      connection = null;
    }
  }

  private void failRemaining() {
    Task<?> task;
    while ((task = queue.poll()) != null) {
      task.fail(new StoreUnavailableException("the store closed"));
    }
  }

  /**
   * Stops accepting ops, commits everything already queued, then stops the thread. Waits at most
   * {@code timeoutMillis} for the queue to drain.
   */
  public void close(long timeoutMillis) {
    closing = true;
    try {
      thread.join(timeoutMillis);
      completions.shutdown();
      completions.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    close(10_000);
  }
}
