package dev.stripeinbox.bench;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Pairs, per event id, the moment the 200 answer of a delivery was ready with the moment the
 * handler of its job started, and records the time between them in an HdrHistogram (microseconds).
 * Both moments are {@link System#nanoTime()} readings in the same JVM.
 *
 * <p>Either moment may come first: the inbox wakes its dispatcher before it tells the receive
 * listener, so a handler can in principle start before the listener runs. Whichever comes second
 * records the pair. A handler that starts before the 200 was ready is recorded as 0 and counted.
 *
 * <p>Measurement windows: {@link #reset(Duration)} clears everything and starts a new window at the
 * first answered delivery after it, plus a warm-up; deliveries whose 200 was ready before that
 * point are left out of the histogram (counted as {@code excluded}), and so are handler starts of
 * deliveries answered before the reset ({@code unmatched}).
 *
 * <p>Thread-safe: receive listeners and workers call it concurrently.
 */
final class HandoffProbe {
  private static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);
  private static final long NOT_STARTED = Long.MIN_VALUE;

  /** What is known of an event whose pair is not complete yet. */
  private record Stamp(long nanos, boolean handlerFirst, boolean excluded) {}

  private final ConcurrentHashMap<String, Stamp> open = new ConcurrentHashMap<>();
  private final Histogram micros = new ConcurrentHistogram(HIGHEST_MICROS, 3);
  private final AtomicLong windowStart = new AtomicLong(NOT_STARTED);
  private final LongAdder excluded = new LongAdder();
  private final LongAdder handlerBefore200 = new LongAdder();
  private final LongAdder handlerStarts = new LongAdder();
  private volatile long warmupNanos;
  private volatile long resetAt = System.nanoTime();

  /**
   * Starts a new measurement window: it opens at the first answered delivery after this call plus
   * {@code warmup}. Call it while no deliveries or handlers are running.
   */
  synchronized void reset(Duration warmup) {
    open.clear();
    micros.reset();
    excluded.reset();
    handlerBefore200.reset();
    handlerStarts.reset();
    warmupNanos = warmup.toNanos();
    resetAt = System.nanoTime();
    windowStart.set(NOT_STARTED);
  }

  /** The 200 answer of a newly stored event was ready at {@code nanos}. */
  void answered(String eventId, long nanos) {
    windowStart.compareAndSet(NOT_STARTED, nanos);
    boolean inWindow = nanos - windowStart.get() >= warmupNanos;
    open.compute(
        eventId,
        (id, stamp) -> {
          if (stamp == null) {
            return new Stamp(nanos, false, !inWindow);
          }
          if (stamp.handlerFirst()) {
            if (inWindow) {
              record(stamp.nanos() - nanos);
            } else {
              excluded.increment();
            }
            return null;
          }
          return stamp; // the same event answered twice as new cannot happen; keep the first
        });
  }

  /** The handler of an event's job started at {@code nanos}. */
  void handlerStarted(String eventId, long nanos) {
    handlerStarts.increment();
    open.compute(
        eventId,
        (id, stamp) -> {
          if (stamp == null) {
            return new Stamp(nanos, true, false);
          }
          if (stamp.handlerFirst()) {
            return stamp; // a second run of the same job (a retry): the first start counts
          }
          if (stamp.excluded()) {
            excluded.increment();
          } else {
            record(nanos - stamp.nanos());
          }
          return null;
        });
  }

  private void record(long nanos) {
    if (nanos < 0) {
      handlerBefore200.increment();
      nanos = 0;
    }
    micros.recordValue(Math.min(HIGHEST_MICROS, TimeUnit.NANOSECONDS.toMicros(nanos)));
  }

  /**
   * The window's figures as one JSON object: {@code count}, percentiles and max in milliseconds,
   * {@code not_started} (answered, in the window, handler not started yet), {@code unmatched}
   * (handler started, no 200 seen since the reset), {@code excluded} (answered during the warm-up),
   * {@code handler_before_200}.
   */
  synchronized String json() {
    long notStarted = 0;
    long unmatched = 0;
    for (Stamp s : open.values()) {
      if (s.handlerFirst()) {
        unmatched++;
      } else if (!s.excluded()) {
        notStarted++;
      }
    }
    Histogram h = micros.copy();
    long start = windowStart.get();
    double windowSeconds =
        start == NOT_STARTED ? 0 : (System.nanoTime() - start - warmupNanos) / 1e9;
    return String.format(
        Locale.ROOT,
        "{\"count\":%d,\"latency_ms\":{\"p50\":%s,\"p90\":%s,\"p99\":%s,\"p99_9\":%s,\"max\":%s,"
            + "\"mean\":%s},\"not_started\":%d,\"unmatched\":%d,\"excluded\":%d,"
            + "\"handler_before_200\":%d,\"handler_starts\":%d,\"warmup_s\":%s,"
            + "\"since_window_s\":%s,\"since_reset_s\":%s}",
        h.getTotalCount(),
        millis(h, 50),
        millis(h, 90),
        millis(h, 99),
        millis(h, 99.9),
        h.getTotalCount() == 0 ? "null" : ms(h.getMaxValue()),
        h.getTotalCount() == 0 ? "null" : ms(h.getMean()),
        notStarted,
        unmatched,
        excluded.sum(),
        handlerBefore200.sum(),
        handlerStarts.sum(),
        seconds(warmupNanos / 1e9),
        seconds(Math.max(0, windowSeconds)),
        seconds((System.nanoTime() - resetAt) / 1e9));
  }

  private static String millis(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? "null" : ms(h.getValueAtPercentile(percentile));
  }

  private static String seconds(double seconds) {
    return String.format(Locale.ROOT, "%.3f", seconds);
  }

  /** Microseconds as milliseconds with three decimals. */
  private static String ms(double micros) {
    return String.format(Locale.ROOT, "%.3f", micros / 1000);
  }
}
