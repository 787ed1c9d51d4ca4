package io.reachability.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.api.BodyLimitFilter;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** {@code reach.api.*}: defaults, binding, messages that name the setting. */
class ApiPropertiesTest {

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(ApiProperties.class)
  static class Settings {}

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner().withUserConfiguration(Settings.class);

  @Test
  void theDefaultBodyLimitFitsTheLargestValidRequest() {
    runner.run(
        context ->
            assertThat(context.getBean(ApiProperties.class).maxBodyBytes())
                .isEqualTo(BodyLimitFilter.DEFAULT_MAX_BODY_BYTES)
                .isEqualTo(65536));
    runner
        .withPropertyValues("reach.api.max-body-bytes=2048")
        .run(
            context ->
                assertThat(context.getBean(ApiProperties.class).maxBodyBytes()).isEqualTo(2048));
  }

  @Test
  void badSettingsNameTheSetting() {
    runner
        .withPropertyValues("reach.api.max-body-bytes=100")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .hasStackTraceContaining(
                        "reach.api.max-body-bytes must be in [1024, 16777216], was 100"));
    runner
        .withPropertyValues("reach.api.max-body-bytes=20000000")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .hasStackTraceContaining(
                        "reach.api.max-body-bytes must be in [1024, 16777216], was 20000000"));
  }

  @Test
  void corsOriginsAreExactOriginsNeverAWildcard() {
    runner.run(
        context ->
            assertThat(context.getBean(ApiProperties.class).cors().allowedOrigins()).isEmpty());
    runner
        .withPropertyValues(
            "reach.api.cors.allowed-origins=https://dash.example.org,http://localhost:3000,http://[::1]:8081")
        .run(
            context ->
                assertThat(context.getBean(ApiProperties.class).cors().allowedOrigins())
                    .hasSize(3));
    for (String bad :
        new String[] {
          "*", "https://dash.example.org/", "ftp://x", "null", "http://*.example.org"
        }) {
      runner
          .withPropertyValues("reach.api.cors.allowed-origins=http://ok.test," + bad)
          .run(
              context ->
                  assertThat(context)
                      .getFailure()
                      .hasStackTraceContaining(
                          "reach.api.cors.allowed-origins[1] = \"" + bad + "\": not an origin"));
    }
  }
}
