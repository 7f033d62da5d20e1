package dev.stripeinbox.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stripeinbox.inbox.StoreUnavailableException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer on a real SQLite file. Each test parks the writer thread inside a first op, queues
 * more ops behind it, then lets it go, so the next batch's contents are known exactly.
 */
@Timeout(30)
final class GroupCommitWriterTest {
  @TempDir Path folder;

  private String url;
  private final List<Integer> committedBatches = new CopyOnWriteArrayList<>();
  private final List<Integer> failedBatches = new CopyOnWriteArrayList<>();
  private final CountDownLatch parked = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private GroupCommitWriter writer;

  @BeforeEach
  void createTable() throws SQLException {
    url = "jdbc:sqlite:" + folder.resolve("writer.db");
    try (Connection c = DriverManager.getConnection(url);
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE items (value INTEGER NOT NULL PRIMARY KEY)");
    }
  }

  @AfterEach
  void closeWriter() {
    release.countDown();
    if (writer != null) {
      writer.close();
    }
  }

  /** While set, opening a connection fails as it does when the database is down. */
  private final AtomicBoolean databaseDown = new AtomicBoolean();

  private final AtomicInteger opensWhileDown = new AtomicInteger();

  private Connection openConnection() throws SQLException {
    if (databaseDown.get()) {
      opensWhileDown.incrementAndGet();
      throw new SQLException("Connection refused", "08001");
    }
    return DriverManager.getConnection(url);
  }

  private GroupCommitWriter startWriter(int maxBatch, int capacity) {
    writer =
        new GroupCommitWriter(
            this::openConnection,
            Dialect.SQLITE::prepareCommit,
            maxBatch,
            capacity,
            (size, nanos, succeeded) -> (succeeded ? committedBatches : failedBatches).add(size));
    writer.start();
    return writer;
  }

  /** Occupies the writer thread until {@link #release} opens; returns once it is inside. */
  private CompletableFuture<Integer> park() throws InterruptedException {
    CompletableFuture<Integer> parking =
        writer.submit(
            c -> {
              parked.countDown();
              awaitRelease();
              return insert(c, 0);
            });
    assertThat(parked.await(10, TimeUnit.SECONDS)).isTrue();
    return parking;
  }

  private void awaitRelease() {
    try {
      release.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int insert(Connection c, int value) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO items (value) VALUES (?)")) {
      ps.setInt(1, value);
      return ps.executeUpdate();
    }
  }

