package dev.stripeinbox.testkit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What {@link EventTemplates#build} needs besides the event type: the time of the event, an
 * optional Connect account, and {@code path=value} overrides. Immutable and thread-safe; the {@code
 * with...} methods return a new instance.
 *
 * <pre>{@code
 * TriggerOptions options = TriggerOptions.at(Instant.now())
 *     .withAccount("acct_1PgafTB7WZ01zgkW")
 *     .withOverride("data.object.amount=500")
 *     .withOverride("data.object.metadata.order_id=6735");
 * }</pre>
 */
public final class TriggerOptions {
  private static final Pattern ACCOUNT = Pattern.compile("acct_[A-Za-z0-9]+");

  private final Instant now;
  private final Optional<String> account;
  private final List<String> overrides;

  private TriggerOptions(Instant now, Optional<String> account, List<String> overrides) {
    this.now = now;
    this.account = account;
    this.overrides = List.copyOf(overrides);
  }

  /** Options for an event created at {@code now}, with no account and no overrides. */
  public static TriggerOptions at(Instant now) {
    return new TriggerOptions(Objects.requireNonNull(now, "now"), Optional.empty(), List.of());
  }

  /** The same options for an event created at {@code now}; used to send a series. */
  public TriggerOptions withNow(Instant now) {
    return new TriggerOptions(Objects.requireNonNull(now, "now"), account, overrides);
  }

  /**
   * Makes the event a Connect event about {@code account}: the top-level {@code "account"} field is
   * set (and an {@code account.updated} object gets that id).
   *
   * @throws IllegalArgumentException unless the id looks like {@code acct_...}
   */
  public TriggerOptions withAccount(String account) {
    if (account == null || !ACCOUNT.matcher(account).matches()) {
      throw new IllegalArgumentException(
          "account must look like acct_1PgafTB7WZ01zgkW, got \"" + account + "\"");
    }
    return new TriggerOptions(now, Optional.of(account), overrides);
  }

  /**
   * Adds an override applied to the finished event, in order. The path is dotted from the top of
   * the event ({@code data.object.amount}, {@code data.object.items.data.0.quantity}); a numeric
   * segment indexes an array, and missing or null objects along the path are created. The value is
   * a JSON number, {@code true}, {@code false} or {@code null} when it reads as one, the content of
   * a double-quoted JSON string ({@code "\"500\""} is the string 500), and otherwise the text as
   * written.
   *
   * @throws IllegalArgumentException when there is no {@code =} or nothing before it
   */
  public TriggerOptions withOverride(String pathEqualsValue) {
    if (pathEqualsValue == null || pathEqualsValue.indexOf('=') <= 0) {
      throw new IllegalArgumentException(
          "override must look like path=value, e.g. data.object.amount=500, got \""
              + pathEqualsValue
              + "\"");
    }
    List<String> more = new ArrayList<>(overrides);
    more.add(pathEqualsValue);
    return new TriggerOptions(now, account, more);
  }

  /** Adds every override in {@code pathEqualsValues}, in order; see {@link #withOverride}. */
  public TriggerOptions withOverrides(List<String> pathEqualsValues) {
    TriggerOptions options = this;
    for (String override : pathEqualsValues) {
      options = options.withOverride(override);
    }
    return options;
  }

  public Instant now() {
    return now;
  }

  public Optional<String> account() {
    return account;
  }

  /** The overrides as given, each {@code path=value}. */
  public List<String> overrides() {
    return overrides;
  }

  @Override
  public String toString() {
    return "TriggerOptions{now=" + now + ", account=" + account + ", overrides=" + overrides + "}";
  }
}
