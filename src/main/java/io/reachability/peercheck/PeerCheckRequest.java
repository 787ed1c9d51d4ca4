package io.reachability.peercheck;

import io.reachability.libp2p.core.PeerId;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A validated peer check.
 *
 * @param peer the peer asked about
 * @param addresses the addresses named in the request, DNS names resolved and judged at submission;
 *     empty = look the peer up in the DHT
 * @param timeout bound on the whole check; null = the default
 */
public record PeerCheckRequest(
    PeerId peer, List<PeerAddress> addresses, @Nullable Duration timeout) {

  public PeerCheckRequest {
    Objects.requireNonNull(peer, "peer");
    addresses = List.copyOf(addresses);
  }
}
