package io.reachability.config;

import static io.reachability.config.ConfiguredSettings.build;
import static io.reachability.config.ConfiguredSettings.ifSet;

import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.dns.DnsSettings;
import io.reachability.libp2p.host.HostSettings;
import io.reachability.libp2p.multiformats.IpLiterals;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The embedded libp2p node ({@code reach.node.*}). A host limit left unset is {@link HostSettings}'
 * default.
 *
 * @param listen TCP and QUIC-v1 multiaddrs to listen on ({@code /ip4|ip6/…/tcp/port}, {@code
 *     /ip4|ip6/…/udp/port/quic-v1}); port 0 picks a free port. The default listens on both
 *     transports on loopback port 4001; a QUIC address is skipped, with a warning, where the QUIC
 *     native library is missing or {@code quic} is off
 * @param identityFile where the node's Ed25519 key lives (libp2p protobuf {@code PrivateKey}
 *     format); empty means a fresh key on every start, otherwise it is created on first start and
 *     reused after
 * @param announce extra candidate addresses of the node (say a port forward or a public address the
 *     node cannot see itself): checked, together with the listen addresses, when a check names no
 *     address
 * @param reusePort dial from the listen port (SO_REUSEPORT, native epoll transport only), so that
 *     the address peers observe for the node's outbound connections carries the NAT mapping of the
 *     listen port, as other libp2p nodes do; off = outbound connections from ephemeral ports
 * @param maxInboundConnections open inbound connections in all, below the node's 1024; the rest
 *     stays for connections the node opens itself, so an inbound flood cannot stop it dialing out
 * @param maxInboundConnectionsPerIp open inbound connections from one IP address; beyond it new
 *     ones from that address are closed at once (so one address cannot take every slot, and with
 *     them the AutoNAT dial-backs the node needs)
 * @param maxInboundConnectionsPerSubnet open inbound connections from one /24 (IPv4) or /64 (IPv6);
 *     beyond it new ones from that subnet are closed at once
 * @param idleTimeout a connection with no open stream for this long is closed
 * @param quic speak QUIC-v1 (listen on the {@code /quic-v1} listen addresses, dial and check QUIC
 *     addresses); on by default where Netty's QUIC native library loads
 * @param dns how {@code /dns}, {@code /dns4}, {@code /dns6} and {@code /dnsaddr} addresses (of
 *     servers, bootstrap peers) are resolved when dialed
 */
