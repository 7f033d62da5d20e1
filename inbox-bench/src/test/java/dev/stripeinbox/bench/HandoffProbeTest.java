package dev.stripeinbox.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HandoffProbeTest {
  static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  static JsonObject json(HandoffProbe probe) {
    return JsonParser.parseString(probe.json()).getAsJsonObject();
  }

  static double ms(JsonObject j, String key) {
    return j.getAsJsonObject("latency_ms").get(key).getAsDouble();
  }

  @Test
  void pairsTheAnswerWithTheHandlerStartInEitherOrder() {
    HandoffProbe probe = new HandoffProbe();
    long t = System.nanoTime();
    probe.answered("evt_1", t);
    probe.handlerStarted("evt_1", t + 3 * MS);
    probe.handlerStarted("evt_2", t + 5 * MS); // the handler before the listener
    probe.answered("evt_2", t + 7 * MS);

    JsonObject j = json(probe);
    assertThat(j.get("count").getAsLong()).isEqualTo(2);
    assertThat(j.get("handler_before_200").getAsLong()).isEqualTo(1);
    assertThat(ms(j, "max")).isBetween(2.99, 3.01);
    assertThat(ms(j, "p50")).isEqualTo(0.0);
    assertThat(j.get("not_started").getAsLong()).isZero();
    assertThat(j.get("unmatched").getAsLong()).isZero();
  }

  @Test
  void leavesOutTheWarmUpAndWhatCameBeforeTheReset() {
    HandoffProbe probe = new HandoffProbe();
    long t = System.nanoTime();
    probe.answered("evt_old", t);
    probe.reset(Duration.ofMillis(100));
    probe.handlerStarted("evt_old", t + MS); // answered before the reset

    long w = t + 10 * MS; // the window's first delivery; measurement starts 100 ms later
    probe.answered("evt_a", w);
    probe.handlerStarted("evt_a", w + 50 * MS);
    probe.answered("evt_b", w + 99 * MS);
    probe.handlerStarted("evt_b", w + 500 * MS);
    probe.answered("evt_c", w + 100 * MS);
    probe.handlerStarted("evt_c", w + 120 * MS);
    probe.answered("evt_d", w + 200 * MS); // handler not started yet

    JsonObject j = json(probe);
    assertThat(j.get("count").getAsLong()).isEqualTo(1);
    assertThat(ms(j, "p99")).isBetween(19.9, 20.1);
    assertThat(j.get("excluded").getAsLong()).isEqualTo(2);
    assertThat(j.get("unmatched").getAsLong()).isEqualTo(1);
    assertThat(j.get("not_started").getAsLong()).isEqualTo(1);
  }
}
