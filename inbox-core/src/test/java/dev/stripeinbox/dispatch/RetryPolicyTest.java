package dev.stripeinbox.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class RetryPolicyTest {
  private static final Instant RECEIVED = Instant.parse("2026-11-30T10:00:00Z");
  private static final Instant NOW = RECEIVED.plusSeconds(5);
  private static final RetryPolicy NO_JITTER = RetryPolicy.defaults().withJitter(0);

  private static Optional<Instant> next(RetryPolicy policy, int attempt, Duration atLeast) {
    return policy.nextAttempt(attempt, RECEIVED, NOW, atLeast, () -> 0.5);
  }

  @Test
  void defaultsDoubleFromOneSecondUpToOneHour() {
    assertThat(NO_JITTER.delayAfter(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(NO_JITTER.delayAfter(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(NO_JITTER.delayAfter(5)).isEqualTo(Duration.ofSeconds(16));
    assertThat(NO_JITTER.delayAfter(12)).isEqualTo(Duration.ofSeconds(2048));
    assertThat(NO_JITTER.delayAfter(13)).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void jitterRemovesAtMostItsShareOfTheDelay() {
    RetryPolicy policy = RetryPolicy.defaults(); // 20% jitter
    assertThat(policy.nextAttempt(3, RECEIVED, NOW, () -> 0.0)).contains(NOW.plusSeconds(4));
    assertThat(policy.nextAttempt(3, RECEIVED, NOW, () -> 0.999_999))
        .hasValueSatisfying(t -> assertThat(t).isAfter(NOW.plusMillis(3_199)));
  }

  @Test
  void theLastAttemptAndTheAgeLimitMakeTheJobDead() {
    assertThat(next(NO_JITTER.withMaxAttempts(3), 3, Duration.ZERO)).isEmpty();
    assertThat(next(NO_JITTER.withMaxAttempts(3), 2, Duration.ZERO)).isPresent();
    assertThat(next(NO_JITTER.withMaxAge(Duration.ofSeconds(6)), 1, Duration.ZERO))
        .contains(NOW.plusSeconds(1));
    assertThat(next(NO_JITTER.withMaxAge(Duration.ofSeconds(6)), 2, Duration.ZERO)).isEmpty();
  }

  @Test
  void anAskedDelayLongerThanTheBackoffIsWaited() {
    assertThat(next(NO_JITTER, 1, Duration.ofSeconds(30))).contains(NOW.plusSeconds(30));
  }

  @Test
  void aBackoffLongerThanTheAskedDelayStands() {
    assertThat(next(NO_JITTER, 6, Duration.ofSeconds(2))).contains(NOW.plusSeconds(32));
    assertThat(next(NO_JITTER, 1, Duration.ZERO)).contains(NOW.plusSeconds(1));
  }

  @Test
  void anAskedDelayIsCappedAtMaxDelay() {
    RetryPolicy policy =
        new RetryPolicy(5, Duration.ofMillis(100), 2, Duration.ofMinutes(5), Duration.ofDays(3), 0);
    assertThat(next(policy, 1, Duration.ofDays(2))).contains(NOW.plus(Duration.ofMinutes(5)));
    assertThat(next(policy, 1, Duration.ofSeconds(Long.MAX_VALUE)))
        .contains(NOW.plus(Duration.ofMinutes(5)));
  }

  @Test
  void anAskedDelayDoesNotOutliveTheAttemptOrAgeLimits() {
    assertThat(next(NO_JITTER.withMaxAttempts(2), 2, Duration.ofSeconds(1))).isEmpty();
    assertThat(next(NO_JITTER.withMaxAge(Duration.ofMinutes(1)), 1, Duration.ofMinutes(2)))
        .isEmpty();
  }

  @Test
  void aNegativeAskedDelayIsIgnored() {
    assertThat(next(NO_JITTER, 1, Duration.ofSeconds(-30))).contains(NOW.plusSeconds(1));
  }

  @Test
  void delaysTooLongForMillisecondsSaturateInsteadOfOverflowing() {
    // 999999999999d is the longest a config file's duration can spell: 8.6e16 s.
    Duration huge = Duration.ofDays(999_999_999_999L);
    Instant latest = Instant.ofEpochMilli(Long.MAX_VALUE);
    RetryPolicy hugeDelay =
        new RetryPolicy(12, Duration.ofSeconds(1), 2, huge, Duration.ofDays(3), 0);
    RetryPolicy hugeEverything = new RetryPolicy(12, huge, 2, huge, huge, 0);

    assertThat(hugeDelay.delayAfter(64)).isEqualTo(Duration.ofMillis(Long.MAX_VALUE));
    assertThat(next(hugeDelay, 1, Duration.ZERO)).contains(NOW.plusSeconds(1));
    assertThat(next(hugeDelay, 30, Duration.ZERO)).as("past the age limit").isEmpty();
    assertThat(next(hugeEverything, 1, Duration.ZERO)).contains(latest);
    assertThat(next(hugeEverything, 1, Duration.ofSeconds(Long.MAX_VALUE))).contains(latest);
    assertThat(next(NO_JITTER.withMaxAge(Duration.ofSeconds(Long.MAX_VALUE)), 1, Duration.ZERO))
        .contains(NOW.plusSeconds(1));
  }

  @Test
  void invalidPoliciesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> NO_JITTER.withMaxAttempts(0));
    assertThrows(IllegalArgumentException.class, () -> NO_JITTER.withJitter(1.5));
    assertThrows(IllegalArgumentException.class, () -> NO_JITTER.withMaxAge(Duration.ZERO));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new RetryPolicy(
                3, Duration.ofSeconds(2), 2, Duration.ofSeconds(1), Duration.ofDays(1), 0));
  }
}
