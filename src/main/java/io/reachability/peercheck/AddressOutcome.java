package io.reachability.peercheck;

import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One address of a peer check, dialed on its own.
 *
 * @param address the address dialed (without {@code /p2p})
 * @param verdict what the dial showed
 * @param connectTime from the dial to a secured, multiplexed connection; null without one
 * @param provenPeer the peer the handshake proved; null without a connection
 * @param securityProtocol the security protocol negotiated ({@code /noise}, {@code /tls/1.0.0},
 *     {@code quic-v1}); null without a connection
 * @param muxer the stream muxer negotiated ({@code /yamux/1.0.0}, {@code quic-v1})
 * @param agentVersion what identify said the node runs; null when identify did not answer
 * @param protocols the protocols identify listed (empty when it did not answer)
 * @param listenAddresses the addresses identify listed
 * @param observedAddress the address the peer observed for us
 * @param servesAutonatV2 whether identify lists the AutoNAT v2 dial-request protocol
 * @param pingRtt one ping's round trip; null when ping did not answer
 * @param error why the dial, identify or ping failed; null when all went well
 */
public record AddressOutcome(
    Multiaddr address,
    AddressVerdict verdict,
    @Nullable Duration connectTime,
    @Nullable PeerId provenPeer,
    @Nullable String securityProtocol,
    @Nullable String muxer,
    @Nullable String agentVersion,
    List<String> protocols,
    List<Multiaddr> listenAddresses,
    @Nullable Multiaddr observedAddress,
    boolean servesAutonatV2,
    @Nullable Duration pingRtt,
    @Nullable String error) {

  public AddressOutcome {
    protocols = List.copyOf(protocols);
    listenAddresses = List.copyOf(listenAddresses);
  }

  static AddressOutcome unreachable(Multiaddr address, String error) {
    return new AddressOutcome(
        address,
        AddressVerdict.UNREACHABLE,
        null,
        null,
        null,
        null,
        null,
        List.of(),
        List.of(),
        null,
        false,
        null,
        error);
  }
}
