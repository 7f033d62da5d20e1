package dev.stripeinbox.dispatch;

import java.util.List;

/**
 * A set of {@link TypePattern}s; a type passes when any pattern matches. Immutable and thread-safe.
 */
public final class TypeFilter {
  private static final TypeFilter ALL = new TypeFilter(List.of(TypePattern.parse("*")));

  private final List<TypePattern> patterns;

  private TypeFilter(List<TypePattern> patterns) {
    this.patterns = List.copyOf(patterns);
  }

  /** The filter every type passes. */
  public static TypeFilter all() {
    return ALL;
  }

  /** Parses each pattern; an empty list is rejected, since it would pass nothing. */
  public static TypeFilter of(List<String> patterns) {
    if (patterns.isEmpty()) {
      throw new IllegalArgumentException("a type filter needs at least one pattern");
    }
    return new TypeFilter(patterns.stream().map(TypePattern::parse).toList());
  }

  public boolean matches(String type) {
    for (TypePattern pattern : patterns) {
      if (pattern.matches(type)) {
        return true;
      }
    }
    return false;
  }

  public List<TypePattern> patterns() {
    return patterns;
  }

  @Override
  public String toString() {
    return patterns.toString();
  }
}
