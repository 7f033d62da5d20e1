package dev.stripeinbox.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Prints the one table of a {@code bench/run}: reads the {@code load --json} results and the
 * start-up times from its output folder, takes medians across rounds, and checks the bars of the
 * performance issue. Every ratio is between figures of the same run.
 *
 * <p>Files read: {@code meta.txt} ({@code key=value} lines), {@code ingest-SERVER-N.json}, {@code
 * latency-RATE.json}, {@code startup.txt} (one figure in ms per line), {@code handoff.json} and
 * {@code handoff-load.json} (the {@link HandoffServer}'s figures and the load that drove it), and
 * {@code forward-ingest.json}, {@code forward-sink-end.json}, {@code forward-sink.json} and {@code
 * forward-cpu.txt} (the backlog's ingest, the {@link SinkServer}'s counts when it ended and once
 * drained, and the server's CPU time).
 */
public final class BenchReport {
  private static final Map<String, String> NAMES = new LinkedHashMap<>();

  static {
    NAMES.put("ours", "stripe-inbox (SQLite, synchronous=FULL)");
    NAMES.put("baseline", "baseline: quickstart logic, nothing stored");
    NAMES.put("noop", "limit: no-op POST");
    NAMES.put("ours256", "stripe-inbox with -Xmx256m");
  }

  private BenchReport() {}

  /**
   * @param cpuMicros median server CPU per delivery while the rounds ran, in microseconds
   * @param drainedCpuMicros the same, counting until the server was idle again
   */
  record Ingest(
      List<Double> rates,
      double median,
      JsonObject medianRun,
      long non2xx,
      double cpuMicros,
      double drainedCpuMicros) {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : ".");
    Map<String, String> meta = meta(dir.resolve("meta.txt"));
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            "stripe-inbox benchmark, %s, commit %s%n",
            meta.getOrDefault("date", "?"), meta.getOrDefault("commit", "?")));
    out.append(
        String.format(
            "machine: %s; server on CPU %s, load generator on CPU %s; load average before %s,"
                + " after %s%n",
            meta.getOrDefault("machine", "?"),
            meta.getOrDefault("server_cpu", "?"),
            meta.getOrDefault("client_cpu", "?"),
            meta.getOrDefault("load_before", "?"),
            meta.getOrDefault("load_after", "?")));
    out.append(String.format("command: %s%n%n", meta.getOrDefault("command", "bench/run")));

    Map<String, Ingest> ingest = new LinkedHashMap<>();
    for (String server : NAMES.keySet()) {
      Ingest i = ingest(dir, server);
      if (i != null) {
        ingest.put(server, i);
      }
    }
    Ingest ours = ingest.get("ours");
    if (!ingest.isEmpty()) {
      out.append(
          String.format(
              "Ingest: closed loop, %s connections, every delivery a new event id; median of rounds%n",
              meta.getOrDefault("connections", "64")));
      out.append(
          String.format(
              "%-44s %9s  %-26s %7s %7s %7s %6s %7s %10s %9s %9s%n",
              "server",
              "req/s",
              "rounds",
              "p50 ms",
              "p99 ms",
              "non-2xx",
              "cpu*",
              "warm s",
              "ours/this",
              "us/req**",
              "+after**"));
      for (Map.Entry<String, Ingest> e : ingest.entrySet()) {
        Ingest i = e.getValue();
        JsonObject run = i.medianRun();
        out.append(
            String.format(
                Locale.ROOT,
                "%-44s %9.0f  %-26s %7.2f %7.2f %7d %6.2f %7s %10s %9.1f %9.1f%n",
                NAMES.get(e.getKey()),
                i.median(),
                rounds(i.rates()),
                latency(run, "p50"),
                latency(run, "p99"),
                i.non2xx(),
                run.get("client_cpu").getAsDouble(),
                warmup(dir, e.getKey()),
                ours == null ? "" : String.format(Locale.ROOT, "%.2f", ours.median() / i.median()),
                i.cpuMicros(),
                i.drainedCpuMicros()));
      }
      out.append("  * cpu: cores the load generator used (1.00 = its core saturated)\n");
      out.append(
          "  ** server CPU time per delivery, in microseconds: during the rounds, and until the"
              + " server was idle again\n     (stripe-inbox runs the jobs of a burst after answering"
              + " it); other load on the machine moves these less than req/s\n\n");
    }

    List<Path> latencyFiles = files(dir, "latency-");
    if (!latencyFiles.isEmpty()) {
      out.append("Ack latency of stripe-inbox, open loop (from the intended send time)\n");
      out.append(
          String.format(
              "%-12s %10s %8s %8s %8s %8s %8s %8s%n",
              "rate", "achieved", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "non-2xx"));
      for (Path p : latencyFiles) {
        JsonObject r = read(p);
        out.append(
            String.format(
                Locale.ROOT,
                "%-12s %10.0f %8.2f %8.2f %8.2f %8.2f %8.2f %8d%n",
                r.get("rate").getAsInt() + "/s",
                r.get("throughput").getAsDouble(),
                latency(r, "p50"),
                latency(r, "p90"),
                latency(r, "p99"),
                latency(r, "p99_9"),
                latency(r, "max"),
                r.get("non_2xx").getAsLong()));
      }
      out.append('\n');
    }

    JsonObject handoff = readIfExists(dir.resolve("handoff.json"));
    JsonObject handoffLoad = readIfExists(dir.resolve("handoff-load.json"));
    if (handoff != null && handoffLoad != null) {
      out.append(
          String.format(
              Locale.ROOT,
              "200 -> handler start (library, embedded server, SQLite synchronous=FULL, one"
                  + " subscriber for *), open loop at %d/s%n",
              handoffLoad.get("rate").getAsInt()));
      out.append(
          String.format(
              "%10s %8s %8s %8s %8s %8s %8s %12s %11s %8s%n",
              "achieved",
              "events",
              "p50 ms",
              "p90 ms",
              "p99 ms",
              "p99.9 ms",
              "max ms",
              "not started",
              "ack p99 ms",
              "non-2xx"));
      out.append(
          String.format(
              Locale.ROOT,
              "%10.0f %8d %8.2f %8.2f %8.2f %8.2f %8.2f %12d %11.2f %8d%n",
              handoffLoad.get("throughput").getAsDouble(),
              handoff.get("count").getAsLong(),
              latency(handoff, "p50"),
              latency(handoff, "p90"),
              latency(handoff, "p99"),
              latency(handoff, "p99_9"),
              latency(handoff, "max"),
              handoff.get("not_started").getAsLong(),
              latency(handoffLoad, "p99"),
              handoffLoad.get("non_2xx").getAsLong()));
      out.append(
          String.format(
              Locale.ROOT,
              "  from the 200 being ready (receive listener, after the commit) to the first line of"
                  + " the handler, same JVM;%n  the load's %.0f s warm-up left out (%d events);"
                  + " handler before its 200: %d%n%n",
              handoffLoad.get("warmup_s").getAsDouble(),
              handoff.get("excluded").getAsLong(),
              handoff.get("handler_before_200").getAsLong()));
    }

    Forward forward = forward(dir);
    if (forward != null) {
      out.append(
          String.format(
              Locale.ROOT,
              "Forwarding: stripe-inbox serve --forward-to a local sink (200 at once), %s"
                  + " connections ingesting for %.0f s%n",
              forward.ingest().get("connections").getAsInt(),
              forward.ingest().get("duration_s").getAsDouble()));
      out.append(
          String.format(
              Locale.ROOT,
              "  ingested %d events at %.0f/s (%d non-2xx); forwarded meanwhile %d at %.0f/s%n",
              forward.acknowledged(),
              forward.ingest().get("throughput").getAsDouble(),
              forward.ingest().get("non_2xx").getAsLong(),
              forward.duringIngest(),
              forward.ingestRate()));
      out.append(
          String.format(
              Locale.ROOT,
              "  drain after ingest: %d in %.2f s = %.0f/s; server CPU %.0f us per forwarded"
                  + " event (%.2f cores busy)%n",
              forward.drained(),
              forward.drainSeconds(),
              forward.drainRate(),
              forward.drainCpuMicros(),
              forward.drainCores()));
      out.append(
          String.format(
              Locale.ROOT,
              "  delivered %d (distinct ids %d) of %d acknowledged; bad signatures %d; first to last"
                  + " %.0f/s%n%n",
              forward.delivered(),
              forward.distinct(),
              forward.acknowledged(),
              forward.badSignatures(),
              forward.overallRate()));
    }

    List<Double> startup = startup(dir.resolve("startup.txt"));
    if (!startup.isEmpty()) {
      out.append(
          String.format(
              Locale.ROOT,
              "Start-up to first 200 (./stripe-inbox serve with its class data archive, new database):"
                  + " median %.0f ms"
                  + " of %s%n%n",
              median(startup),
              rounds(startup)));
    }

    out.append("Bars (issue 6)\n");
    Ingest baseline = ingest.get("baseline");
    Ingest noop = ingest.get("noop");
    if (ours != null && baseline != null) {
      bar(
          out,
          "ingest >= 3x baseline",
          ours.median() / baseline.median() >= 3,
          String.format(Locale.ROOT, "%.2fx", ours.median() / baseline.median()));
    }
    if (ours != null && noop != null) {
      bar(
          out,
          "ingest >= 60% of the no-op limit",
          ours.median() / noop.median() >= 0.6,
          String.format(Locale.ROOT, "%.0f%%", 100 * ours.median() / noop.median()));
    }
    if (ours != null) {
      bar(out, "ingest with zero non-2xx", ours.non2xx() == 0, ours.non2xx() + " non-2xx");
    }
    if (ours != null && baseline != null && !Double.isNaN(ours.cpuMicros())) {
      out.append(
          String.format(
              Locale.ROOT,
              "  %-46s %-8s %.2fx during the rounds, %.2fx with the jobs run after%n",
              "  same, by server CPU per delivery",
              "",
              baseline.cpuMicros() / ours.cpuMicros(),
              baseline.drainedCpuMicros() / ours.drainedCpuMicros()));
    }
    for (Path p : latencyFiles) {
      JsonObject r = read(p);
      int rate = r.get("rate").getAsInt();
      double limit = rate <= 1000 ? 10 : 25;
      double p99 = latency(r, "p99");
      bar(
          out,
          String.format(Locale.ROOT, "ack p99 at %d/s <= %.0f ms", rate, limit),
          p99 <= limit && r.get("non_2xx").getAsLong() == 0,
          String.format(Locale.ROOT, "%.2f ms, %d non-2xx", p99, r.get("non_2xx").getAsLong()));
    }
    Ingest small = ingest.get("ours256");
    if (small != null && baseline != null) {
      bar(
          out,
          "-Xmx256m: ingest bar without errors",
          small.non2xx() == 0 && small.median() / baseline.median() >= 3,
          String.format(
              Locale.ROOT,
              "%.0f req/s = %.2fx baseline, %d non-2xx",
              small.median(),
              small.median() / baseline.median(),
              small.non2xx()));
    }
    if (handoff != null && handoffLoad != null) {
      double p99 = latency(handoff, "p99");
      long count = handoff.get("count").getAsLong();
      long notStarted = handoff.get("not_started").getAsLong();
      long non2xx = handoffLoad.get("non_2xx").getAsLong();
      int rate = handoffLoad.get("rate").getAsInt();
      bar(
          out,
          String.format(Locale.ROOT, "200 -> handler start p99 <= 50 ms at %,d/s", rate),
          count > 0 && p99 <= 50 && notStarted == 0 && non2xx == 0 && rate >= 1000,
          String.format(
              Locale.ROOT,
              "%.2f ms over %d events, %d not started, %d non-2xx",
              p99,
              count,
              notStarted,
              non2xx));
    }
    if (forward != null) {
      boolean complete = forward.distinct() >= forward.acknowledged();
      bar(
          out,
          "forwarding >= 5,000 events/s",
          forward.sustainedRate() >= 5000 && complete && forward.badSignatures() == 0,
          String.format(
              Locale.ROOT,
              "%.0f/s %s; %d of %d delivered",
              forward.sustainedRate(),
              forward.drainSeconds() >= 1 ? "over the drain" : "(no backlog: kept up with ingest)",
              forward.distinct(),
              forward.acknowledged()));
    }
    if (!startup.isEmpty()) {
      bar(
          out,
          "start-up to first 200 <= 1 s",
          median(startup) <= 1000,
          String.format(Locale.ROOT, "%.0f ms", median(startup)));
    }
    System.out.print(out);
  }

  private static void bar(StringBuilder out, String name, boolean holds, String figure) {
    out.append(String.format("  %-46s %-8s %s%n", name, holds ? "holds" : "MISSED", figure));
  }

  /**
   * The forward step.
   *
   * @param ingest the load result of the backlog's ingest
   * @param acknowledged deliveries answered 2xx, so stored and to be forwarded
   * @param duringIngest forwarded by the end of the ingest
   * @param ingestRate forwarded per second from the first forwarded event to the end of the ingest
   * @param drained forwarded after the ingest ended
   * @param drainSeconds from the end of the ingest to the last forwarded event
   * @param delivered forwarded in all (a retried event counts again)
   * @param distinct distinct event ids forwarded
   * @param overallRate forwarded per second from the first forwarded event to the last
   * @param drainCpuMicros server CPU time per event forwarded after the ingest
   * @param drainCores server CPU time during the drain over its wall time
   */
  record Forward(
      JsonObject ingest,
      long acknowledged,
      long duringIngest,
      double ingestRate,
      long drained,
      double drainSeconds,
      long delivered,
      long distinct,
      long badSignatures,
      double overallRate,
      double drainCpuMicros,
      double drainCores) {
    double drainRate() {
      return drainSeconds > 0 ? drained / drainSeconds : Double.NaN;
    }

    /**
     * The sustained forwarding rate: over the drain, when the ingest left a backlog of at least a
     * second; otherwise forwarding kept up with the ingest, and the rate over the whole run is a
     * lower bound.
     */
    double sustainedRate() {
      return drainSeconds >= 1 ? drainRate() : overallRate;
    }
  }

  private static Forward forward(Path dir) throws IOException {
    JsonObject ingest = readIfExists(dir.resolve("forward-ingest.json"));
    JsonObject end = readIfExists(dir.resolve("forward-sink-end.json"));
    JsonObject sink = readIfExists(dir.resolve("forward-sink.json"));
    if (ingest == null || end == null || sink == null) {
      return null;
    }
    long acknowledged = ingest.getAsJsonObject("status").get("2xx").getAsLong();
    long during = end.get("deliveries").getAsLong();
    long delivered = sink.get("deliveries").getAsLong();
    double endMs = end.get("now_ms").getAsDouble();
    double ingestRate =
        during == 0 ? 0 : during / ((endMs - end.get("first_ms").getAsDouble()) / 1000);
    long drained = delivered - during;
    double drainSeconds =
        drained == 0 ? 0 : Math.max(0, (sink.get("last_ms").getAsDouble() - endMs) / 1000);
    double overall =
        delivered < 2
            ? 0
            : delivered
                / ((sink.get("last_ms").getAsDouble() - sink.get("first_ms").getAsDouble()) / 1000);
    Map<String, String> cpu = meta(dir.resolve("forward-cpu.txt"));
    double cpuMicros = Double.NaN;
    double cores = Double.NaN;
    if (!cpu.isEmpty() && drained > 0) {
      double drainCpuSeconds =
          Long.parseLong(cpu.get("drain_ticks")) / Double.parseDouble(cpu.get("ticks_per_second"));
      cpuMicros = drainCpuSeconds * 1e6 / drained;
      cores = drainCpuSeconds / Double.parseDouble(cpu.get("drain_wall_s"));
    }
    return new Forward(
        ingest,
        acknowledged,
        during,
        ingestRate,
        drained,
        drainSeconds,
        delivered,
        sink.get("distinct").getAsLong(),
        sink.get("bad_signature").getAsLong(),
        overall,
        cpuMicros,
        cores);
  }

  private static JsonObject readIfExists(Path p) throws IOException {
    return Files.exists(p) && Files.size(p) > 0 ? read(p) : null;
  }

  private static Ingest ingest(Path dir, String server) throws IOException {
    List<Path> files = files(dir, "ingest-" + server + "-");
    if (files.isEmpty()) {
      return null;
    }
    List<JsonObject> runs = new ArrayList<>();
    for (Path p : files) {
      runs.add(read(p));
    }
    runs.sort((a, b) -> Double.compare(throughput(a), throughput(b)));
    List<Double> rates = new ArrayList<>();
    long non2xx = 0;
    for (JsonObject r : runs) {
      rates.add(throughput(r));
      non2xx += r.get("non_2xx").getAsLong();
    }
    JsonObject median = runs.get((runs.size() - 1) / 2);
    List<Double> cpu = new ArrayList<>();
    List<Double> drained = new ArrayList<>();
    for (Path p : files) {
      Path ticks =
          p.resolveSibling(
              p.getFileName().toString().replace("ingest-", "cpu-").replace(".json", ".txt"));
      Map<String, String> t = meta(ticks);
      JsonElement all = read(p).get("all_requests");
      if (t.isEmpty() || all == null || all.getAsLong() == 0) {
        continue;
      }
      double perTick = 1e6 / Double.parseDouble(t.get("ticks_per_second")) / all.getAsLong();
      cpu.add(Long.parseLong(t.get("round_ticks")) * perTick);
      drained.add(Long.parseLong(t.get("drained_ticks")) * perTick);
    }
    return new Ingest(
        rates,
        median(rates),
        median,
        non2xx,
        cpu.isEmpty() ? Double.NaN : median(cpu),
        drained.isEmpty() ? Double.NaN : median(drained));
  }

  private static String warmup(Path dir, String server) throws IOException {
    Path p = dir.resolve("warmup-" + server + ".json");
    if (!Files.exists(p)) {
      return "";
    }
    return String.format(Locale.ROOT, "%.0f", read(p).get("warmup_s").getAsDouble());
  }

  private static double throughput(JsonObject r) {
    return r.get("throughput").getAsDouble();
  }

  private static double latency(JsonObject r, String key) {
    JsonElement e = r.getAsJsonObject("latency_ms").get(key);
    return e.isJsonNull() ? Double.NaN : e.getAsDouble();
  }

  private static String rounds(List<Double> values) {
    List<String> parts = new ArrayList<>();
    for (double v : values) {
      parts.add(String.format(Locale.ROOT, "%.0f", v));
    }
    return String.join(" ", parts);
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static List<Path> files(Path dir, String prefix) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith(prefix))
          .filter(p -> p.getFileName().toString().endsWith(".json"))
          .sorted(
              (a, b) -> {
                String x = a.getFileName().toString().replaceAll("\\D", "");
                String y = b.getFileName().toString().replaceAll("\\D", "");
                return x.isEmpty() || y.isEmpty()
                    ? a.compareTo(b)
                    : Long.compare(Long.parseLong(x), Long.parseLong(y));
              })
          .toList();
    }
  }

  private static JsonObject read(Path p) throws IOException {
    return JsonParser.parseString(Files.readString(p)).getAsJsonObject();
  }

  private static Map<String, String> meta(Path p) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    if (Files.exists(p)) {
      for (String line : Files.readAllLines(p)) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          out.put(line.substring(0, eq), line.substring(eq + 1));
        }
      }
    }
    return out;
  }

  private static List<Double> startup(Path p) throws IOException {
    List<Double> out = new ArrayList<>();
    if (Files.exists(p)) {
      for (String line : Files.readAllLines(p)) {
        if (!line.isBlank()) {
          out.add(Double.parseDouble(line.strip()));
        }
      }
    }
    return out;
  }
}
