package dev.stripeinbox.inbox;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The durable inbox: events with their exact bytes, and one job per (event, subscriber).
 *
 * <p>This is the port between the core and a database. Implementations must make {@link #append}
 * durable before its future completes, dedupe by event id atomically, and create the event's jobs
 * in the same transaction as the event. Job claims must hand each due job to one worker at a time,
 * across every process that shares the store.
 *
 * <p>Every method may throw {@link StoreUnavailableException} (or complete exceptionally with it)
 * when the database cannot answer. Implementations are thread-safe.
 */
public interface InboxStore extends AutoCloseable {

  /**
   * Appends a verified event and its jobs. The future completes after the commit, with {@link
   * AppendResult#DUPLICATE} if the id was already stored, or exceptionally with {@link
   * StoreUnavailableException}.
   */
  CompletableFuture<AppendResult> append(NewEvent event);

  /**
   * Claims up to {@code max} due jobs (pending, or retrying whose time has come), oldest due first,
   * marking them running under {@code owner}'s lease until {@code now + lease} and counting the
   * attempt.
   */
  List<ClaimedJob> claim(String owner, int max, Instant now, Duration lease);

  /** Extends the leases {@code owner} still holds on these jobs until {@code until}. */
  void renewLeases(String owner, Collection<Long> jobIds, Instant until);

  /** Records success of a job {@code owner} holds; false when the lease was lost meanwhile. */
  boolean succeed(long jobId, String owner, Instant now);

  /**
   * {@link #succeed} without blocking the caller: the future completes once the outcome is
   * committed, so a worker goes on to its next job meanwhile. The default runs {@link #succeed}.
   */
  default CompletableFuture<Boolean> succeedAsync(long jobId, String owner, Instant now) {
    try {
      return CompletableFuture.completedFuture(succeed(jobId, owner, now));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Records a failed attempt of a job {@code owner} holds: {@code retrying} at {@code
   * nextAttemptAt}, or {@code dead} when that is empty. False when the lease was lost meanwhile.
   */
  boolean fail(
      long jobId, String owner, String error, Instant now, Optional<Instant> nextAttemptAt);

  /** Returns running jobs whose lease expired before {@code now} to pending; returns how many. */
  int reapExpiredLeases(Instant now);

  /** When the earliest pending or retrying job is due, if there is one. */
  Optional<Instant> nextDueAt();

  /** Events matching the query, newest first, without their jobs. */
  List<StoredEvent> list(EventQuery query);

  /** One event with its jobs. */
  Optional<StoredEvent> find(String eventId);

  /** The exact stored bytes of one event. */
  Optional<byte[]> payload(String eventId);

  /**
   * Re-queues the finished or waiting jobs (succeeded, retrying, dead) of these events as pending
   * with a fresh attempt count; running and pending jobs are left as they are. Returns how many
   * jobs were re-queued.
   */
  int replay(Collection<String> eventIds, Instant now);

  /**
   * Re-queues, for every event matching the query's type and since filters and derived status, the
   * jobs whose state that status stems from: dead jobs for {@code dead}, retrying jobs for {@code
   * retrying}, succeeded jobs for {@code processed}. Returns how many jobs were re-queued.
   */
  int replay(EventQuery query, Instant now);

  /**
   * Deletes events received before {@code cutoff} whose jobs all succeeded, with their jobs.
   * Pending, running, retrying and dead work is never touched. Returns how many events went.
   */
  int prune(Instant cutoff);

  /** How many jobs are in each state now (states with none are absent), for metrics. */
  java.util.Map<JobState, Long> jobCounts();

  /** A stored setting, such as the generated signing secret. */
  Optional<String> setting(String key);

  /** Stores {@code value} under {@code key} unless one is there; returns the value now stored. */
  String putSettingIfAbsent(String key, String value);

  /** Whether the database answers a trivial query now. */
  boolean isReady();

  /** Completes pending commits, then releases connections. */
  @Override
  void close();
}
