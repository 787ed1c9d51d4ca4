package io.reachability.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.dns.DnsSettings;
import io.reachability.libp2p.host.Host;
import io.reachability.libp2p.host.HostSettings;
import io.reachability.libp2p.transport.QuicTransport;
import io.reachability.testing.LoopbackHosts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** The node settings: binding, validation messages that name the setting, the identity file. */
class NodeConfigurationTest {

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(NodeProperties.class)
  @Import(Libp2pConfiguration.class)
  static class NodeOnly {}

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner().withUserConfiguration(NodeOnly.class);

  @Test
  void listensWhereConfigured() {
    runner
        .withPropertyValues("reach.node.listen=/ip4/127.0.0.1/tcp/0,/ip6/::1/tcp/0")
        .run(
            context -> {
              Host host = context.getBean(Host.class);
              assertThat(host.listenAddresses()).hasSize(2);
              assertThat(host.listenAddresses().get(0).toString())
                  .startsWith("/ip4/127.0.0.1/tcp/");
              assertThat(host.listenAddresses().get(1).toString()).startsWith("/ip6/::1/tcp/");
            });
  }

  @Test
  void quicIsOnByDefaultAndCanBeTurnedOff() {
    String both = "reach.node.listen=" + LoopbackHosts.ANY_PORT + "," + LoopbackHosts.QUIC_ANY_PORT;
    runner
        .withPropertyValues(both)
        .run(
            context -> {
              Host host = context.getBean(Host.class);
              assertThat(host.settings().quic()).isTrue();
              if (QuicTransport.isAvailable()) {
                assertThat(host.listenAddresses()).hasSize(2).anyMatch(Multiaddr::isQuic);
              }
            });
    runner
        .withPropertyValues(both, "reach.node.quic=false")
        .run(
            context -> {
              Host host = context.getBean(Host.class);
              assertThat(host.settings().quic()).isFalse();
              // the QUIC address is skipped with a warning; the node runs on TCP
              assertThat(host.listenAddresses()).hasSize(1).noneMatch(Multiaddr::isQuic);
            });
  }

  @Test
  void dialingFromTheListenPortIsOnByDefaultAndCanBeTurnedOff() {
    runner
        .withPropertyValues("reach.node.listen=" + LoopbackHosts.ANY_PORT)
        .run(context -> assertThat(context.getBean(Host.class).settings().reusePort()).isTrue());
    runner
        .withPropertyValues(
            "reach.node.listen=" + LoopbackHosts.ANY_PORT, "reach.node.reuse-port=false")
        .run(context -> assertThat(context.getBean(Host.class).settings().reusePort()).isFalse());
  }

  @Test
  void connectionLimitsDefaultToTheHostsAndBind() {
    runner
        .withPropertyValues("reach.node.listen=" + LoopbackHosts.ANY_PORT)
        .run(
            context -> {
              HostSettings settings = context.getBean(Host.class).settings();
              HostSettings defaults = HostSettings.defaults();
              assertThat(settings.maxInboundConnectionsPerIp())
                  .isEqualTo(defaults.maxInboundConnectionsPerIp());
              assertThat(settings.maxInboundConnections())
                  .isEqualTo(defaults.maxInboundConnections());
              assertThat(settings.maxInboundConnectionsPerSubnet())
                  .isEqualTo(defaults.maxInboundConnectionsPerSubnet());
              assertThat(settings.upgrade().idleTimeout())
                  .isEqualTo(defaults.upgrade().idleTimeout());
            });
    runner
        .withPropertyValues(
            "reach.node.listen=" + LoopbackHosts.ANY_PORT,
            "reach.node.max-inbound-connections=500",
            "reach.node.max-inbound-connections-per-subnet=32",
            "reach.node.idle-timeout=2m")
        .run(
            context -> {
              HostSettings settings = context.getBean(Host.class).settings();
              assertThat(settings.maxInboundConnections()).isEqualTo(500);
              assertThat(settings.maxInboundConnectionsPerSubnet()).isEqualTo(32);
              assertThat(settings.upgrade().idleTimeout()).isEqualTo(Duration.ofMinutes(2));
            });
  }

