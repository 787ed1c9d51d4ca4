package io.reachability.libp2p.host;

import io.reachability.libp2p.dns.DnsSettings;
import io.reachability.libp2p.transport.UpgradeSettings;
import java.time.Duration;
import java.util.Objects;

/**
 * Limits of a host.
 *
 * @param dialTimeout TCP connect timeout of an outgoing dial (the upgrade has its own bound)
 * @param maxConnections open connections (inbound + outbound, upgrading ones included); over it,
 *     inbound sockets are closed at once and dials fail (connections admitted into a {@linkplain
 *     Host#reserveInboundSlots reserve} come on top)
 * @param ioThreads event loop threads; 0 = Netty's default (2 × cores)
 * @param agentVersion what identify announces as our agent
 * @param upgrade connection upgrade and muxer limits (inbound streams per connection among them)
 * @param reusePort listen with SO_REUSEPORT and dial from the listen port, so that the address
 *     peers observe for an outbound connection carries the NAT mapping of the listen port (as
 *     go-libp2p, rust-libp2p and js-libp2p do for TCP); needs the native epoll transport, and a
 *     dial falls back to an ephemeral port whenever reuse is impossible
 * @param maxInboundConnectionsPerIp open inbound connections from one IP address; over it, a new
 *     one from that address is closed at once, so one address cannot take every connection slot
 *     (and with them the AutoNAT dial-backs the node needs to be found reachable)
 * @param maxInboundConnections open inbound connections in all (upgrading ones included); over it,
 *     a new one is closed at once. Below {@code maxConnections}, so that an inbound flood never
 *     leaves the node unable to dial out; the smaller of the two applies
 * @param maxInboundConnectionsPerSubnet open inbound connections from one subnet (/24 for IPv4, /64
 *     for IPv6); over it, a new one from that subnet is closed at once, so a handful of addresses
 *     of one network cannot take every slot either
 * @param quic whether the host speaks QUIC-v1 (listens on the {@code /quic-v1} addresses it is
 *     given and dials them); where the QUIC native library is missing it runs without, and says so
 * @param dns how {@code /dns*} and {@code /dnsaddr} addresses are resolved when dialed
 */
