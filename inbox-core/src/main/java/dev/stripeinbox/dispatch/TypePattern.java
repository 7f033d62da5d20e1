package dev.stripeinbox.dispatch;

import java.util.Objects;

/**
 * An event-type pattern: exact ({@code invoice.paid}), prefix ({@code invoice.*}, which matches
 * {@code invoice.paid} and {@code invoice.payment_failed} but not {@code invoiceitem.created}) or
 * all ({@code *}). Immutable and thread-safe.
 */
public final class TypePattern {
  private final String pattern;
  private final String prefix; // "invoice." for "invoice.*", "" for "*", null when exact

  private TypePattern(String pattern, String prefix) {
    this.pattern = pattern;
    this.prefix = prefix;
  }

  /**
   * Parses a pattern.
   *
   * @throws IllegalArgumentException when it is empty, has spaces, or a {@code *} anywhere but as
   *     the whole pattern or after a final dot
   */
  public static TypePattern parse(String pattern) {
    Objects.requireNonNull(pattern, "pattern");
    if (pattern.isEmpty() || pattern.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("invalid event type pattern \"" + pattern + "\"");
    }
    if (pattern.equals("*")) {
      return new TypePattern(pattern, "");
    }
    int star = pattern.indexOf('*');
    if (star < 0) {
      return new TypePattern(pattern, null);
    }
    if (star != pattern.length() - 1 || !pattern.endsWith(".*")) {
      throw new IllegalArgumentException(
          "invalid event type pattern \""
              + pattern
              + "\": use an exact type, a prefix such as invoice.*, or *");
    }
    return new TypePattern(pattern, pattern.substring(0, pattern.length() - 1));
  }

  /** Whether an event of this type matches. */
  public boolean matches(String type) {
    return prefix == null ? pattern.equals(type) : type.startsWith(prefix);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TypePattern other && other.pattern.equals(pattern);
  }

  @Override
  public int hashCode() {
    return pattern.hashCode();
  }

  @Override
  public String toString() {
    return pattern;
  }
}
