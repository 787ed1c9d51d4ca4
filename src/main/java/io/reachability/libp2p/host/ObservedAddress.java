package io.reachability.libp2p.host;

import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * An address peers observed for this node: identify's {@code observedAddr} on connections this node
 * dialed, as {@code /ip4|ip6/…/tcp/port}. Behind a NAT, with {@link HostSettings#reusePort()}, it
 * is the public address and port the NAT maps the listen port to: a candidate for what the outside
 * can dial (to be confirmed, say with AutoNAT; an observation proves nothing).
 *
 * @param address how the observers see us (no {@code /p2p})
 * @param observers the peers whose latest observation (per IP family) is this address
 * @param lastSeen when one of them last reported it
 */
public record ObservedAddress(Multiaddr address, Set<PeerId> observers, Instant lastSeen) {

  public ObservedAddress {
    Objects.requireNonNull(address, "address");
    observers = Set.copyOf(observers);
    Objects.requireNonNull(lastSeen, "lastSeen");
  }
}
