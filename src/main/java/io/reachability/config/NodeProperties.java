package io.reachability.config;

import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.host.HostSettings;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The embedded libp2p node ({@code reach.node.*}).
 *
 * @param listen TCP multiaddrs to listen on; port 0 picks a free port
 * @param identityFile where the node's Ed25519 key lives (libp2p protobuf {@code PrivateKey}
 *     format); empty means a fresh key on every start, otherwise it is created on first start and
 *     reused after
 * @param announce extra candidate addresses of the node (say a port forward or a public address the
 *     node cannot see itself): checked, together with the listen addresses, when a check names no
 *     address
 * @param reusePort dial from the listen port (SO_REUSEPORT, native epoll transport only), so that
 *     the address peers observe for the node's outbound connections carries the NAT mapping of the
 *     listen port, as other libp2p nodes do; off = outbound connections from ephemeral ports
 * @param maxInboundConnectionsPerIp open inbound connections from one IP address; beyond it new
 *     ones from that address are closed at once (so one address cannot take every slot, and with
 *     them the AutoNAT dial-backs the node needs)
 * @param maxInboundConnections open inbound connections in all, below the node's 1024; the rest
 *     stays for connections the node opens itself, so an inbound flood cannot stop it dialing out
 * @param maxInboundConnectionsPerSubnet open inbound connections from one /24 (IPv4) or /64 (IPv6);
 *     beyond it new ones from that subnet are closed at once
 * @param idleTimeout a connection with no open stream for this long is closed
 */
@ConfigurationProperties(NodeProperties.PREFIX)
public record NodeProperties(
    @DefaultValue("/ip4/127.0.0.1/tcp/4001") List<String> listen,
    @DefaultValue("") String identityFile,
    @DefaultValue List<String> announce,
    @DefaultValue("" + HostSettings.DEFAULT_REUSE_PORT) boolean reusePort,
    @DefaultValue("" + HostSettings.DEFAULT_MAX_INBOUND_CONNECTIONS_PER_IP)
        int maxInboundConnectionsPerIp,
    @DefaultValue("" + HostSettings.DEFAULT_MAX_INBOUND_CONNECTIONS) int maxInboundConnections,
    @DefaultValue("" + HostSettings.DEFAULT_MAX_INBOUND_CONNECTIONS_PER_SUBNET)
        int maxInboundConnectionsPerSubnet,
    @DefaultValue("30s") Duration idleTimeout) {

  static final String PREFIX = "reach.node";

  /**
   * The node's host settings, checked by {@link HostSettings}; an error names the {@code
   * reach.node.*} key. {@code Libp2pConfiguration} asks for them at start.
   */
  HostSettings toSettings() {
    try {
      HostSettings.Builder settings =
          new HostSettings.Builder()
              .reusePort(reusePort)
              .maxInboundConnectionsPerIp(maxInboundConnectionsPerIp)
              .maxInboundConnections(maxInboundConnections)
              .maxInboundConnectionsPerSubnet(maxInboundConnectionsPerSubnet);
      return settings.upgrade(settings.upgrade().withIdleTimeout(idleTimeout)).build();
    } catch (IllegalArgumentException | NullPointerException e) {
      throw SettingErrors.named(PREFIX, e);
    }
  }

  public NodeProperties {
    if (maxInboundConnections < 1
        || maxInboundConnections >= HostSettings.DEFAULT_MAX_CONNECTIONS) {
      throw new IllegalArgumentException(
          "reach.node.max-inbound-connections must be in [1, "
              + (HostSettings.DEFAULT_MAX_CONNECTIONS - 1)
              + "] (below the node's "
              + HostSettings.DEFAULT_MAX_CONNECTIONS
              + " connections, so it can always dial out), was "
              + maxInboundConnections);
    }
    listen = List.copyOf(listen);
    announce = announce == null ? List.of() : List.copyOf(announce);
    if (listen.isEmpty()) {
      throw new IllegalArgumentException(
          "reach.node.listen: at least one listen address is needed");
    }
    for (int i = 0; i < listen.size(); i++) {
      tcpAddress("reach.node.listen[" + i + "]", listen.get(i), "can be listened on");
    }
    for (int i = 0; i < announce.size(); i++) {
      tcpAddress("reach.node.announce[" + i + "]", announce.get(i), "can be checked");
    }
  }

  /** Only plain TCP over IPv4/IPv6 is something the node listens on and a server can dial back. */
  private static Multiaddr tcpAddress(String setting, String value, String what) {
    Multiaddr address;
    try {
      address = Multiaddr.fromString(value.trim());
    } catch (RuntimeException e) {
      // the multiaddr message already quotes the value and says what is wrong with it; no cause,
      // so Spring's start-up report shows this message (it reports the root cause)
      throw new IllegalArgumentException(setting + ": " + e.getMessage());
    }
    if (address.toTcpSocketAddress().isEmpty()) {
      throw new IllegalArgumentException(
          setting + " = \"" + value + "\": only /ip4|ip6/<address>/tcp/<port> " + what);
    }
    return address;
  }

  public List<Multiaddr> listenAddresses() {
    return listen.stream().map(String::trim).map(Multiaddr::fromString).toList();
  }

  public List<Multiaddr> announceAddresses() {
    return announce.stream().map(String::trim).map(Multiaddr::fromString).toList();
  }
}
