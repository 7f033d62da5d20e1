package dev.stripeinbox.server.load;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@link LoadPlan} against a webhook endpoint and returns what it measured.
 *
 * <pre>{@code
 * LoadResult r = LoadGenerator.run(
 *     LoadPlan.closed(URI.create("http://127.0.0.1:4242/webhook"), secret, 64, Duration.ofSeconds(30)));
 * System.out.println(r.toText());
 * }</pre>
 *
 * <p>The signed bodies are prepared before the clock starts. During a warm-up the rate is sampled
 * every {@value #WINDOW_SECONDS} s; with {@link LoadPlan#warmupPlateau()} the warm-up ends once
 * three windows in a row have not beaten the best earlier window by more than 2%.
 *
 * <p>Thread-safe: each run has its own threads and state.
 */
public final class LoadGenerator {
  static final int WINDOW_SECONDS = 5;
  private static final int PLATEAU_WINDOWS = 3;
  private static final double PLATEAU_GAIN = 1.02;

  private LoadGenerator() {}

  public static LoadResult run(LoadPlan plan) throws InterruptedException {
    String runPrefix = Deliveries.newRunPrefix();
    long seed = ThreadLocalRandom.current().nextLong();
    int loops =
        plan.client() == LoadPlan.Client.JDK
            ? 1
            : Math.max(
                1,
                Math.min(
                    plan.threads(), plan.openLoop() ? plan.connections() : plan.concurrency()));
    List<Deliveries> deliveries = new ArrayList<>();
    for (int i = 0; i < loops; i++) {
      deliveries.add(
          new Deliveries(
              plan.mix(), plan.secret(), plan.duplicates(), runPrefix, i, loops, seed + i));
    }
    long warmupNanos = plan.warmup().toNanos();
    Phases phases =
        new Phases(
            System.nanoTime(), warmupNanos, plan.duration().toNanos(), plan.timeout().toNanos());

    List<Thread> threads = new ArrayList<>();
    List<NioLoop> nioLoops = new ArrayList<>();
    JdkEngine[] jdk = new JdkEngine[1];
    if (plan.client() == LoadPlan.Client.NIO) {
      URI url = plan.url();
      int port = url.getPort() < 0 ? 80 : url.getPort();
      String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
      if (url.getRawQuery() != null) {
        path += "?" + url.getRawQuery();
      }
      String hostHeader = url.getPort() < 0 ? url.getHost() : url.getHost() + ":" + port;
      InetSocketAddress address = new InetSocketAddress(url.getHost(), port);
      int total = plan.openLoop() ? plan.connections() : plan.concurrency();
      double base = plan.openLoop() ? 1e9 / plan.rate() : 0;
      for (int i = 0; i < loops; i++) {
        NioLoop loop =
            new NioLoop(
                phases,
                deliveries.get(i),
                address,
                hostHeader,
                path,
                plan.openLoop(),
                total / loops + (i < total % loops ? 1 : 0),
                Math.round(base * loops),
                Math.round(base * i));
        nioLoops.add(loop);
        threads.add(new Thread(loop, "load-" + (i + 1)));
      }
    } else {
      jdk[0] = new JdkEngine(plan, phases, deliveries.get(0));
      threads.add(
          new Thread(
              () -> {
                try {
                  jdk[0].run();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "load-1"));
    }
    threads.forEach(Thread::start);

    List<Double> warmupRates = new ArrayList<>();
    try {
      watchWarmup(plan, phases, warmupRates);
      long cpuStart = processCpuNanos();
      long measureStart = phases.measureStart();
      sleepUntil(phases.end());
      long cpuEnd = processCpuNanos();
      for (Thread t : threads) {
        t.join();
      }
      Stats total = new Stats();
      for (NioLoop loop : nioLoops) {
        total.add(loop.measured);
      }
      if (jdk[0] != null) {
        total.add(jdk[0].measured);
      }
      double seconds = plan.duration().toNanos() / 1e9;
      double cpu =
          cpuStart < 0 || cpuEnd < 0 ? 0 : (cpuEnd - cpuStart) / (double) plan.duration().toNanos();
      return LoadResult.of(
          plan,
          seconds,
          total,
          cpu,
          (measureStart - phases.start) / 1e9,
          warmupRates,
          phases.completions.sum());
    } finally {
      for (Thread t : threads) {
        if (t.isAlive()) {
          t.interrupt();
        }
      }
    }
  }

  /** Samples the warm-up's rate per window and, if asked, ends it once the rate is flat. */
  private static void watchWarmup(LoadPlan plan, Phases phases, List<Double> rates)
      throws InterruptedException {
    long window = TimeUnit.SECONDS.toNanos(WINDOW_SECONDS);
    long windowStart = phases.start;
    long count = phases.completions.sum();
    while (true) {
      long windowEnd = windowStart + window;
      if (windowEnd - phases.measureStart() > 0) {
        sleepUntil(phases.measureStart());
        return;
      }
      sleepUntil(windowEnd);
      long now = System.nanoTime();
      long c = phases.completions.sum();
      rates.add((c - count) * 1e9 / (now - windowStart));
      count = c;
      windowStart = now;
      if (plan.warmupPlateau() && !plan.openLoop() && flat(rates)) {
        phases.endWarmup(now);
        return;
      }
    }
  }

  /** Whether the last windows have stopped beating the best window before them. */
  static boolean flat(List<Double> rates) {
    int n = rates.size();
    if (n < PLATEAU_WINDOWS + 1) {
      return false;
    }
    double before = 0;
    for (int i = 0; i < n - PLATEAU_WINDOWS; i++) {
      before = Math.max(before, rates.get(i));
    }
    double recent = 0;
    for (int i = n - PLATEAU_WINDOWS; i < n; i++) {
      recent = Math.max(recent, rates.get(i));
    }
    return recent <= before * PLATEAU_GAIN;
  }

  private static void sleepUntil(long deadline) throws InterruptedException {
    long wait;
    while ((wait = deadline - System.nanoTime()) > 0) {
      TimeUnit.NANOSECONDS.sleep(Math.min(wait, 100_000_000L));
    }
  }

  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }
}
