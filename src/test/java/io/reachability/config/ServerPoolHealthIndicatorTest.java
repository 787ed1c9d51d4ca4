package io.reachability.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.autonat.CheckResult;
import io.reachability.autonat.Reachability;
import io.reachability.libp2p.host.Host;
import io.reachability.pool.PoolServer;
import io.reachability.pool.ServerPool;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** Health component serverPool: UP once the embedded servers are connected and identified, DOWN with no server. */
class ServerPoolHealthIndicatorTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties({NodeProperties.class, PoolProperties.class, ServerProperties.class})
  @Import({Libp2pConfiguration.class, PoolConfiguration.class, ServerPoolHealthIndicator.class})
  static class NodeAndPool {}

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withUserConfiguration(NodeAndPool.class)
          .withPropertyValues("reach.node.listen=/ip4/127.0.0.1/tcp/0");

  @Test
  void upWithTheEmbeddedPool() {
    runner.run(
        context -> {
          context.getBean(ServerPool.class).probe(context.getBean(Host.class)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
          Health health = context.getBean(ServerPoolHealthIndicator.class).health();
          assertThat(health.getStatus()).isEqualTo(Status.UP);
          assertThat(health.getDetails()).containsEntry("servers", 3).containsEntry("ready", 3L).containsEntry("embedded", true);
          assertThat(health.getDetails()).containsKey("notice");
        });
  }

  @Test
  void staysUpWhenIdleConnectionsToTheServersClose() {
    runner
        .withPropertyValues("reach.node.idle-timeout=1s")
        .run(
            context -> {
              Host host = context.getBean(Host.class);
              ServerPool pool = context.getBean(ServerPool.class);
              pool.probe(host).get(WAIT.toSeconds(), TimeUnit.SECONDS);
              long deadline = System.nanoTime() + WAIT.toNanos();
              while (pool.servers().stream().anyMatch(s -> ServerPool.connected(host, s)) && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(20);
              }
              assertThat(pool.servers()).noneMatch(s -> ServerPool.connected(host, s));
              // nobody uses them: closed for idleness, yet the servers answered moments ago
              Health health = context.getBean(ServerPoolHealthIndicator.class).health();
              assertThat(health.getStatus()).isEqualTo(Status.UP);
              assertThat(health.getDetails()).containsEntry("ready", 3L).containsEntry("connected", 0L);

              // servers whose last check got no response are not ready
              for (PoolServer server : pool.servers()) {
                pool.record(
                    new CheckResult(
                        server.peerId(), server.address(), null, null, null, null, Reachability.UNKNOWN,
                        "cannot connect to the server", false, null, 0, Duration.ZERO));
              }
              assertThat(context.getBean(ServerPoolHealthIndicator.class).health().getStatus()).isEqualTo(Status.DOWN);
            });
  }

  @Test
  void downWithoutServers() {
    runner
        .withPropertyValues("reach.pool.embedded.enabled=false")
        .run(
            context -> {
              Health health = context.getBean(ServerPoolHealthIndicator.class).health();
              assertThat(health.getStatus()).isEqualTo(Status.DOWN);
              assertThat(health.getDetails()).containsEntry("servers", 0).containsEntry("ready", 0L);
              assertThat(context.getBean(ServerPool.class).servers()).isEqualTo(List.of());
            });
  }
}
