package io.reachability.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;
import org.yaml.snakeyaml.Yaml;

/**
 * The committed {@code openapi/openapi.yaml} describes every endpoint the controllers map, and
 * nothing they do not: a new or removed mapping fails here, without a Spring context, until the
 * contract is regenerated. {@link OpenApiDocumentTest} compares the whole document with what
 * springdoc serves.
 */
class OpenApiContractTest {

  private static final Path CONTRACT = Path.of("openapi", "openapi.yaml");

  /**
   * Every @RestController of the API package, found on the classpath: a new one cannot be missed.
   */
  private static final List<Class<?>> CONTROLLERS = controllers();

  private static List<Class<?>> controllers() {
    ClassPathScanningCandidateComponentProvider scanner =
        new ClassPathScanningCandidateComponentProvider(false);
    scanner.addIncludeFilter(new AnnotationTypeFilter(RestController.class));
    List<Class<?>> result = new ArrayList<>();
    for (BeanDefinition candidate :
        scanner.findCandidateComponents(OpenApiContractTest.class.getPackageName())) {
      try {
        Class<?> type = Class.forName(candidate.getBeanClassName());
        if (type.getProtectionDomain()
            .getCodeSource()
            .getLocation()
            .getPath()
            .contains("test-classes")) {
          continue; // a test's own controller
        }
        result.add(type);
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
    }
    return result;
  }

  @Test
  @SuppressWarnings("unchecked")
  void contractListsExactlyTheMappedEndpoints() throws IOException {
    Map<String, Object> document;
    try (InputStream in = Files.newInputStream(CONTRACT)) {
      document = new Yaml().load(in);
    }
    assertThat(document.get("openapi")).isEqualTo("3.1.0");
    Map<String, Map<String, Object>> paths =
        (Map<String, Map<String, Object>>) document.get("paths");
    List<String> documented = new ArrayList<>();
    paths.forEach(
        (path, operations) ->
            operations.keySet().stream()
                .filter(key -> List.of("get", "post", "put", "delete", "patch").contains(key))
                .forEach(method -> documented.add(method.toUpperCase(Locale.ROOT) + " " + path)));
    assertThat(CONTROLLERS).contains(CheckController.class, ReachabilityController.class);
    assertThat(documented).containsExactlyInAnyOrderElementsOf(mapped());
  }

  private static List<String> mapped() {
    List<String> result = new ArrayList<>();
    for (Class<?> controller : CONTROLLERS) {
      // merged annotations resolve the value/path aliases of @GetMapping and friends
      RequestMapping base =
          AnnotatedElementUtils.findMergedAnnotation(controller, RequestMapping.class);
      String prefix = base == null || base.path().length == 0 ? "" : base.path()[0];
      for (Method method : controller.getDeclaredMethods()) {
        RequestMapping mapping =
            AnnotatedElementUtils.findMergedAnnotation(method, RequestMapping.class);
        if (mapping != null) {
          for (RequestMethod verb : mapping.method()) {
            result.add(verb.name() + " " + prefix + first(mapping.path()));
          }
        }
      }
    }
    return result;
  }

  private static String first(String[] values) {
    return values.length == 0 ? "" : values[0];
  }
}