@ConfigurationProperties(NodeProperties.PREFIX)
public record NodeProperties(
    @DefaultValue({"/ip4/127.0.0.1/tcp/4001", "/ip4/127.0.0.1/udp/4001/quic-v1"})
        List<String> listen,
    @DefaultValue("") String identityFile,
    @DefaultValue List<String> announce,
    @Nullable Boolean reusePort,
    @Nullable Integer maxInboundConnectionsPerIp,
    // its @param comes before the ...PerIp and ...PerSubnet ones: the configuration processor
    // describes a key by the first @param that starts with the component's name
    @Nullable Integer maxInboundConnections,
    @Nullable Integer maxInboundConnectionsPerSubnet,
    @Nullable Duration idleTimeout,
    @Nullable Boolean quic,
    @DefaultValue Dns dns) {

  static final String PREFIX = "reach.node";

  /**
   * DNS resolution ({@code reach.node.dns.*}); unset values are {@link DnsSettings}' defaults.
   *
   * @param servers name servers to ask, as IP addresses with an optional port ({@code 192.0.2.53},
   *     {@code 192.0.2.53:5353}, {@code [2001:db8::53]:53}); empty = the system's ({@code
   *     /etc/resolv.conf}, with its search domains)
   * @param queryTimeout how long one DNS query may take
   * @param maxDepth how deep {@code /dnsaddr} records may nest
   * @param maxLookups DNS lookups one address may cost in all
   * @param maxAddresses addresses one name yields at most
   * @param maxTtl records are cached no longer than this, whatever their TTL
   * @param negativeTtl how long a missing name is remembered
   * @param maxCachedNames {@code /dnsaddr} record sets cached at once
   */
  public record Dns(
      @DefaultValue List<String> servers,
      @Nullable Duration queryTimeout,
      @Nullable Integer maxDepth,
      @Nullable Integer maxLookups,
      @Nullable Integer maxAddresses,
      @Nullable Duration maxTtl,
      @Nullable Duration negativeTtl,
      @Nullable Integer maxCachedNames) {

    static final String PREFIX = NodeProperties.PREFIX + ".dns";

    public Dns {
      servers = servers == null ? List.of() : List.copyOf(servers);
    }

    /** The settings, checked; an error names its {@code reach.node.dns.*} key. */
    DnsSettings toSettings() {
      List<InetSocketAddress> nameServers = new ArrayList<>();
      for (int i = 0; i < servers.size(); i++) {
        nameServers.add(nameServer(PREFIX + ".servers[" + i + "]", servers.get(i)));
      }
      return build(
          PREFIX,
          () -> {
            DnsSettings.Builder settings = new DnsSettings.Builder().servers(nameServers);
            ifSet(queryTimeout, settings::queryTimeout);
            ifSet(maxDepth, settings::maxDepth);
            ifSet(maxLookups, settings::maxLookups);
            ifSet(maxAddresses, settings::maxAddresses);
            ifSet(maxTtl, settings::maxTtl);
            ifSet(negativeTtl, settings::negativeTtl);
            ifSet(maxCachedNames, settings::maxCachedNames);
            return settings.build();
          });
    }

    /** An IP literal with an optional port; a name server is never itself looked up. */
    private static InetSocketAddress nameServer(String setting, String value) {
      String text = value.strip();
      String host = text;
      int port = DnsSettings.DNS_PORT;
      int colon = text.lastIndexOf(':');
      if (text.startsWith("[")) {
        int close = text.indexOf(']');
        host = close < 0 ? text : text.substring(1, close);
        if (close >= 0 && close + 1 < text.length()) {
          if (text.charAt(close + 1) != ':') {
            throw new NameServerException(setting, value);
          }
          port = port(setting, value, text.substring(close + 2));
        }
      } else if (colon >= 0 && text.indexOf(':') == colon) {
        host = text.substring(0, colon);
        port = port(setting, value, text.substring(colon + 1));
      }
      byte[] ip = IpLiterals.parseIp4(host);
      if (ip == null) {
        ip = IpLiterals.parseIp6(host);
      }
      if (ip == null) {
        throw new NameServerException(setting, value);
      }
      try {
        return new InetSocketAddress(InetAddress.getByAddress(ip), port);
      } catch (UnknownHostException e) {
        throw new NameServerException(setting, value);
      }
    }

    private static int port(String setting, String value, String text) {
      try {
        int port = Integer.parseInt(text);
        if (port >= 1 && port <= 0xFFFF) {
          return port;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new NameServerException(setting, value);
    }
  }

  /** A name server setting that is not an IP address with an optional port. */
  private static final class NameServerException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    NameServerException(String setting, String value) {
      super(
          setting
              + " = \""
              + value
              + "\": a name server is an IP address with an optional port (192.0.2.53,"
              + " 192.0.2.53:5353, [2001:db8::53]:53)");
    }
  }

  public NodeProperties {
    listen = List.copyOf(listen);
    announce = announce == null ? List.of() : List.copyOf(announce);
    if (listen.isEmpty()) {
      throw new IllegalArgumentException(
          "reach.node.listen: at least one listen address is needed");
    }
    for (int i = 0; i < listen.size(); i++) {
      ipAddress("reach.node.listen[" + i + "]", listen.get(i), "can be listened on");
    }
    for (int i = 0; i < announce.size(); i++) {
      ipAddress("reach.node.announce[" + i + "]", announce.get(i), "can be checked");
    }
  }

  /**
   * The node's host settings: {@link HostSettings}' defaults with what is configured, checked by
   * {@link HostSettings}; an error names the {@code reach.node.*} key. {@code Libp2pConfiguration}
   * asks for them at start.
   */
  HostSettings toSettings() {
    DnsSettings dnsSettings = dns.toSettings(); // names its own keys
    return build(
        PREFIX,
        () -> {
          HostSettings.Builder settings = new HostSettings.Builder();
          ifSet(reusePort, settings::reusePort);
          ifSet(quic, settings::quic);
          ifSet(maxInboundConnectionsPerIp, settings::maxInboundConnectionsPerIp);
          ifSet(maxInboundConnections, settings::maxInboundConnections);
          ifSet(maxInboundConnectionsPerSubnet, settings::maxInboundConnectionsPerSubnet);
          ifSet(idleTimeout, t -> settings.upgrade(settings.upgrade().withIdleTimeout(t)));
          settings.dns(dnsSettings);
          return leavingRoomToDialOut(settings.build());
        });
  }

  /**
   * The node's own rule on top of the host's (which takes the smaller of the two limits): inbound
   * connections alone never fill every slot, so the node can always dial its servers.
   */
  private static HostSettings leavingRoomToDialOut(HostSettings settings) {
    int inbound = settings.maxInboundConnections();
    int all = settings.maxConnections();
    if (inbound >= all) {
      throw new IllegalArgumentException(
          "maxInboundConnections must be in [1, "
              + (all - 1)
              + "] (below the node's "
              + all
              + " connections, so it can always dial out), was "
              + inbound);
    }
    return settings;
  }

  /**
   * Only plain TCP or QUIC-v1 over IPv4/IPv6 is something the node listens on and a server can dial
   * back.
   */
  private static Multiaddr ipAddress(String setting, String value, String what) {
    Multiaddr address;
    try {
      address = Multiaddr.fromString(value.trim());
    } catch (RuntimeException e) {
      // the multiaddr message already quotes the value and says what is wrong with it; no cause,
      // so Spring's start-up report shows this message (it reports the root cause)
      throw new IllegalArgumentException(setting + ": " + e.getMessage());
    }
    if (address.toIpSocketAddress().isEmpty()) {
      throw new IllegalArgumentException(
          setting
              + " = \""
              + value
              + "\": only /ip4|ip6/<address>/tcp/<port> or /ip4|ip6/<address>/udp/<port>/quic-v1 "
              + what);
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
