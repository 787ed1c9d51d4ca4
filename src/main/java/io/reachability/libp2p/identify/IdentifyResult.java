package io.reachability.libp2p.identify;

import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a peer told us about itself over identify.
 *
 * @param observedAddress how the peer sees our side of the connection, when it said so
 */
public record IdentifyResult(
    PeerId peer,
    String protocolVersion,
    String agentVersion,
    List<Multiaddr> listenAddresses,
    @Nullable Multiaddr observedAddress,
    List<String> protocols) {

  public IdentifyResult {
    listenAddresses = List.copyOf(listenAddresses);
    protocols = List.copyOf(protocols);
  }

  public boolean supports(String protocolId) {
    return protocols.contains(protocolId);
  }
}
