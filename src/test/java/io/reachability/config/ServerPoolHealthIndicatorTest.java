package io.reachability.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.autonat.CheckResult;
import io.reachability.autonat.Reachability;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.libp2p.host.Host;
import io.reachability.pool.PoolServer;
import io.reachability.pool.ServerPool;
import io.reachability.testing.LoopbackHosts;
import io.reachability.testing.Waiting;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * Health components serverPool (the pool's state) and role (able to do its job in its role, part of
 * readiness), for each role: a checker with the embedded pool, with a pool that is away, with no
 * pool at all; a pure AutoNAT v2 server; a server that also checks, whose pool is away.
 */
class ServerPoolHealthIndicatorTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties({
    NodeProperties.class,
    PoolProperties.class,
    AutonatServerProperties.class
  })
  @Import({
    Libp2pConfiguration.class,
    PoolConfiguration.class,
    ServerPoolHealthIndicator.class,
    RoleHealthIndicator.class
  })
  static class NodeAndPool {}

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withUserConfiguration(NodeAndPool.class)
          .withPropertyValues("reach.node.listen=" + LoopbackHosts.ANY_PORT);

  /** A pool server nobody answers for: a port nothing listens on. */
  private static String absentServer() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    return Multiaddr.fromString("/ip4/127.0.0.1/tcp/" + port)
        .withPeerId(PeerId.fromPublicKey(Keys.generateEd25519().publicKey()))
        .toString();
  }

  private static void probed(AssertableApplicationContext context) throws Exception {
    context
        .getBean(ServerPool.class)
        .probe(context.getBean(Host.class))
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private static Health pool(AssertableApplicationContext context) {
    return context.getBean(ServerPoolHealthIndicator.class).health();
  }

  private static Health role(AssertableApplicationContext context) {
    return context.getBean(RoleHealthIndicator.class).health();
  }

  @Test
  void aCheckerWithTheEmbeddedPoolIsUp() {
    runner.run(
        context -> {
          probed(context);
          Health health = pool(context);
          assertThat(health.getStatus()).isEqualTo(Status.UP);
          assertThat(health.getDetails())
              .containsEntry("servers", 3)
              .containsEntry("ready", 3L)
              .containsEntry("embedded", true);
          assertThat(health.getDetails()).containsKey("notice");
          assertThat(role(context).getStatus()).isEqualTo(Status.UP);
          assertThat(role(context).getDetails())
              .containsEntry("role", "checker")
              .containsEntry("readyPoolServers", 3L);
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
              Waiting.within(WAIT)
                  .until(
                      () -> pool.servers().stream().noneMatch(s -> ServerPool.connected(host, s)));
              assertThat(pool.servers()).noneMatch(s -> ServerPool.connected(host, s));
              // nobody uses them: closed for idleness, yet the servers answered moments ago
              Health health = context.getBean(ServerPoolHealthIndicator.class).health();
              assertThat(health.getStatus()).isEqualTo(Status.UP);
              assertThat(health.getDetails())
                  .containsEntry("ready", 3L)
                  .containsEntry("connected", 0L);

              // servers whose last check got no response are not ready
              for (PoolServer server : pool.servers()) {
                pool.record(
                    new CheckResult(
                        server.peerId(),
                        server.address(),
                        null,
                        null,
                        null,
                        null,
                        Reachability.UNKNOWN,
                        "cannot connect to the server",
                        false,
                        null,
                        0,
                        Duration.ZERO));
              }
              assertThat(context.getBean(ServerPoolHealthIndicator.class).health().getStatus())
                  .isEqualTo(Status.DOWN);
            });
  }

  @Test
  void aCheckerWithoutServersIsDown() {
    runner
        .withPropertyValues("reach.pool.embedded.enabled=false")
        .run(
            context -> {
              Health health = pool(context);
              assertThat(health.getStatus()).isEqualTo(Status.DOWN);
              assertThat(health.getDetails())
                  .containsEntry("servers", 0)
                  .containsEntry("ready", 0L);
              assertThat(context.getBean(ServerPool.class).servers()).isEqualTo(List.of());
              assertThat(role(context).getStatus()).isEqualTo(Status.DOWN);
            });
  }

  @Test
  void aCheckerWhosePoolIsAwayIsNotReady() throws Exception {
    runner
        .withPropertyValues("reach.pool.servers=" + absentServer())
        .run(
            context -> {
              probed(context);
              assertThat(pool(context).getStatus()).isEqualTo(Status.DOWN);
              assertThat(role(context).getStatus()).isEqualTo(Status.DOWN);
              assertThat(role(context).getDetails())
                  .containsEntry("role", "checker")
                  .containsKey("reason");
            });
  }

  /**
   * A fleet member as docs/OPERATIONS.md suggests: the server role, no pool. Its health was DOWN
   * for the empty pool.
   */
  @Test
  void aPureServerNeedsNoPool() {
    runner
        .withPropertyValues("reach.server.enabled=true", "reach.pool.embedded.enabled=false")
        .run(
            context -> {
              Health health = pool(context);
              assertThat(health.getStatus()).isEqualTo(Status.UP);
              assertThat(health.getDetails()).containsEntry("servers", 0).containsKey("notNeeded");
              assertThat(role(context).getStatus()).isEqualTo(Status.UP);
              assertThat(role(context).getDetails())
                  .containsEntry("role", "server")
                  .containsEntry("servesChecks", true);
            });
  }

  /** Fleet members that are each other's pool must get ready without waiting for each other. */
  @Test
  void aServerThatAlsoChecksIsReadyWhileItsPoolIsAway() throws Exception {
    runner
        .withPropertyValues("reach.server.enabled=true", "reach.pool.servers=" + absentServer())
        .run(
            context -> {
              probed(context);
              assertThat(pool(context).getStatus()).as("the pool itself").isEqualTo(Status.DOWN);
              assertThat(role(context).getStatus()).isEqualTo(Status.UP);
              assertThat(role(context).getDetails())
                  .containsEntry("role", "server and checker")
                  .containsEntry("readyPoolServers", 0L);
            });
  }
}
