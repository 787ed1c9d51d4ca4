package io.reachability.libp2p.transport;

import io.reachability.libp2p.multistream.Multistream;
import io.reachability.libp2p.noise.Noise;
import io.reachability.libp2p.yamux.YamuxSettings;
import java.time.Duration;
import java.util.Objects;

/**
 * Limits of the connection upgrade (TCP → multistream → Noise → multistream → yamux) and of the
 * per-stream protocol negotiation.
 *
 * @param negotiationTimeout one multistream-select negotiation (connection or stream)
 * @param handshakeTimeout the Noise handshake
 * @param upgradeTimeout the whole upgrade, from TCP connect to a usable muxed connection
 * @param yamux muxer settings (windows, stream limits)
 */
public record UpgradeSettings(
    Duration negotiationTimeout, Duration handshakeTimeout, Duration upgradeTimeout, YamuxSettings yamux) {

  /** Whole-upgrade bound: a slow peer may not hold a socket longer than this. */
  public static final Duration DEFAULT_UPGRADE_TIMEOUT = Duration.ofSeconds(15);

  public UpgradeSettings {
    Objects.requireNonNull(negotiationTimeout, "negotiationTimeout");
    Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
    Objects.requireNonNull(upgradeTimeout, "upgradeTimeout");
    Objects.requireNonNull(yamux, "yamux");
    requirePositive(negotiationTimeout, "negotiationTimeout");
    requirePositive(handshakeTimeout, "handshakeTimeout");
    requirePositive(upgradeTimeout, "upgradeTimeout");
  }

  static void requirePositive(Duration value, String name) {
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + value);
    }
  }

  public static UpgradeSettings defaults() {
    return new UpgradeSettings(
        Multistream.DEFAULT_NEGOTIATION_TIMEOUT, Noise.DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_UPGRADE_TIMEOUT, YamuxSettings.defaults());
  }

  public UpgradeSettings withYamux(YamuxSettings settings) {
    return new UpgradeSettings(negotiationTimeout, handshakeTimeout, upgradeTimeout, settings);
  }
}
