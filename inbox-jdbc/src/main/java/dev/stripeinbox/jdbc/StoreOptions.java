package dev.stripeinbox.jdbc;

import dev.stripeinbox.jdbc.internal.GroupCommitWriter;
import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of a {@link JdbcInboxStore}. The defaults suit both databases.
 *
 * @param maxBatch the most writes one commit takes (default 512)
 * @param queueCapacity the most writes waiting for the writer; beyond it, appends fail fast with
 *     503 instead of queueing without bound (default 20,000)
 * @param readerPoolSize connections for reads (default 4)
 * @param connectTimeout how long PostgreSQL connection attempts wait (default 3 s); while the
 *     database is down, a delivery is answered 503 after at most this long
 * @param commitListener told of every commit's size and duration, for metrics
 */
public record StoreOptions(
    int maxBatch,
    int queueCapacity,
    int readerPoolSize,
    Duration connectTimeout,
    GroupCommitWriter.CommitListener commitListener) {
  public StoreOptions {
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be at least 1, was " + maxBatch);
    }
    if (queueCapacity < maxBatch) {
      throw new IllegalArgumentException("queueCapacity must be at least maxBatch");
    }
    if (readerPoolSize < 1) {
      throw new IllegalArgumentException("readerPoolSize must be at least 1");
    }
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(commitListener, "commitListener");
  }

  public static StoreOptions defaults() {
    return new StoreOptions(512, 20_000, 4, Duration.ofSeconds(3), (size, nanos, ok) -> {});
  }

  public StoreOptions withCommitListener(GroupCommitWriter.CommitListener listener) {
    return new StoreOptions(maxBatch, queueCapacity, readerPoolSize, connectTimeout, listener);
  }
}
