package dev.stripeinbox.testkit;

import java.util.List;

/**
 * Thrown by {@link EventTemplates#build} for a name it does not support. The message names the
 * unknown type and up to three supported names nearest to it, for example {@code unknown event type
 * "payment_intent.succeded"; did you mean payment_intent.succeeded?}, so a command line can print
 * it as it is.
 */
public final class UnknownEventTypeException extends IllegalArgumentException {
  private final String type;
  private final List<String> suggestions;

  UnknownEventTypeException(String type, List<String> suggestions) {
    super(message(type, suggestions));
    this.type = type;
    this.suggestions = List.copyOf(suggestions);
  }

  /** The name that was asked for. */
  public String type() {
    return type;
  }

  /** Up to three supported names nearest to {@link #type()}, nearest first; may be empty. */
  public List<String> suggestions() {
    return suggestions;
  }

  private static String message(String type, List<String> suggestions) {
    String unknown = "unknown event type \"" + type + "\"";
    if (suggestions.isEmpty()) {
      return unknown + "; see EventTemplates.types() (trigger --list) for the supported types";
    }
    return unknown + "; did you mean " + String.join(", ", suggestions) + "?";
  }
}
