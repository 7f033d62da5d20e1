package dev.stripeinbox.bench;

import dev.stripeinbox.event.Envelope;
import dev.stripeinbox.event.EnvelopeReader;
import dev.stripeinbox.inbox.AppendResult;
import dev.stripeinbox.inbox.NewEvent;
import dev.stripeinbox.jdbc.JdbcInboxStore;
import dev.stripeinbox.jdbc.StoreOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Append plus commit on SQLite with {@code synchronous=FULL} (a temporary file on the working
 * disk), as the request threads drive it: {@code batch} appends arrive together and each waits for
 * its commit. The score is rounds per second; the {@code events} and {@code commits} counters give
 * events per second and commits (fsyncs) per second, so events/commits is the batch the group
 * commit actually formed. Each event is a 4 KB body with one job, as {@code serve} stores it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(1)
public class StoreBenchmark {
  @Param({"1", "16", "64", "256"})
  public int batch;

  Path dir;
  JdbcInboxStore store;
  byte[] body;
  Envelope template;
  final LongAdder commits = new LongAdder();
  long sequence;

  /** Counters JMH reports as rates beside the score. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Counters {
    public long events;
    public long commits;
  }

  @Setup(Level.Trial)
  public void open() throws IOException {
    dir = Files.createTempDirectory(Path.of(System.getProperty("bench.dir", ".")), "store-bench");
    store =
        JdbcInboxStore.open(
            dir.resolve("bench.db").toString(),
            StoreOptions.defaults().withCommitListener((size, nanos, ok) -> commits.increment()));
    body = BenchEvents.ofSize(4096);
    template = EnvelopeReader.read(body);
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    store.close();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Benchmark
  public void appendAndCommit(Counters counters) {
    long commitsBefore = commits.sum();
    @SuppressWarnings("unchecked")
    CompletableFuture<AppendResult>[] appends = new CompletableFuture[batch];
    Instant now = Instant.now();
    for (int i = 0; i < batch; i++) {
      Envelope e =
          new Envelope(
              "evt_bench" + (sequence++),
              template.object(),
              template.type(),
              template.created(),
              template.livemode(),
              template.apiVersion(),
              template.account(),
              template.dataObjectId(),
              template.dataObjectType());
      appends[i] = store.append(new NewEvent(e, body, "default", now, List.of("quickstart")));
    }
    for (CompletableFuture<AppendResult> a : appends) {
      if (a.join() != AppendResult.APPENDED) {
        throw new IllegalStateException("not appended");
      }
    }
    counters.events += batch;
    counters.commits += commits.sum() - commitsBefore;
  }
}
