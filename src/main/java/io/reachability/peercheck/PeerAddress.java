package io.reachability.peercheck;

import io.reachability.libp2p.core.Multiaddr;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An address a peer check considered: dialed (its outcome is in the job's results) or skipped.
 *
 * @param address the address as dialed (a DNS name already resolved), without {@code /p2p}
 * @param source where it came from
 * @param resolvedFrom the DNS address it was resolved from; null when it was given as an IP
 * @param skipped why it was not dialed; null when it was (or will be)
 */
public record PeerAddress(
    Multiaddr address,
    AddressSource source,
    @Nullable Multiaddr resolvedFrom,
    @Nullable String skipped) {

  public PeerAddress {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(source, "source");
  }

  public static PeerAddress dialed(
      Multiaddr address, AddressSource source, @Nullable Multiaddr resolvedFrom) {
    return new PeerAddress(address, source, resolvedFrom, null);
  }

  public static PeerAddress skipped(
      Multiaddr address, AddressSource source, @Nullable Multiaddr resolvedFrom, String why) {
    return new PeerAddress(address, source, resolvedFrom, why);
  }

  public boolean isDialed() {
    return skipped == null;
  }
}
