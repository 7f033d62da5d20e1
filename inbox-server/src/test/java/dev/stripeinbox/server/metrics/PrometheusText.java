package dev.stripeinbox.server.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A parsed Prometheus text exposition: every sample with its labels, for exact assertions. */
final class PrometheusText {
  record Sample(String name, Map<String, String> labels, double value) {}

  private final List<Sample> samples = new ArrayList<>();
  private final List<String> comments = new ArrayList<>();

  PrometheusText(String text) {
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      if (line.startsWith("#")) {
        comments.add(line);
        continue;
      }
      samples.add(parse(line));
    }
  }

  private static Sample parse(String line) {
    int brace = line.indexOf('{');
    int space = line.lastIndexOf(' ');
    Map<String, String> labels = new TreeMap<>();
    String name;
    if (brace >= 0 && brace < space) {
      name = line.substring(0, brace);
      int end = line.lastIndexOf('}');
      parseLabels(line.substring(brace + 1, end), labels);
    } else {
      name = line.substring(0, space);
    }
    return new Sample(name, labels, Double.parseDouble(line.substring(space + 1)));
  }

  /** Parses {@code a="x",b="y"}; label values here never hold quotes or commas. */
  private static void parseLabels(String text, Map<String, String> labels) {
    int i = 0;
    while (i < text.length()) {
      int eq = text.indexOf('=', i);
      int open = eq + 1;
      int close = text.indexOf('"', open + 1);
      labels.put(text.substring(i, eq), text.substring(open + 1, close));
      i = close + 1;
      if (i < text.length() && text.charAt(i) == ',') {
        i++;
      }
    }
  }

  /** The samples of this exact metric name. */
  List<Sample> series(String name) {
    return samples.stream().filter(s -> s.name().equals(name)).toList();
  }

  /**
   * The value of the one sample of {@code name} whose labels are exactly {@code labelPairs} (name,
   * value, name, value...).
   *
   * @throws AssertionError when there is none
   */
  double value(String name, String... labelPairs) {
    Map<String, String> wanted = new TreeMap<>();
    for (int i = 0; i < labelPairs.length; i += 2) {
      wanted.put(labelPairs[i], labelPairs[i + 1]);
    }
    return series(name).stream()
        .filter(s -> s.labels().equals(wanted))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no sample " + name + wanted + " in " + series(name)))
        .value();
  }

  /** The sum over every sample of this name. */
  double sum(String name) {
    return series(name).stream().mapToDouble(Sample::value).sum();
  }

  boolean hasComment(String line) {
    return comments.contains(line);
  }
}