public record HostSettings(
    Duration dialTimeout,
    int maxConnections,
    int ioThreads,
    String agentVersion,
    UpgradeSettings upgrade,
    boolean reusePort,
    int maxInboundConnectionsPerIp,
    int maxInboundConnections,
    int maxInboundConnectionsPerSubnet,
    boolean quic,
    DnsSettings dns) {

  /** QUIC is on by default, where the native library is available. */
  public static final boolean DEFAULT_QUIC = true;

  /** go-libp2p's TCP dial timeout. */
  public static final Duration DEFAULT_DIAL_TIMEOUT = Duration.ofSeconds(10);

  /** Enough for a busy AutoNAT server on two cores; a resource bound, not a fairness policy. */
  public static final int DEFAULT_MAX_CONNECTIONS = 1024;

  /** Dialing from the listen port is on by default, as in the other libp2p implementations. */
  public static final boolean DEFAULT_REUSE_PORT = true;

  /**
   * Inbound connections per remote IP by default: a sixteenth of {@link #DEFAULT_MAX_CONNECTIONS},
   * far above what one honest peer or AutoNAT server holds (dial-backs are short-lived), and enough
   * for everything on this machine's loopback in tests and the embedded pool.
   */
  public static final int DEFAULT_MAX_INBOUND_CONNECTIONS_PER_IP = 64;

  /**
   * Inbound connections in all by default: three quarters of {@link #DEFAULT_MAX_CONNECTIONS}, so
   * however many peers connect to us, a quarter of the slots (256) stays free for connections the
   * node opens itself (to its AutoNAT servers, and its dial-backs when it serves AutoNAT).
   */
  public static final int DEFAULT_MAX_INBOUND_CONNECTIONS = DEFAULT_MAX_CONNECTIONS / 4 * 3;

  /**
   * Inbound connections per subnet (/24, /64) by default: two addresses' worth of {@link
   * #DEFAULT_MAX_INBOUND_CONNECTIONS_PER_IP}. One network (an IPv6 /64 is one end host's) then
   * needs six subnets to fill {@link #DEFAULT_MAX_INBOUND_CONNECTIONS}; the AutoNAT dial-backs the
   * node waits for have reserved slots besides ({@link Host#reserveInboundSlots}).
   */
  public static final int DEFAULT_MAX_INBOUND_CONNECTIONS_PER_SUBNET =
      2 * DEFAULT_MAX_INBOUND_CONNECTIONS_PER_IP;

  /** The agent version announced by default. */
  public static final String DEFAULT_AGENT_VERSION = "reachability-service";

  public HostSettings {
    Objects.requireNonNull(dialTimeout, "dialTimeout");
    Objects.requireNonNull(agentVersion, "agentVersion");
    Objects.requireNonNull(upgrade, "upgrade");
    Objects.requireNonNull(dns, "dns");
    if (dialTimeout.isNegative() || dialTimeout.isZero()) {
      // Netty reads a zero connect timeout as "none"
      throw new IllegalArgumentException("dialTimeout must be positive, was " + dialTimeout);
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException(
          "maxConnections must be at least 1, was " + maxConnections);
    }
    if (maxInboundConnectionsPerIp < 1) {
      throw new IllegalArgumentException(
          "maxInboundConnectionsPerIp must be at least 1, was " + maxInboundConnectionsPerIp);
    }
    if (maxInboundConnections < 1) {
      throw new IllegalArgumentException(
          "maxInboundConnections must be at least 1, was " + maxInboundConnections);
    }
    if (maxInboundConnectionsPerSubnet < 1) {
      throw new IllegalArgumentException(
          "maxInboundConnectionsPerSubnet must be at least 1, was "
              + maxInboundConnectionsPerSubnet);
    }
    if (ioThreads < 0) {
      throw new IllegalArgumentException("ioThreads must not be negative, was " + ioThreads);
    }
  }

  public static HostSettings defaults() {
    return new Builder().build();
  }

  /** A builder starting from these settings. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Settings one by one, from the defaults or from existing settings; {@link #build()} checks them
   * all at once.
   */
  public static final class Builder {
    private Duration dialTimeout = DEFAULT_DIAL_TIMEOUT;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private int ioThreads;
    private String agentVersion = DEFAULT_AGENT_VERSION;
    private UpgradeSettings upgrade = UpgradeSettings.defaults();
    private boolean reusePort = DEFAULT_REUSE_PORT;
    private int maxInboundConnectionsPerIp = DEFAULT_MAX_INBOUND_CONNECTIONS_PER_IP;
    private int maxInboundConnections = DEFAULT_MAX_INBOUND_CONNECTIONS;
    private int maxInboundConnectionsPerSubnet = DEFAULT_MAX_INBOUND_CONNECTIONS_PER_SUBNET;
    private boolean quic = DEFAULT_QUIC;
    private DnsSettings dns = DnsSettings.defaults();

    /** From the defaults. */
    public Builder() {}

    private Builder(HostSettings from) {
      dialTimeout = from.dialTimeout;
      maxConnections = from.maxConnections;
      ioThreads = from.ioThreads;
      agentVersion = from.agentVersion;
      upgrade = from.upgrade;
      reusePort = from.reusePort;
      maxInboundConnectionsPerIp = from.maxInboundConnectionsPerIp;
      maxInboundConnections = from.maxInboundConnections;
      maxInboundConnectionsPerSubnet = from.maxInboundConnectionsPerSubnet;
      quic = from.quic;
      dns = from.dns;
    }

    public Builder dialTimeout(Duration value) {
      dialTimeout = value;
      return this;
    }

    public Builder maxConnections(int value) {
      maxConnections = value;
      return this;
    }

    public Builder ioThreads(int value) {
      ioThreads = value;
      return this;
    }

    public Builder agentVersion(String value) {
      agentVersion = value;
      return this;
    }

    public Builder upgrade(UpgradeSettings value) {
      upgrade = value;
      return this;
    }

    public UpgradeSettings upgrade() {
      return upgrade;
    }

    public Builder reusePort(boolean value) {
      reusePort = value;
      return this;
    }

    public Builder maxInboundConnectionsPerIp(int value) {
      maxInboundConnectionsPerIp = value;
      return this;
    }

    public Builder maxInboundConnections(int value) {
      maxInboundConnections = value;
      return this;
    }

    public Builder maxInboundConnectionsPerSubnet(int value) {
      maxInboundConnectionsPerSubnet = value;
      return this;
    }

    public Builder quic(boolean value) {
      quic = value;
      return this;
    }

    public Builder dns(DnsSettings value) {
      dns = value;
      return this;
    }

    /** The settings; throws {@link IllegalArgumentException} naming the first bad value. */
    public HostSettings build() {
      return new HostSettings(
          dialTimeout,
          maxConnections,
          ioThreads,
          agentVersion,
          upgrade,
          reusePort,
          maxInboundConnectionsPerIp,
          maxInboundConnections,
          maxInboundConnectionsPerSubnet,
          quic,
          dns);
    }
  }
}
