package io.reachability.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.testing.LoopbackHosts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.yaml.snakeyaml.Yaml;

/**
 * The OpenAPI document springdoc serves is exactly the committed {@code openapi/openapi.yaml}
 * (compared as parsed YAML: same keys, values and list order). When the API changes on purpose,
 * rewrite the committed file from the served one and review the diff:
 *
 * <pre>./mvnw test -Dtest=OpenApiDocumentTest -Dopenapi.update=true</pre>
 *
 * Same context as {@link CheckApiEndToEndTest}, so Spring's test context cache shares it.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "reach.node.listen=" + LoopbackHosts.ANY_PORT)
class OpenApiDocumentTest {

  static final Path COMMITTED = Path.of("openapi", "openapi.yaml");

  /** Where the served document is written when it differs, for a diff. */
  private static final Path SERVED_COPY = Path.of("target", "openapi-served.yaml");

  private static final String UPDATE_PROPERTY = "openapi.update";

  private static final String HEADER =
      """
      # The REST contract of the reachability service. Generated: this is what springdoc serves at
      # /v3/api-docs.yaml, built from the controllers and view records in io.reachability.api.
      # Do not edit by hand; after changing the API run
      #   ./mvnw test -Dtest=OpenApiDocumentTest -Dopenapi.update=true
      # and review the diff (OpenApiDocumentTest fails while the two differ).
      """;

  @LocalServerPort int port;

  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servedDocumentIsTheCommittedOne() throws Exception {
    HttpResponse<String> served = get("/v3/api-docs.yaml");
    assertThat(served.statusCode()).isEqualTo(200);
    String document = HEADER + served.body();

    if (Boolean.getBoolean(UPDATE_PROPERTY)) {
      Files.writeString(COMMITTED, document, StandardCharsets.UTF_8);
    }
    Map<String, Object> expected =
        new Yaml().load(Files.readString(COMMITTED, StandardCharsets.UTF_8));
    Map<String, Object> actual = new Yaml().load(document);
    List<String> differences = new ArrayList<>();
    differences(expected, actual, "", differences);
    if (!differences.isEmpty()) {
      Files.createDirectories(SERVED_COPY.getParent());
      Files.writeString(SERVED_COPY, document, StandardCharsets.UTF_8);
    }
    assertThat(differences)
        .as(
            "the served OpenAPI document differs from %s (served copy: %s); if the change is"
                + " intended run ./mvnw test -Dtest=OpenApiDocumentTest -D%s=true and commit the"
                + " file",
            COMMITTED, SERVED_COPY, UPDATE_PROPERTY)
        .isEmpty();
    assertThat(actual).isEqualTo(expected);
  }

  /**
   * Where two parsed documents differ, as paths such as {@code /paths/~1api~1v1~1node/get/summary}.
   */
  private static void differences(
      @Nullable Object expected, @Nullable Object actual, String path, List<String> out) {
    if (expected instanceof Map<?, ?> left && actual instanceof Map<?, ?> right) {
      Set<Object> keys = new TreeSet<>(Comparator.comparing(String::valueOf));
      keys.addAll(left.keySet());
      keys.addAll(right.keySet());
      for (Object key : keys) {
        differences(
            left.get(key),
            right.get(key),
            path + "/" + String.valueOf(key).replace("/", "~1"),
            out);
      }
    } else if (expected instanceof List<?> left
        && actual instanceof List<?> right
        && left.size() == right.size()) {
      for (int i = 0; i < left.size(); i++) {
        differences(left.get(i), right.get(i), path + "/" + i, out);
      }
    } else if (!Objects.equals(expected, actual)) {
      out.add(path + ": committed " + expected + ", served " + actual);
    }
  }

  @Test
  void jsonAndYamlAreTheSameDocument() throws Exception {
    Map<String, Object> json = new Yaml().load(get("/v3/api-docs").body());
    Map<String, Object> yaml = new Yaml().load(get("/v3/api-docs.yaml").body());
    assertThat(json).isEqualTo(yaml);
  }

  @Test
  void swaggerUiIsServed() throws Exception {
    HttpResponse<String> redirect = get("/swagger-ui.html");
    assertThat(redirect.statusCode()).isEqualTo(302);
    String location = redirect.headers().firstValue("Location").orElseThrow();
    assertThat(location).endsWith("/swagger-ui/index.html");

    HttpResponse<String> page = get(URI.create(location).getPath());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("swagger-ui");
    // the UI loads the document through its config, which points at our api-docs
    assertThat(get("/v3/api-docs/swagger-config").body()).contains("/v3/api-docs");
  }
}
