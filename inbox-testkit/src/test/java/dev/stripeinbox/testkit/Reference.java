package dev.stripeinbox.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference files that sit beside the repository in {@code shared/reference/stripe/}. Tests
 * read them to check coverage; the library itself never does. Found through the system property
 * {@code stripe.reference.dir}, else by walking up from the working directory.
 */
final class Reference {
  private Reference() {}

  static Path file(String name) {
    List<Path> tried = new ArrayList<>();
    String configured = System.getProperty("stripe.reference.dir");
    if (configured != null) {
      tried.add(Path.of(configured).resolve(name));
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      tried.add(dir.resolve("shared/reference/stripe").resolve(name));
    }
    for (Path candidate : tried) {
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    return fail(
        "reference file "
            + name
            + " is missing; set -Dstripe.reference.dir or put shared/ beside the repository."
            + " Looked at "
            + tried);
  }

  static List<String> lines(String name) {
    try {
      List<String> lines = new ArrayList<>();
      for (String line : Files.readAllLines(file(name), StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          lines.add(line.strip());
        }
      }
      return lines;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String text(String name) {
    try {
      return Files.readString(file(name), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
