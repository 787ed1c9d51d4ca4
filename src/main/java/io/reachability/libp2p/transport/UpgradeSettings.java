package io.reachability.libp2p.transport;

import io.reachability.libp2p.multistream.Multistream;
import io.reachability.libp2p.noise.Noise;
import io.reachability.libp2p.tls.Tls;
import io.reachability.libp2p.yamux.YamuxSettings;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Limits of the connection upgrade (TCP → multistream → Noise → multistream → yamux), of the
 * per-stream protocol negotiation and of an upgraded connection's idleness.
 *
 * @param negotiationTimeout one multistream-select negotiation (connection or stream)
 * @param handshakeTimeout the security handshake (Noise or TLS)
 * @param upgradeTimeout the whole upgrade, from TCP connect to a usable muxed connection
 * @param yamux muxer settings (windows, stream limits)
 * @param idleTimeout an upgraded connection with no stream open on our side for this long is closed
 *     (streams we closed and whose FIN from the peer we still await do not count)
 * @param securityProtocols the security protocols we offer, most preferred first ({@code /noise},
 *     {@code /tls/1.0.0}); a responder accepts any of them
 */
public record UpgradeSettings(
    Duration negotiationTimeout,
    Duration handshakeTimeout,
    Duration upgradeTimeout,
    YamuxSettings yamux,
    Duration idleTimeout,
    List<String> securityProtocols) {

  /** Noise first, as go-libp2p and rust-libp2p prefer it; TLS for peers that only speak TLS. */
  public static final List<String> DEFAULT_SECURITY_PROTOCOLS =
      List.of(Noise.PROTOCOL_ID, Tls.PROTOCOL_ID);

  private static final List<String> KNOWN_SECURITY_PROTOCOLS = DEFAULT_SECURITY_PROTOCOLS;

  /** Whole-upgrade bound: a slow peer may not hold a socket longer than this. */
  public static final Duration DEFAULT_UPGRADE_TIMEOUT = Duration.ofSeconds(15);

  /**
   * A connection nobody uses gives its slot back after this long. Without it an authenticated peer
   * held a slot for ever for the price of a handshake, and enough of them kept the node from
   * accepting the AutoNAT dial-backs it needs. Half a minute is far longer than the gaps within one
   * piece of work on a connection (identify right after connecting, a check's request right after
   * the dial, the next probe of a monitor round), so connections in use are not cut, and one to an
   * AutoNAT server is simply dialed again when a check needs it later.
   */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);

  public UpgradeSettings {
    Objects.requireNonNull(negotiationTimeout, "negotiationTimeout");
    Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
    Objects.requireNonNull(upgradeTimeout, "upgradeTimeout");
    Objects.requireNonNull(yamux, "yamux");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    requirePositive(negotiationTimeout, "negotiationTimeout");
    requirePositive(handshakeTimeout, "handshakeTimeout");
    requirePositive(upgradeTimeout, "upgradeTimeout");
    requirePositive(idleTimeout, "idleTimeout");
    securityProtocols = List.copyOf(securityProtocols);
    if (securityProtocols.isEmpty()
        || !KNOWN_SECURITY_PROTOCOLS.containsAll(securityProtocols)
        || securityProtocols.stream().distinct().count() != securityProtocols.size()) {
      throw new IllegalArgumentException(
          "securityProtocols must be distinct ones of "
              + KNOWN_SECURITY_PROTOCOLS
              + ", was "
              + securityProtocols);
    }
  }

  static void requirePositive(Duration value, String name) {
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + value);
    }
  }

  public static UpgradeSettings defaults() {
    return new UpgradeSettings(
        Multistream.DEFAULT_NEGOTIATION_TIMEOUT,
        Noise.DEFAULT_HANDSHAKE_TIMEOUT,
        DEFAULT_UPGRADE_TIMEOUT,
        YamuxSettings.defaults(),
        DEFAULT_IDLE_TIMEOUT,
        DEFAULT_SECURITY_PROTOCOLS);
  }

  public UpgradeSettings withYamux(YamuxSettings settings) {
    return new UpgradeSettings(
        negotiationTimeout,
        handshakeTimeout,
        upgradeTimeout,
        settings,
        idleTimeout,
        securityProtocols);
  }

  public UpgradeSettings withNegotiationTimeout(Duration value) {
    return new UpgradeSettings(
        value, handshakeTimeout, upgradeTimeout, yamux, idleTimeout, securityProtocols);
  }

  public UpgradeSettings withUpgradeTimeout(Duration value) {
    return new UpgradeSettings(
        negotiationTimeout, handshakeTimeout, value, yamux, idleTimeout, securityProtocols);
  }

  public UpgradeSettings withIdleTimeout(Duration value) {
    return new UpgradeSettings(
        negotiationTimeout, handshakeTimeout, upgradeTimeout, yamux, value, securityProtocols);
  }

  public UpgradeSettings withSecurityProtocols(List<String> value) {
    return new UpgradeSettings(
        negotiationTimeout, handshakeTimeout, upgradeTimeout, yamux, idleTimeout, value);
  }
}