  private List<Integer> storedValues() throws SQLException {
    List<Integer> values = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT value FROM items ORDER BY value")) {
      while (rs.next()) {
        values.add(rs.getInt(1));
      }
    }
    return values;
  }

  private static <T> T await(CompletableFuture<T> future) {
    return future.orTimeout(10, TimeUnit.SECONDS).join();
  }

  @Test
  void aFailingOpDoesNotFailTheOthersInItsBatch() throws Exception {
    startWriter(64, 1000);
    CompletableFuture<Integer> parking = park();
    CompletableFuture<Integer> first = writer.submit(c -> insert(c, 1));
    CompletableFuture<Integer> duplicateKey = writer.submit(c -> insert(c, 1));
    CompletableFuture<Integer> throwing =
        writer.submit(
            c -> {
              throw new IllegalStateException("bug in an op");
            });
    CompletableFuture<Integer> last = writer.submit(c -> insert(c, 2));

    release.countDown();

    assertThat(await(parking)).isEqualTo(1);
    assertThat(await(first)).isEqualTo(1);
    assertThat(await(last)).isEqualTo(1);
    CompletionException duplicateFailure =
        assertThrows(CompletionException.class, () -> await(duplicateKey));
    assertThat(duplicateFailure).hasCauseInstanceOf(StoreUnavailableException.class);
    CompletionException thrownFailure =
        assertThrows(CompletionException.class, () -> await(throwing));
    assertThat(thrownFailure).hasCauseInstanceOf(StoreUnavailableException.class);
    assertThat(storedValues()).containsExactly(0, 1, 2);
    assertThat(failedBatches).containsExactly(4);
  }

  @Test
  void theWritesOfAnOpThatThrewAnErrorAreNotCommittedByTheNextBatch() throws Exception {
    startWriter(64, 1000);
    CompletableFuture<Integer> halfDone =
        writer.submit(
            c -> {
              insert(c, 5);
              throw new AssertionError("an op's own check");
            });
    assertThrows(CompletionException.class, () -> await(halfDone));

    int next = writer.call(c -> insert(c, 1));

    assertThat(next).isEqualTo(1);
    assertThat(storedValues()).containsExactly(1);
  }

  @Test
  void anOpThatThrowsAnErrorLeavesNoneOfItsWritesBehindAndFailsAlone() throws Exception {
    startWriter(64, 1000);
    CompletableFuture<Integer> parking = park();
    CompletableFuture<Integer> before = writer.submit(c -> insert(c, 1));
    CompletableFuture<Integer> halfDone =
        writer.submit(
            c -> {
              insert(c, 5);
              throw new StackOverflowError("deep in an op");
            });
    CompletableFuture<Integer> after = writer.submit(c -> insert(c, 2));

    release.countDown();

    assertThat(await(parking)).isEqualTo(1);
    assertThat(await(before)).isEqualTo(1);
    assertThat(await(after)).isEqualTo(1);
    CompletionException thrown = assertThrows(CompletionException.class, () -> await(halfDone));
    assertThat(thrown).hasCauseInstanceOf(StoreUnavailableException.class);
    int later = writer.call(c -> insert(c, 3)); // a later batch commits only its own
    assertThat(later).isEqualTo(1);
    assertThat(storedValues()).containsExactly(0, 1, 2, 3);
  }

  /** The connection's {@code synchronous} level as an op sees it: 1 is NORMAL, 2 is FULL. */
  private static int synchronousLevel(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("PRAGMA synchronous")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static int insertAndReadLevel(Connection c, int value) throws SQLException {
    insert(c, value);
    return synchronousLevel(c);
  }

  @Test
  void relaxedBatchesCommitAtSynchronousNormalAndABatchWithADurableOpAtFull() throws Exception {
    startWriter(64, 1000);

    int relaxed =
        await(writer.submit(c -> insertAndReadLevel(c, 1), GroupCommitWriter.Commit.RELAXED));
    int durable = await(writer.submit(c -> insertAndReadLevel(c, 2)));
    int relaxedAgain =
        await(writer.submit(c -> insertAndReadLevel(c, 3), GroupCommitWriter.Commit.RELAXED));
    CompletableFuture<Integer> parking = park();
    CompletableFuture<Integer> mixedRelaxed =
        writer.submit(c -> insertAndReadLevel(c, 4), GroupCommitWriter.Commit.RELAXED);
    CompletableFuture<Integer> mixedDurable = writer.submit(c -> insertAndReadLevel(c, 5));
    release.countDown();

    assertThat(List.of(relaxed, durable, relaxedAgain)).containsExactly(1, 2, 1);
    await(parking);
    assertThat(List.of(await(mixedRelaxed), await(mixedDurable))).containsExactly(2, 2);
    assertThat(storedValues()).containsExactly(0, 1, 2, 3, 4, 5);
  }

  @Test
  void queuedOpsShareOneCommit() throws Exception {
    startWriter(64, 1000);
    CompletableFuture<Integer> parking = park();
    List<CompletableFuture<Integer>> queued = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      int value = i;
      queued.add(writer.submit(c -> insert(c, value)));
    }

    release.countDown();

    await(parking);
    queued.forEach(GroupCommitWriterTest::await);
    assertThat(committedBatches).containsExactly(1, 10);
  }

  @Test
  void aBatchTakesAtMostMaxBatchOps() throws Exception {
    startWriter(4, 1000);
    CompletableFuture<Integer> parking = park();
    List<CompletableFuture<Integer>> queued = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      int value = i;
      queued.add(writer.submit(c -> insert(c, value)));
    }

    release.countDown();

    await(parking);
    queued.forEach(GroupCommitWriterTest::await);
    assertThat(committedBatches).containsExactly(1, 4, 4, 2);
  }

  @Test
  void aFullQueueFailsNewOpsAtOnce() throws Exception {
    startWriter(2, 2);
    park();
    CompletableFuture<Integer> queued1 = writer.submit(c -> insert(c, 1));
    CompletableFuture<Integer> queued2 = writer.submit(c -> insert(c, 2));

    CompletableFuture<Integer> rejected = writer.submit(c -> insert(c, 3));

    CompletionException thrown = assertThrows(CompletionException.class, rejected::join);
    assertThat(thrown).hasCauseInstanceOf(StoreUnavailableException.class);
    release.countDown();
    await(queued1);
    await(queued2);
    assertThat(storedValues()).containsExactly(0, 1, 2);
  }

  @Test
  void opsSubmittedAfterCloseFailWithStoreUnavailable() {
    startWriter(64, 1000);
    writer.close();

    CompletableFuture<Integer> late = writer.submit(c -> insert(c, 1));

    CompletionException thrown = assertThrows(CompletionException.class, late::join);
    assertThat(thrown).hasCauseInstanceOf(StoreUnavailableException.class);
    assertThrows(StoreUnavailableException.class, () -> writer.call(c -> insert(c, 2)));
  }

  @Test
  void closeCommitsOpsThatWereAlreadyQueued() throws Exception {
    startWriter(64, 1000);
    CompletableFuture<Integer> parking = park();
    List<CompletableFuture<Integer>> queued = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      int value = i;
      queued.add(writer.submit(c -> insert(c, value)));
    }
    Thread closer = new Thread(writer::close, "closer");
    closer.start();
    // Once the writer refuses new ops, close() has begun; only then let the parked op finish.
    while (!writer.submit(c -> 0).isCompletedExceptionally()) {
      Thread.onSpinWait();
    }

    release.countDown();
    closer.join(10_000);

    assertThat(closer.isAlive()).isFalse();
    await(parking);
    queued.forEach(GroupCommitWriterTest::await);
    assertThat(storedValues()).containsExactly(0, 1, 2, 3, 4, 5);
  }

  @Test
  void whenTheDatabaseIsGoneABatchFailsAtOnceWithoutTryingEachOpAlone() throws Exception {
    startWriter(64, 1000);
    CompletableFuture<Integer> parking =
        writer.submit(
            c -> {
              parked.countDown();
              awaitRelease();
              c.close(); // the connection breaks, as when the server restarts
              return 0;
            });
    assertThat(parked.await(10, TimeUnit.SECONDS)).isTrue();
    List<CompletableFuture<Integer>> queued = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      int value = i;
      queued.add(writer.submit(c -> insert(c, value)));
    }
    databaseDown.set(true);

    release.countDown();

    assertThrows(CompletionException.class, () -> await(parking));
    for (CompletableFuture<Integer> op : queued) {
      CompletionException thrown = assertThrows(CompletionException.class, () -> await(op));
      assertThat(thrown).hasCauseInstanceOf(StoreUnavailableException.class);
    }
    // One attempt for the whole batch: retrying op by op would wait out a connect timeout each.
    assertThat(opensWhileDown.get()).isEqualTo(1);
  }

  @Test
  void theWriterReconnectsOnceTheDatabaseIsBack() throws Exception {
    startWriter(64, 1000);
    databaseDown.set(true);
    assertThrows(StoreUnavailableException.class, () -> writer.call(c -> insert(c, 1)));

    databaseDown.set(false);

    int inserted = writer.call(c -> insert(c, 2));
    assertThat(inserted).isEqualTo(1);
    assertThat(storedValues()).containsExactly(2);
  }
}
