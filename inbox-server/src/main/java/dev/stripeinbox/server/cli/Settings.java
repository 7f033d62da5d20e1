package dev.stripeinbox.server.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads settings the way every command does: the flag if given, else the environment variable, else
 * the default; and parses durations ({@code 300s}, {@code 5m}, {@code 30d}, {@code 250ms}) and
 * sizes ({@code 1MiB}, {@code 512KiB}, {@code 1048576}) with errors that name the setting.
 */
public final class Settings {
  private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");
  private static final Pattern SIZE = Pattern.compile("(\\d{1,12})(b|kib|kb|mib|mb|gib|gb)?");

  /**
   * The longest duration any setting takes: ten years. More is a typo, and would overflow the
   * milliseconds and nanoseconds that timers and the store count in.
   */
  static final Duration MAX_DURATION = Duration.ofDays(3650);

  private static final long MAX_SIZE = 256L * 1024 * 1024;

  private final Map<String, String> env;

  public Settings(Map<String, String> env) {
    this.env = env;
  }

  /** The flag's value, else the environment's, else null. Blank environment values are unset. */
  public String resolve(String flagValue, String envName) {
    if (flagValue != null) {
      return flagValue;
    }
    String fromEnv = envName == null ? null : env.get(envName);
    return fromEnv == null || fromEnv.isBlank() ? null : fromEnv.strip();
  }

  /** How a setting is named in messages: {@code --port (PORT)}. */
  public static String name(String flag, String envName) {
    return envName == null ? flag : flag + " (" + envName + ")";
  }

  /**
   * The secrets of a comma-separated list, such as {@code STRIPE_WEBHOOK_SECRET}'s, each stripped.
   * An empty item is refused, not skipped: {@code ","} or a stray comma is a mistake, and skipping
   * it could leave no secret at all.
   */
  public static List<String> secrets(String value, String setting) {
    List<String> out = new ArrayList<>();
    for (String part : value.split(",", -1)) {
      String secret = part.strip();
      if (secret.isEmpty()) {
        throw new SettingException(setting + ": a secret is empty");
      }
      out.add(secret);
    }
    return out;
  }

  /**
   * A database location: a SQLite file path or a {@code jdbc:postgresql://} URL. An empty name and
   * SQLite's in-memory databases are refused here, by the setting's name: SQLite would give each
   * connection a database of its own, which the store refuses later with a less helpful message,
   * and nothing in memory survives a restart.
   */
  public static String database(String value, String setting) {
    if (value.isBlank()) {
      throw new SettingException(
          setting + ": is empty; give a SQLite file path or a jdbc:postgresql:// URL");
    }
    if (value.strip().equals(":memory:") || value.contains("mode=memory")) {
      throw new SettingException(
          setting
              + ": an in-memory SQLite database cannot keep events; give a file path such as"
              + " stripe-inbox.db");
    }
    return value;
  }

  public static Duration duration(String value, String setting) {
    Matcher m = DURATION.matcher(value.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new SettingException(
          setting + ": \"" + value + "\" is not a duration such as 250ms, 300s, 5m, 1h or 30d");
    }
    long n = Long.parseLong(m.group(1));
    Duration d =
        switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
    if (d.compareTo(MAX_DURATION) > 0) {
      throw new SettingException(setting + ": must be at most 3650d, was " + value);
    }
    return d;
  }

  public static Duration positiveDuration(String value, String setting) {
    Duration d = duration(value, setting);
    if (d.isZero()) {
      throw new SettingException(setting + ": must be more than zero");
    }
    return d;
  }

  /** A duration of at least {@code minimum}, given in whole seconds or milliseconds. */
  public static Duration durationAtLeast(String value, String setting, Duration minimum) {
    Duration d = duration(value, setting);
    if (d.compareTo(minimum) < 0) {
      String least =
          minimum.toMillis() % 1000 == 0 ? minimum.toSeconds() + "s" : minimum.toMillis() + "ms";
      throw new SettingException(setting + ": must be at least " + least + ", was " + value);
    }
    return d;
  }

  /**
   * A signature tolerance: at least 1s, because a signature's {@code t} and the comparison with now
   * are in whole seconds.
   */
  public static Duration tolerance(String value, String setting) {
    return durationAtLeast(value, setting, Duration.ofSeconds(1));
  }

  /**
   * A bearer token for the admin API: at least 16 printable ASCII characters without spaces, so
   * that it is not guessed and survives an {@code Authorization} header unchanged.
   */
  public static String adminToken(String value, String setting) {
    if (value.length() < 16 || value.chars().anyMatch(c -> c <= ' ' || c > '~')) {
      throw new SettingException(setting + ": use at least 16 printable characters without spaces");
    }
    return value;
  }

  public static int size(String value, String setting) {
    Matcher m = SIZE.matcher(value.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new SettingException(
          setting + ": \"" + value + "\" is not a size such as 1MiB, 512KiB or 65536");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2);
    long unitBytes =
        switch (unit) {
          case "kib" -> 1024;
          case "kb" -> 1000;
          case "mib" -> 1024 * 1024;
          case "mb" -> 1000 * 1000;
          case "gib" -> 1024 * 1024 * 1024;
          case "gb" -> 1000 * 1000 * 1000;
          default -> 1;
        };
    // Compared before multiplying: twelve digits of gigabytes overflow a long.
    if (n < 1 || n > MAX_SIZE / unitBytes) {
      throw new SettingException(setting + ": must be between 1 byte and 256MiB, was " + value);
    }
    return (int) (n * unitBytes);
  }

  public static int port(String value, String setting) {
    int port;
    try {
      port = Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      throw new SettingException(setting + ": \"" + value + "\" is not a port number");
    }
    if (port < 0 || port > 65535) {
      throw new SettingException(setting + ": " + port + " is not between 0 and 65535");
    }
    return port;
  }

  /** A whole number from 1 to {@code max}. */
  public static int positiveInt(String value, String setting, int max) {
    int n = positiveInt(value, setting);
    if (n > max) {
      throw new SettingException(setting + ": must be at most " + max + ", was " + value);
    }
    return n;
  }

  public static int positiveInt(String value, String setting) {
    try {
      int n = Integer.parseInt(value.strip());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new SettingException(setting + ": \"" + value + "\" is not a positive whole number");
  }
}
