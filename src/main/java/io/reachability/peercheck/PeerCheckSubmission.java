package io.reachability.peercheck;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A peer check as a caller sent it, not yet validated: every field may be missing or wrong.
 *
 * @param peer a peer id, or a multiaddr ending in {@code /p2p/<id>}
 * @param addresses addresses to dial instead of looking the peer up in the DHT
 * @param timeoutSeconds bound on the whole check
 */
public record PeerCheckSubmission(
    @Nullable String peer,
    @Nullable List<@Nullable String> addresses,
    @Nullable Integer timeoutSeconds) {}
