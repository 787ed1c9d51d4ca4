package io.reachability.config;

import static io.reachability.testing.Namespaced.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.testing.Namespaced.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The toolkit's Prometheus files through Prometheus' own {@code promtool} (Debian's {@code
 * prometheus} package): the configuration and the rules are valid, and the rules' unit tests
 * ({@code docker/prometheus/alerts.test.yml}: each alert fires on its story, a short blip pages
 * nobody) pass. Skipped with the reason without promtool, unless {@value #REQUIRED_ENV}{@code
 * =required} (as {@code .ci/run} sets it).
 */
class PrometheusRulesTest {

  static final String REQUIRED_ENV = "TOOLKIT_TEST";
  static final Path PROMETHEUS = Path.of("docker", "prometheus");
  static final Duration TIMEOUT = Duration.ofSeconds(60);

  /** Where the compose file mounts the rules in the Prometheus container. */
  static final String MOUNTED_RULES = "/etc/prometheus/alerts.yml";

  @BeforeAll
  static void promtool() throws Exception {
    if (run(TIMEOUT, "sh", "-c", "command -v promtool").exit() != 0) {
      String reason = "promtool is missing (Debian: apt-get install prometheus)";
      if ("required".equals(System.getenv(REQUIRED_ENV))) {
        throw new AssertionError(reason + " and " + REQUIRED_ENV + "=required");
      }
      Assumptions.abort(reason);
    }
  }

  private static void succeeds(String... command) throws Exception {
    Result result = run(TIMEOUT, command);
    assertThat(result.exit())
        .as(String.join(" ", command) + "\n" + result.stdout() + result.stderr())
        .isZero();
  }

  @Test
  void theRulesAreValidAndTheirUnitTestsPass() throws Exception {
    succeeds("promtool", "check", "rules", PROMETHEUS.resolve("alerts.yml").toString());
    succeeds("promtool", "test", "rules", PROMETHEUS.resolve("alerts.test.yml").toString());
  }

  @Test
  void theConfigurationIsValid(@TempDir Path dir) throws Exception {
    // the rules where the container has them, here
    String config = Files.readString(PROMETHEUS.resolve("prometheus.yml"));
    assertThat(config).contains(MOUNTED_RULES);
    Path copy = dir.resolve("prometheus.yml");
    Files.writeString(
        copy,
        config.replace(
            MOUNTED_RULES, PROMETHEUS.resolve("alerts.yml").toAbsolutePath().toString()));
    succeeds("promtool", "check", "config", copy.toString());
  }
}
