package io.reachability.libp2p.kad;

import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import java.util.List;
import java.util.Objects;

/**
 * A peer a DHT node told us of: its id and the addresses it gave (without {@code /p2p}).
 *
 * @param id the peer's id
 * @param addresses its addresses as received, at most {@link Kad#MAX_ADDRESSES_PER_PEER}
 */
public record KadPeer(PeerId id, List<Multiaddr> addresses) {

  public KadPeer {
    Objects.requireNonNull(id, "id");
    addresses = List.copyOf(addresses);
  }
}
