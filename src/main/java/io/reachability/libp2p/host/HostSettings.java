package io.reachability.libp2p.host;

import io.reachability.libp2p.transport.UpgradeSettings;
import java.time.Duration;
import java.util.Objects;

/**
 * Limits of a host.
 *
 * @param dialTimeout TCP connect timeout of an outgoing dial (the upgrade has its own bound)
 * @param maxConnections open connections (inbound + outbound, upgrading ones included); over it,
 *     inbound sockets are closed at once and dials fail
 * @param ioThreads event loop threads; 0 = Netty's default (2 × cores)
 * @param agentVersion what identify announces as our agent
 * @param upgrade connection upgrade and muxer limits (inbound streams per connection among them)
 */
public record HostSettings(
    Duration dialTimeout, int maxConnections, int ioThreads, String agentVersion, UpgradeSettings upgrade) {

  /** go-libp2p's TCP dial timeout. */
  public static final Duration DEFAULT_DIAL_TIMEOUT = Duration.ofSeconds(10);

  /** Enough for a busy AutoNAT server on two cores; a resource bound, not a fairness policy. */
  public static final int DEFAULT_MAX_CONNECTIONS = 1024;

  /** The agent version announced by default. */
  public static final String DEFAULT_AGENT_VERSION = "reachability-service";

  public HostSettings {
    Objects.requireNonNull(dialTimeout, "dialTimeout");
    Objects.requireNonNull(agentVersion, "agentVersion");
    Objects.requireNonNull(upgrade, "upgrade");
    if (dialTimeout.isNegative() || dialTimeout.isZero()) {
      // Netty reads a zero connect timeout as "none"
      throw new IllegalArgumentException("dialTimeout must be positive, was " + dialTimeout);
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be at least 1, was " + maxConnections);
    }
    if (ioThreads < 0) {
      throw new IllegalArgumentException("ioThreads must not be negative, was " + ioThreads);
    }
  }

  public static HostSettings defaults() {
    return new HostSettings(
        DEFAULT_DIAL_TIMEOUT, DEFAULT_MAX_CONNECTIONS, 0, DEFAULT_AGENT_VERSION, UpgradeSettings.defaults());
  }
}
