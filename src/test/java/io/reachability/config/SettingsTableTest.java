package io.reachability.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * The README's settings table is the documentation of every {@code reach.*} setting: this test
 * holds it to the code (as {@code OpenApiDocumentTest} holds the API document to the code). The
 * settings are the ones in the configuration metadata the build generates from the
 * {@code @ConfigurationProperties} records; a setting's default is what the code does with nothing
 * configured: the properties record's own default, or, for a value it leaves unset, its settings
 * record's. A setting added to the code and not to the table, or a default that differs, fails the
 * build.
 */
class SettingsTableTest {

  static final Path README = Path.of("README.md");
  static final Path METADATA =
      Path.of("target", "classes", "META-INF", "spring-configuration-metadata.json");

  /** {@code | `reach.x.y` | default | meaning |}. */
  private static final Pattern ROW =
      Pattern.compile("^\\| `(reach\\.[a-z0-9.-]+)` \\| ([^|]*) \\|");

  /** A default in the table: {@code `30s`}. */
  private static final Pattern CODE = Pattern.compile("`([^`]*)`");

  /** What the table says for an empty default (a blank string or an empty list). */
  static final String EMPTY = "empty";

  @Test
  void theTableListsExactlyTheSettingsWithTheirDefaults() throws Exception {
    Map<String, String> table = table();
    Map<String, JsonNode> metadata = metadata();
    Map<String, Class<?>> sections = sections();

    assertThat(table.keySet())
        .as("settings in the README table vs. the code's (%s)", METADATA)
        .containsExactlyInAnyOrderElementsOf(metadata.keySet());
    for (String name : metadata.keySet()) {
      Class<?> type = sections.get(sectionPrefix(name));
      Object code = defaultOf(name, type, Map.of());
      String documented = table.get(name);
      Matcher value = CODE.matcher(documented);
      if (documented.equals(EMPTY)) {
        assertThat(isEmpty(code)).as("%s is empty by default, was %s", name, code).isTrue();
      } else if (value.matches()) {
        // the documented value, configured, is what the code does with nothing configured
        assertThat(asText(defaultOf(name, type, Map.of(name, value.group(1)))))
            .as("%s: the table's default %s", name, documented)
            .isEqualTo(asText(code))
            .isNotNull();
      } else {
        assertThat(code).as("%s has a default: the table gives it in `backticks`", name).isNull();
      }
    }
  }

  /**
   * A list as the texts of its elements: the properties hold what was configured as text, a
   * settings record the parsed values (multiaddrs); the table documents the text.
   */
  private static @Nullable Object asText(@Nullable Object value) {
    return value instanceof List<?> list ? list.stream().map(String::valueOf).toList() : value;
  }

  @Test
  void everySettingIsDescribed() throws IOException {
    metadata()
        .forEach(
            (name, property) ->
                assertThat(property.path("description").asText())
                    .as("%s: its properties record's @param", name)
                    .isNotBlank());
  }

  /**
   * The value the code runs with for setting {@code name} of section {@code type} when {@code
   * configured} is all there is; {@code null} when the code has no default for it.
   */
  private static @Nullable Object defaultOf(
      String name, Class<?> type, Map<String, String> configured) throws Exception {
    String prefix = sectionPrefix(name);
    @Nullable Object value =
        new Binder(new MapConfigurationPropertySource(configured)).bindOrCreate(prefix, type);
    @Nullable Object settingsOwner = null;
    String component = "";
    for (String key : name.substring(prefix.length() + 1).split("\\.")) {
      if (value == null) {
        break;
      }
      if (toSettings(value.getClass()) != null) {
        settingsOwner = value;
      }
      component = camelCase(key);
      RecordComponent accessor = componentNamed(value.getClass(), component);
      if (accessor == null) {
        throw new AssertionError(name + ": " + value.getClass() + " has no " + component);
      }
      value = accessor.getAccessor().invoke(value);
    }
    if (value == null && settingsOwner != null) {
      // unset in the properties: the settings record's value of the same name
      Object settings = toSettings(settingsOwner.getClass()).invoke(settingsOwner);
      value = find(settings, component);
    }
    return value;
  }

  private static @Nullable Method toSettings(Class<?> type) {
    return Arrays.stream(type.getDeclaredMethods())
        .filter(m -> m.getName().equals("toSettings") && m.getParameterCount() == 0)
        .findFirst()
        .orElse(null);
  }

  /** The value of the component {@code name} of {@code record}, or of a record inside it. */
  private static @Nullable Object find(Object record, String name) throws Exception {
    RecordComponent own = componentNamed(record.getClass(), name);
    if (own != null) {
      return own.getAccessor().invoke(record);
    }
    for (RecordComponent nested : record.getClass().getRecordComponents()) {
      Object inner = nested.getAccessor().invoke(record);
      if (inner != null && inner.getClass().isRecord()) {
        Object found = find(inner, name);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  private static @Nullable RecordComponent componentNamed(Class<?> record, String name) {
    return Arrays.stream(record.getRecordComponents())
        .filter(c -> c.getName().equals(name))
        .findFirst()
        .orElse(null);
  }

  private static boolean isEmpty(@Nullable Object value) {
    return (value instanceof String text && text.isEmpty())
        || (value instanceof Collection<?> list && list.isEmpty());
  }

  private static String camelCase(String kebab) {
    StringBuilder camel = new StringBuilder();
    for (String word : kebab.split("-")) {
      camel.append(
          camel.length() == 0 ? word : Character.toUpperCase(word.charAt(0)) + word.substring(1));
    }
    return camel.toString();
  }

  /** {@code reach.server} of {@code reach.server.rate-limit.global-per-minute}. */
  private static String sectionPrefix(String name) {
    List<String> parts = List.of(name.split("\\."));
    return parts.get(0) + "." + parts.get(1);
  }

  /** The properties record of each section: {@code reach.server} → its record. */
  private static Map<String, Class<?>> sections() throws Exception {
    Map<String, Class<?>> sections = new TreeMap<>();
    for (JsonNode group : new ObjectMapper().readTree(METADATA.toFile()).get("groups")) {
      String name = group.get("name").asText();
      if (name.startsWith("reach.") && name.equals(sectionPrefix(name + ".x"))) {
        sections.put(name, Class.forName(group.get("type").asText()));
      }
    }
    return sections;
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
