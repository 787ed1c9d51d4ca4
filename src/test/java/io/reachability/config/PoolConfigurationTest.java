package io.reachability.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.host.Host;
import io.reachability.pool.PoolServer;
import io.reachability.pool.ServerDiscovery;
import io.reachability.pool.ServerPool;
import io.reachability.testing.LoopbackHosts;
import io.reachability.testing.Waiting;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The pool bean: embedded servers by default, only the configured ones otherwise, stopped with the
 * context.
 */
class PoolConfigurationTest {

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties({
    NodeProperties.class,
    PoolProperties.class,
    AutonatServerProperties.class
  })
  @Import({Libp2pConfiguration.class, PoolConfiguration.class})
  static class NodeAndPool {}

  private static final String SERVER =
      "/ip4/127.0.0.1/tcp/1/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withUserConfiguration(NodeAndPool.class)
          .withPropertyValues("reach.node.listen=" + LoopbackHosts.ANY_PORT);

  @Test
  void embeddedPoolByDefaultStoppedWithTheContext() {
    AtomicReference<Multiaddr> first = new AtomicReference<>();
    runner
        .withPropertyValues("reach.pool.embedded.size=2")
        .run(
            context -> {
              ServerPool pool = context.getBean(ServerPool.class);
              assertThat(pool.hasEmbedded()).isTrue();
              assertThat(pool.servers()).hasSize(2).allMatch(PoolServer::embedded);
              first.set(pool.servers().get(0).address());
            });
    try (Host probe = Host.builder().threadName("probe").build().start()) {
      assertThat(probe.dial(first.get())).failsWithin(java.time.Duration.ofSeconds(10));
    }
  }

  @Test
  void configuredServersOnly() {
    runner
        .withPropertyValues("reach.pool.servers=" + SERVER)
        .run(
            context -> {
              ServerPool pool = context.getBean(ServerPool.class);
              assertThat(pool.hasEmbedded()).isFalse();
              assertThat(pool.servers())
                  .extracting(s -> s.address().toString())
                  .containsExactly(SERVER);
            });
  }

  @Test
  void discoveryRunsWithItsMetricsWhenSwitchedOn() {
    // a bootstrap peer on a loopback port where nothing listens: no traffic beyond loopback
    String nobody =
        "/ip4/127.0.0.1/tcp/"
            + LoopbackHosts.closedPort()
            + "/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";
    runner
        .withUserConfiguration(Settings.class)
        .withPropertyValues(
            "reach.pool.discovery.enabled=true", "reach.pool.discovery.bootstrap=" + nobody)
        .run(
            context -> {
              ServerDiscovery discovery = context.getBean(ServerDiscovery.class);
              assertThat(context.getBean(ServerPool.class).hasEmbedded()).isFalse();
              PrometheusMeterRegistry registry =
                  new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
              context.getBean(DiscoveryMetrics.class).bindTo(registry);
              Waiting.within(java.time.Duration.ofSeconds(10))
                  // the counts are read when a step has ended (a step's contacts before)
                  .until(
                      () ->
                          discovery.status().contacts() >= 1 && discovery.status().dhtNodes() == 1);
              assertThat(registry.scrape())
                  .contains("reach_pool_discovery_servers 0")
                  .contains("reach_pool_discovery_dht_nodes 1")
                  .containsPattern("reach_pool_discovery_contacts_total [1-9]")
                  .contains("reach_pool_discovery_admitted_total 0");
            });
    runner.run(context -> assertThat(context).doesNotHaveBean(ServerDiscovery.class));
  }

  @Configuration(proxyBeanMethods = false)
  @Import(SettingsConfiguration.class)
  @EnableConfigurationProperties({
    JobsProperties.class,
    MonitorProperties.class,
    PeerCheckProperties.class
  })
  static class Settings {}
}