  @Test
  void badListenAddressNamesTheSetting() {
    runner
        .withPropertyValues("reach.node.listen=/ip4/1.2.3/tcp/1")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .hasStackTraceContaining(
                        "reach.node.listen[0]: invalid multiaddr \"/ip4/1.2.3/tcp/1\": bad ip4"
                            + " address \"1.2.3\""));
  }

  @Test
  void nonTcpListenAddressIsRefused() {
    runner
        .withPropertyValues("reach.node.listen=/ip4/127.0.0.1/udp/4001/quic-v1/webtransport")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .hasStackTraceContaining("reach.node.listen[0]")
                    .hasStackTraceContaining(
                        "only /ip4|ip6/<address>/tcp/<port> or"
                            + " /ip4|ip6/<address>/udp/<port>/quic-v1 can be listened on"));
  }

  @Test
  void identityFileIsCreatedOnceAndReused(@TempDir Path dir) {
    Path file = dir.resolve("keys/identity.key");
    AtomicReference<PeerId> first = new AtomicReference<>();
    String[] properties = {
      "reach.node.listen=" + LoopbackHosts.ANY_PORT, "reach.node.identity-file=" + file
    };
    runner
        .withPropertyValues(properties)
        .run(context -> first.set(context.getBean(Host.class).peerId()));
    assertThat(Files.exists(file)).isTrue();
    runner
        .withPropertyValues(properties)
        .run(context -> assertThat(context.getBean(Host.class).peerId()).isEqualTo(first.get()));
  }

  @Test
  void emptyIdentityFileMeansAFreshIdentity() {
    AtomicReference<PeerId> first = new AtomicReference<>();
    runner
        .withPropertyValues("reach.node.listen=" + LoopbackHosts.ANY_PORT)
        .run(context -> first.set(context.getBean(Host.class).peerId()));
    runner
        .withPropertyValues("reach.node.listen=" + LoopbackHosts.ANY_PORT)
        .run(context -> assertThat(context.getBean(Host.class).peerId()).isNotEqualTo(first.get()));
  }

  @Test
  void badLimitsStopTheStartNamingTheSetting() {
    failsWith(
        "reach.node.max-inbound-connections-per-ip=0",
        "reach.node.max-inbound-connections-per-ip must be at least 1, was 0");
    failsWith(
        "reach.node.max-inbound-connections=1024",
        "reach.node.max-inbound-connections must be in [1, 1023] (below the node's 1024"
            + " connections, so it can always dial out), was 1024");
    failsWith(
        "reach.node.max-inbound-connections-per-subnet=0",
        "reach.node.max-inbound-connections-per-subnet must be at least 1, was 0");
    failsWith("reach.node.idle-timeout=0s", "reach.node.idle-timeout must be positive, was PT0S");
    failsWith(
        "reach.node.dns.query-timeout=0s",
        "reach.node.dns.query-timeout must be positive, was PT0S");
    failsWith("reach.node.dns.max-depth=0", "reach.node.dns.max-depth must be at least 1, was 0");
    for (String bad : List.of("dns.example", "192.0.2.53:0", "[::1]x", "192.0.2.53:99999")) {
      failsWith(
          "reach.node.dns.servers=" + bad,
          "reach.node.dns.servers[0] = \"" + bad + "\": a name server is an IP address");
    }
  }

  @Test
  void dnsSettingsReachTheHost() {
    runner
        .withPropertyValues(
            "reach.node.listen=" + LoopbackHosts.ANY_PORT,
            "reach.node.dns.servers=127.0.0.1:5353,[::1],192.0.2.53",
            "reach.node.dns.max-lookups=7")
        .run(
            context -> {
              DnsSettings dns = context.getBean(Host.class).settings().dns();
              assertThat(dns.servers())
                  .extracting(a -> a.getAddress().getHostAddress() + " " + a.getPort())
                  .containsExactly("127.0.0.1 5353", "0:0:0:0:0:0:0:1 53", "192.0.2.53 53");
              assertThat(dns.maxLookups()).isEqualTo(7);
              assertThat(dns.maxDepth()).isEqualTo(DnsSettings.DEFAULT_MAX_DEPTH);
            });
  }

  private void failsWith(String property, String message) {
    runner
        .withPropertyValues("reach.node.listen=" + LoopbackHosts.ANY_PORT, property)
        .run(context -> assertThat(context).getFailure().hasStackTraceContaining(message));
  }
}
