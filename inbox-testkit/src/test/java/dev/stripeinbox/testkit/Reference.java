package dev.stripeinbox.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Stripe's reference files, copied into this module's test resources under {@code
 * stripe-reference/} (their sources and licences are in {@code SOURCES.md} there). Tests read them
 * to check coverage; the library itself never does.
 */
final class Reference {
  private static final String DIRECTORY = "stripe-reference/";

  private Reference() {}

  static List<String> lines(String name) {
    return text(name)
        .lines()
        .filter(line -> !line.isBlank())
        .map(String::strip)
        .collect(Collectors.toList());
  }

  static String text(String name) {
    try (InputStream in = Reference.class.getClassLoader().getResourceAsStream(DIRECTORY + name)) {
      if (in == null) {
        throw new IllegalStateException(
            "test resource " + DIRECTORY + name + " is missing from inbox-testkit");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
