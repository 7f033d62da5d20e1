package dev.stripeinbox.server.load;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * The measured part of a load run.
 *
 * @param plan what was run
 * @param seconds how long the measured part lasted
 * @param requests deliveries counted: answered with any status, or failed
 * @param status2xx answered 2xx
 * @param status3xx answered 3xx (not followed; Stripe counts them as failures)
 * @param status4xx answered 4xx
 * @param status5xx answered 5xx
 * @param statusOther answered with another status
 * @param errors no answer: connection failures and timeouts
 * @param timeouts of the errors, no answer within the timeout
 * @param duplicatesSent deliveries that resent an earlier event id
 * @param duplicateAcks 2xx answers whose body said {@code "duplicate":true}
 * @param latencyMicros latency of answered deliveries, in microseconds
 * @param clientCpu CPU time the load generator used, in cores (1.0 is one core busy)
 * @param warmupSeconds how long the warm-up lasted
 * @param warmupRates deliveries per second in each warm-up window
 * @param firstFailure the first non-2xx answer or error, or null
 * @param allRequests every delivery of the run, warm-up included
 */
public record LoadResult(
    LoadPlan plan,
    double seconds,
    long requests,
    long status2xx,
    long status3xx,
    long status4xx,
    long status5xx,
    long statusOther,
    long errors,
    long timeouts,
    long duplicatesSent,
    long duplicateAcks,
    Histogram latencyMicros,
    double clientCpu,
    double warmupSeconds,
    List<Double> warmupRates,
    String firstFailure,
    long allRequests) {

  static LoadResult of(
      LoadPlan plan,
      double seconds,
      Stats s,
      double clientCpu,
      double warmupSeconds,
      List<Double> warmupRates,
      long allRequests) {
    return new LoadResult(
        plan,
        seconds,
        s.requests(),
        s.status2xx,
        s.status3xx,
        s.status4xx,
        s.status5xx,
        s.statusOther,
        s.errors,
        s.timeouts,
        s.duplicatesSent,
        s.duplicateAcks,
        s.latencyMicros,
        clientCpu,
        warmupSeconds,
        List.copyOf(warmupRates),
        s.firstFailure,
        allRequests);
  }

  /** Deliveries per second, whatever their answer. */
  public double throughput() {
    return seconds > 0 ? requests / seconds : 0;
  }

  /** 2xx answers per second. */
  public double okThroughput() {
    return seconds > 0 ? status2xx / seconds : 0;
  }

  /** Deliveries that were not 2xx, errors included. */
  public long non2xx() {
    return requests - status2xx;
  }

  /** The share of deliveries that resent an earlier event id. */
  public double duplicateShare() {
    return requests == 0 ? 0 : (double) duplicatesSent / requests;
  }

  /** Deliveries that carried an event id of their own. */
  public long distinctIds() {
    return requests - duplicatesSent;
  }

  /** The latency at {@code percentile} (0 to 100) in milliseconds; 0 with no answers. */
  public double latencyMillis(double percentile) {
    if (latencyMicros.getTotalCount() == 0) {
      return 0;
    }
    return latencyMicros.getValueAtPercentile(percentile) / 1000.0;
  }

  public double maxLatencyMillis() {
    return latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getMaxValue() / 1000.0;
  }

  public double meanLatencyMillis() {
    return latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getMean() / 1000.0;
  }

  /** A few lines for people. */
  public String toText() {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "target      %s (%s, %s client, %d thread%s)%n",
            plan.url(),
            mode(),
            plan.client().name().toLowerCase(Locale.ROOT),
            plan.threads(),
            plan.threads() == 1 ? "" : "s"));
    if (warmupSeconds > 0) {
      out.append(
          String.format(
              Locale.ROOT,
              "warm-up     %.1f s, not recorded%s%n",
              warmupSeconds,
              warmupRates.isEmpty() ? "" : " (req/s per 5 s: " + rates() + ")"));
    }
    out.append(
        String.format(
            Locale.ROOT,
            "requests    %d in %.2f s = %.1f req/s (%.1f 2xx/s)%n",
            requests,
            seconds,
            throughput(),
            okThroughput()));
    out.append(
        String.format(
            Locale.ROOT,
            "status      2xx %d, 3xx %d, 4xx %d, 5xx %d, other %d, errors %d (timeouts %d)%n",
            status2xx,
            status3xx,
            status4xx,
            status5xx,
            statusOther,
            errors,
            timeouts));
    out.append(
        String.format(
            Locale.ROOT,
            "duplicates  %d sent (%.1f%%, asked %.1f%%), %d answered as duplicate; %d distinct"
                + " event ids%n",
            duplicatesSent,
            100 * duplicateShare(),
            100 * plan.duplicates(),
            duplicateAcks,
            distinctIds()));
    out.append(
        String.format(
            Locale.ROOT,
            "latency ms  p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%s%n",
            latencyMillis(50),
            latencyMillis(90),
            latencyMillis(99),
            latencyMillis(99.9),
            maxLatencyMillis(),
            plan.openLoop() ? " (from the intended send time)" : ""));
    out.append(String.format(Locale.ROOT, "client cpu  %.2f cores%n", clientCpu));
    if (firstFailure != null) {
      out.append("first fail  ").append(oneLine(firstFailure)).append(System.lineSeparator());
    }
    return out.toString();
  }

  private String mode() {
    return plan.openLoop()
        ? "open loop at " + plan.rate() + "/s, up to " + plan.connections() + " connections"
        : "closed loop, " + plan.concurrency() + " connections";
  }

  private String rates() {
    StringBuilder out = new StringBuilder();
    for (double r : warmupRates) {
      if (out.length() > 0) {
        out.append(' ');
      }
      out.append(Math.round(r));
    }
    return out.toString();
  }

  /** One JSON object, for scripts. */
  public String toJson() {
    StringBuilder j = new StringBuilder(1024);
    j.append('{');
    field(j, "url", plan.url().toString());
    j.append(',');
    field(j, "mode", plan.openLoop() ? "open" : "closed");
    j.append(',');
    field(j, "client", plan.client().name().toLowerCase(Locale.ROOT));
    j.append(",\"rate\":").append(plan.openLoop() ? Integer.toString(plan.rate()) : "null");
    j.append(",\"concurrency\":").append(plan.openLoop() ? "null" : plan.concurrency());
    j.append(",\"connections\":").append(plan.openLoop() ? plan.connections() : plan.concurrency());
    j.append(",\"threads\":").append(plan.threads());
    j.append(",\"types\":");
    quote(j, plan.mix().toString());
    j.append(",\"duration_s\":").append(num(seconds));
    j.append(",\"warmup_s\":").append(num(warmupSeconds));
    j.append(",\"warmup_rates\":[");
    for (int i = 0; i < warmupRates.size(); i++) {
      j.append(i == 0 ? "" : ",").append(num(warmupRates.get(i)));
    }
    j.append("],\"requests\":").append(requests);
    j.append(",\"all_requests\":").append(allRequests);
    j.append(",\"throughput\":").append(num(throughput()));
    j.append(",\"ok_throughput\":").append(num(okThroughput()));
    j.append(",\"status\":{\"2xx\":").append(status2xx);
    j.append(",\"3xx\":").append(status3xx);
    j.append(",\"4xx\":").append(status4xx);
    j.append(",\"5xx\":").append(status5xx);
    j.append(",\"other\":").append(statusOther);
    j.append(",\"errors\":").append(errors);
    j.append(",\"timeouts\":").append(timeouts);
    j.append("},\"non_2xx\":").append(non2xx());
    j.append(",\"duplicates\":{\"requested\":").append(num(plan.duplicates()));
    j.append(",\"sent\":").append(duplicatesSent);
    j.append(",\"share\":").append(num(duplicateShare()));
    j.append(",\"acknowledged\":").append(duplicateAcks);
    j.append("},\"distinct_ids\":").append(distinctIds());
    j.append(",\"latency_ms\":{\"p50\":").append(num(latencyMillis(50)));
    j.append(",\"p90\":").append(num(latencyMillis(90)));
    j.append(",\"p99\":").append(num(latencyMillis(99)));
    j.append(",\"p99_9\":").append(num(latencyMillis(99.9)));
    j.append(",\"max\":").append(num(maxLatencyMillis()));
    j.append(",\"mean\":").append(num(meanLatencyMillis()));
    j.append("},\"client_cpu\":").append(num(clientCpu));
    j.append(",\"first_failure\":");
    if (firstFailure == null) {
      j.append("null");
    } else {
      quote(j, oneLine(firstFailure));
    }
    j.append('}');
    return j.toString();
  }

  private static void field(StringBuilder j, String name, String value) {
    quote(j, name);
    j.append(':');
    quote(j, value);
  }

  private static void quote(StringBuilder j, String value) {
    j.append('"').append(JsonStringEncoder.getInstance().quoteAsString(value)).append('"');
  }

  private static String num(double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return "null";
    }
    return String.format(Locale.ROOT, "%.3f", value);
  }

  private static String oneLine(String s) {
    return s.replaceAll("[\\r\\n\\t]+", " ").strip();
  }
}
