package io.reachability.autonat;

import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How one dial request served by {@link AutonatServer} ended. Every request produces exactly one,
 * however it ends (answered, rejected, refused, reset by either side, timed out).
 *
 * @param peer the requesting peer
 * @param remoteAddress the requester's address as observed on the connection
 * @param addressCount addresses in the request (0 when it was never read)
 * @param selectedIndex index of the address chosen for the dial-back, -1 when none was chosen
 * @param selectedAddress that address, without {@code /p2p}; null when none was chosen
 * @param dialDataRequested bytes of dial data asked for (0 when the IP matched or nothing was
 *     selected)
 * @param dialDataReceived bytes of dial data counted ({@code data} fields only)
 * @param responseStatus what the server answered; null when the stream was reset instead
 * @param dialStatus the dial-back's result ({@link DialStatus#UNUSED} when there was none)
 * @param reason why it ended this way when not a plain success (rejecting limit, reset cause, dial
 *     error); null otherwise
 * @param duration from the stream's arrival to the end
 */
public record DialRequestOutcome(
    PeerId peer,
    Multiaddr remoteAddress,
    int addressCount,
    int selectedIndex,
    @Nullable Multiaddr selectedAddress,
    long dialDataRequested,
    long dialDataReceived,
    @Nullable ResponseStatus responseStatus,
    DialStatus dialStatus,
    @Nullable String reason,
    Duration duration) {

  /** True when the stream was reset instead of answered. */
  public boolean wasReset() {
    return responseStatus == null;
  }
}
