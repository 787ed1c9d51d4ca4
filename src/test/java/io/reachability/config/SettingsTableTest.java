package io.reachability.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's settings table is the documentation of every {@code reach.*} setting: this test
 * holds it to the configuration metadata the build generates from the
 * {@code @ConfigurationProperties} records (as {@code OpenApiDocumentTest} holds the API document
 * to the code). A setting added to the code and not to the table, or a default changed in one place
 * only, fails the build.
 */
class SettingsTableTest {

  static final Path README = Path.of("README.md");
  static final Path METADATA =
      Path.of("target", "classes", "META-INF", "spring-configuration-metadata.json");

  /** {@code | `reach.x.y` | default | meaning |}. */
  private static final Pattern ROW =
      Pattern.compile("^\\| `(reach\\.[a-z0-9.-]+)` \\| ([^|]*) \\|");

  /** What the table says for an empty default (a blank string or an empty list). */
  static final String EMPTY = "empty";

  @Test
  void theTableListsExactlyTheSettingsWithTheirDefaults() throws IOException {
    Map<String, String> table = table();
    Map<String, JsonNode> metadata = metadata();

    assertThat(table.keySet())
        .as("settings in the README table vs. the code's (%s)", METADATA)
        .containsExactlyInAnyOrderElementsOf(metadata.keySet());
    metadata.forEach(
        (name, property) -> {
          JsonNode value = property.get("defaultValue");
          String documented = table.get(name);
          if (value == null || value.isNull()) {
            // no default in the code: the table says in words what happens
            assertThat(documented).as(name).doesNotStartWith("`");
          } else if (value.asText().isEmpty() || (value.isArray() && value.isEmpty())) {
            assertThat(documented).as(name).isEqualTo(EMPTY);
          } else {
            assertThat(documented).as(name).isEqualTo("`" + text(value) + "`");
          }
        });
  }

  private static String text(JsonNode value) {
    if (value.isArray()) {
      StringBuilder joined = new StringBuilder();
      value.forEach(v -> joined.append(joined.length() == 0 ? "" : ",").append(v.asText()));
      return joined.toString();
    }
    return value.asText();
  }

  static Map<String, String> table() throws IOException {
    Map<String, String> rows = new LinkedHashMap<>();
    String section = "";
    for (String line : Files.readAllLines(README)) {
      if (line.startsWith("## ")) {
        section = line;
      }
      Matcher row = ROW.matcher(line);
      if (section.equals("## Settings") && row.find()) {
        assertThat(rows.put(row.group(1), row.group(2).trim()))
            .as("%s listed twice", row.group(1))
            .isNull();
      }
    }
    assertThat(rows).as("the README has a ## Settings table").isNotEmpty();
    return rows;
  }

  static Map<String, JsonNode> metadata() throws IOException {
    JsonNode root = new ObjectMapper().readTree(METADATA.toFile());
    Map<String, JsonNode> properties = new TreeMap<>();
    for (JsonNode property : root.get("properties")) {
      String name = property.get("name").asText();
      if (name.startsWith("reach.")) {
        properties.put(name, property);
      }
    }
    return properties;
  }
}
