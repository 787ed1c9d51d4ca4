package io.reachability.libp2p.host;

import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.ProtocolHandler;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.libp2p.crypto.PrivateKey;
import io.reachability.libp2p.dns.DnsSettings;
import io.reachability.libp2p.transport.UpgradeSettings;
import io.reachability.libp2p.yamux.YamuxSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** Builds a {@link Host}: identity, listen addresses, protocol handlers, limits. */
public final class HostBuilder {

  /** Thread name prefix when none is given. */
  public static final String DEFAULT_THREAD_NAME = "libp2p";

  private @Nullable PrivateKey identity;
  private final List<Multiaddr> listen = new ArrayList<>();
  private final Map<String, ProtocolHandler> handlers = new LinkedHashMap<>();
  private HostSettings.Builder settings = new HostSettings.Builder();
  private String threadName = DEFAULT_THREAD_NAME;
  private boolean identifyOnConnect = true;
  private boolean nativeTransport = true;
  private Clock clock = Clock.systemUTC();

  HostBuilder() {}

  /** The host's identity; an ephemeral Ed25519 key when not set. */
  public HostBuilder identity(PrivateKey key) {
    this.identity = Objects.requireNonNull(key, "identity");
    return this;
  }

  /**
   * Adds a listen address: {@code /ip4|ip6/…/tcp/port} or {@code /ip4|ip6/…/udp/port/quic-v1}; port
   * 0 picks one.
   */
  public HostBuilder listen(Multiaddr address) {
    listen.add(Objects.requireNonNull(address, "listen address"));
    return this;
  }

  public HostBuilder listen(String address) {
    return listen(Multiaddr.fromString(address));
  }

  public HostBuilder protocol(String protocolId, ProtocolHandler handler) {
    handlers.put(Objects.requireNonNull(protocolId), Objects.requireNonNull(handler));
    return this;
  }

  public HostBuilder settings(HostSettings value) {
    this.settings = value.toBuilder();
    return this;
  }

  public HostBuilder dialTimeout(Duration timeout) {
    settings.dialTimeout(timeout);
    return this;
  }

  public HostBuilder maxConnections(int max) {
    settings.maxConnections(max);
    return this;
  }

  /**
   * Open inbound connections from one IP address ({@link
   * HostSettings#maxInboundConnectionsPerIp()}).
   */
  public HostBuilder maxInboundConnectionsPerIp(int max) {
    settings.maxInboundConnectionsPerIp(max);
    return this;
  }

  /** Open inbound connections in all ({@link HostSettings#maxInboundConnections()}). */
  public HostBuilder maxInboundConnections(int max) {
    settings.maxInboundConnections(max);
    return this;
  }

  /**
   * Open inbound connections from one /24 or /64 ({@link
   * HostSettings#maxInboundConnectionsPerSubnet()}).
   */
  public HostBuilder maxInboundConnectionsPerSubnet(int max) {
    settings.maxInboundConnectionsPerSubnet(max);
    return this;
  }

  /** How long a connection with no open stream is kept ({@link UpgradeSettings#idleTimeout()}). */
  public HostBuilder idleTimeout(Duration timeout) {
    return upgrade(settings.upgrade().withIdleTimeout(timeout));
  }

  public HostBuilder ioThreads(int threads) {
    settings.ioThreads(threads);
    return this;
  }

  public HostBuilder agentVersion(String agent) {
    settings.agentVersion(agent);
    return this;
  }

  public HostBuilder upgrade(UpgradeSettings upgrade) {
    settings.upgrade(upgrade);
    return this;
  }

  /**
   * Whether to listen with SO_REUSEPORT and dial from the listen port (default {@value
   * HostSettings#DEFAULT_REUSE_PORT}; see {@link HostSettings#reusePort()}).
   */
  public HostBuilder reusePort(boolean enabled) {
    settings.reusePort(enabled);
    return this;
  }

  /**
   * Whether to speak QUIC-v1 (default {@value HostSettings#DEFAULT_QUIC}; see {@link
   * HostSettings#quic()}).
   */
  public HostBuilder quic(boolean enabled) {
    settings.quic(enabled);
    return this;
  }

  /** How DNS addresses are resolved when dialed (see {@link HostSettings#dns()}). */
  public HostBuilder dns(DnsSettings dns) {
    settings.dns(dns);
    return this;
  }

  public HostBuilder yamux(YamuxSettings yamux) {
    return upgrade(settings.upgrade().withYamux(yamux));
  }

  /** Names the host's threads (helps when one JVM runs several hosts). */
  public HostBuilder threadName(String prefix) {
    this.threadName = Objects.requireNonNull(prefix);
    return this;
  }

  /**
   * Whether to run identify on every new outbound connection (default true, as libp2p nodes do;
   * inbound connections are identified on demand). A host that only makes short-lived probe
   * connections, like an AutoNAT dial-back host, turns it off.
   */
  public HostBuilder identifyOnConnect(boolean enabled) {
    this.identifyOnConnect = enabled;
    return this;
  }

  /**
   * The clock that stamps observed addresses ({@link Host#observedAddresses()}); system UTC by
   * default.
   */
  public HostBuilder clock(Clock value) {
    this.clock = Objects.requireNonNull(value, "clock");
    return this;
  }

  /**
   * Whether to use the native epoll transport when available (default); false forces NIO (tests).
   */
  HostBuilder nativeTransport(boolean enabled) {
    this.nativeTransport = enabled;
    return this;
  }

  /** Builds the host; {@link Host#start()} binds the listen addresses. */
  public Host build() {
    PrivateKey key = identity != null ? identity : Keys.generateEd25519();
    return new Host(
        key,
        List.copyOf(listen),
        handlers,
        settings.build(),
        threadName,
        identifyOnConnect,
        nativeTransport,
        clock);
  }
}
