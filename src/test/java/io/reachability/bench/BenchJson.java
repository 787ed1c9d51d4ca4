package io.reachability.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The figures a benchmark prints, also written as JSON when {@value #PROPERTY} names a file, so
 * {@code bench/compare.sh} can assemble one report ({@link CompareReport}) from several benchmarks.
 */
final class BenchJson {

  /** System property: the file a benchmark writes its figures to (unset: nothing is written). */
  static final String PROPERTY = "bench.json";

  static final JsonMapper JSON =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  private BenchJson() {}

  /** Writes {@code figures} to the file named by {@value #PROPERTY}, if any. */
  static void writeIfAsked(Map<String, ?> figures) {
    String file = System.getProperty(PROPERTY);
    if (file == null || file.isBlank()) {
      return;
    }
    Path path = Path.of(file);
    try {
      if (path.getParent() != null) {
        Files.createDirectories(path.getParent());
      }
      Files.writeString(path, JSON.writeValueAsString(figures) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + path, e);
    }
  }

  static JsonNode read(Path path) {
    try {
      return JSON.readTree(Files.readString(path));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  /** A finite number, or null (JSON has no NaN). */
  static Double number(double value) {
    return Double.isFinite(value) ? round(value) : null;
  }

  /** Three decimals are plenty for milliseconds and rates. */
  static double round(double value) {
    return Math.round(value * 1000.0) / 1000.0;
  }

  /** Median of a list (sorted copy), NaN when empty. */
  static double median(List<Double> values) {
    return percentile(values, 50);
  }

  /** Nearest-rank percentile of a list (sorted copy), NaN when empty. */
  static double percentile(List<Double> values, double percent) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(percent / 100.0 * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }
}
