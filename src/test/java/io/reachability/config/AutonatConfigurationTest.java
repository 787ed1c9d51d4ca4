package io.reachability.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.reachability.autonat.AutonatClient;
import io.reachability.autonat.AutonatServer;
import io.reachability.autonat.AutonatV2;
import io.reachability.libp2p.host.Host;
import io.reachability.testing.LoopbackHosts;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** The AutoNAT roles follow the settings: client always, server only with reach.server.enabled. */
class AutonatConfigurationTest {

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties({
    NodeProperties.class,
    AutonatServerProperties.class,
    ClientProperties.class
  })
  @Import({Libp2pConfiguration.class, AutonatConfiguration.class})
  static class NodeAndAutonat {}

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withUserConfiguration(NodeAndAutonat.class)
          .withPropertyValues("reach.node.listen=" + LoopbackHosts.ANY_PORT);

  @Test
  void clientAlwaysServerOffByDefault() {
    runner.run(
        context -> {
          assertThat(context)
              .hasSingleBean(AutonatClient.class)
              .doesNotHaveBean(AutonatServer.class);
          Host host = context.getBean(Host.class);
          assertThat(host.protocols())
              .contains(AutonatV2.DIAL_BACK_PROTOCOL)
              .doesNotContain(AutonatV2.DIAL_REQUEST_PROTOCOL);
        });
  }

  @Test
  void serverRoleWithItsSettings() {
    runner
        .withPropertyValues(
            "reach.server.enabled=true",
            "reach.server.allow-private-addresses=true",
            "reach.server.rate-limit.per-peer-per-minute=5",
            "reach.client.max-dial-data-bytes=50000")
        .run(
            context -> {
              AutonatServer server = context.getBean(AutonatServer.class);
              assertThat(server.settings().allowPrivateAddresses()).isTrue();
              assertThat(server.settings().rateLimit().perPeerPerMinute()).isEqualTo(5);
              assertThat(context.getBean(AutonatClient.class).settings().maxDialDataBytes())
                  .isEqualTo(50000);
              assertThat(context.getBean(Host.class).protocols())
                  .contains(AutonatV2.DIAL_REQUEST_PROTOCOL);
              PrometheusMeterRegistry registry =
                  new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
              context.getBean(AutonatServerMetrics.class).bindTo(registry);
              assertThat(
                      registry
                          .get(AutonatServerMetrics.RESPONSES)
                          .tag("status", "OK")
                          .functionCounter()
                          .count())
                  .isZero();
              assertThat(registry.get(AutonatServerMetrics.RESETS).functionCounter()).isNotNull();
              // what /actuator/prometheus shows
              assertThat(registry.scrape())
                  .contains("reach_autonat_server_responses_total{status=\"E_REQUEST_REJECTED\"} 0")
                  .contains(
                      "reach_autonat_server_dials_total{status=\"E_DIAL_ERROR\",transport=\"tcp\"}"
                          + " 0")
                  .contains("reach_autonat_server_resets_total 0")
                  .contains("reach_autonat_server_dial_data_bytes_total 0");
            });
  }

  @Test
  void badRateLimitNamesTheSetting() {
    runner
        .withPropertyValues("reach.server.rate-limit.concurrent-per-peer=0")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .hasStackTraceContaining(
                        "reach.server.rate-limit.concurrent-per-peer must be at least 1, was 0"));
  }

  @Test
  void badDialDataCapNamesTheSetting() {
    runner
        .withPropertyValues("reach.client.max-dial-data-bytes=-1")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .hasStackTraceContaining(
                        "reach.client.max-dial-data-bytes must not be negative, was -1"));
  }
}
