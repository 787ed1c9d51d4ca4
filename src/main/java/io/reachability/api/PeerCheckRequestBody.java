package io.reachability.api;

import io.reachability.peercheck.PeerCheckSubmission;
import io.reachability.peercheck.PeerChecks;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * {@code POST /api/v1/peer-checks}: {@code peer} required, the rest optional.
 *
 * @param peer a peer id, or a multiaddr ending in {@code /p2p/<peer id>} (then that address is
 *     dialed)
 * @param addresses addresses to dial; none (and none in {@code peer}) = look the peer up in the DHT
 * @param timeoutSeconds bound on the whole check
 */
@Schema(
    description =
        """
        A peer check request: `peer` is required, the rest optional (`null` means absent). Integer
        fields take JSON integers only. Validation beyond the JSON types is reported as field errors
        (400).\
        """)
public record PeerCheckRequestBody(
    @Schema(
            requiredMode = Schema.RequiredMode.REQUIRED,
            description =
                """
                The peer to check: a peer id (`12D3KooW…`, `Qm…`), or a multiaddr ending in
                `/p2p/<peer id>` (that address is dialed, with any in `addresses`). With no address
                at all, the peer's addresses are looked up in the DHT (FIND_NODE towards its id).\
                """,
            example = "12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN")
        @Nullable String peer,
    @ArraySchema(
            maxItems = PeerChecks.MAX_ADDRESSES,
            arraySchema =
                @Schema(
                    description =
                        """
                        Addresses of the peer to dial, each on its own; absent or empty = the one in
                        `peer`, or the DHT's. At most `reach.peer-checks.max-addresses` (default 16)
                        with the one in `peer`. Each must be a TCP or QUIC-v1 multiaddr
                        (`/ip4|ip6|dns|dns4|dns6/<host>/tcp/<port>`, `…/udp/<port>/quic-v1`) or
                        `/dnsaddr/<domain>`, not relayed, optionally ending in `/p2p/<the same peer
                        id>`. Targets must be public: loopback, private (RFC 1918), CGNAT,
                        link-local, documentation, multicast and other non-public ranges are a 400
                        naming the range, unless `reach.peer-checks.allow-private-addresses` is set.
                        A DNS name is resolved on submission and judged by every address it
                        resolves to; those addresses are what is dialed.\
                        """),
            schema =
                @Schema(
                    description = "A multiaddr (surrounding whitespace is trimmed).",
                    example = "/ip6/3fff:0:200::2/tcp/4001"))
        @Nullable List<@Nullable String> addresses,
    @Schema(
            description =
                "Bound on the whole check (lookup and dials), in seconds. Absent = the setting"
                    + " `reach.peer-checks.default-timeout` (default 60 s).",
            minimum = "1",
            maximum = "" + PeerChecks.MAX_TIMEOUT_SECONDS)
        @Nullable Integer timeoutSeconds) {

  PeerCheckSubmission toSubmission() {
    return new PeerCheckSubmission(peer, addresses, timeoutSeconds);
  }
}
