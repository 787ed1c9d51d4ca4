package io.reachability.autonat;

import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of one AutoNAT v2 check against one server, with the evidence behind it.
 *
 * @param server the server's peer id
 * @param serverAddress the address the server was reached at: the remote address of the connection
 *     the check ran on (an open connection to the server's peer id is reused, whatever address the
 *     check was given), or the address given when no connection was made
 * @param testedIndex index (into the addresses sent) of the address the server says it dialed; null
 *     when it dialed none or reported an index out of range
 * @param testedAddress the address at {@code testedIndex}; null with it
 * @param responseStatus the server's response status; null when no response with a status we
 *     understand arrived
 * @param dialStatus the server's dial status; null when there was none (or not one we understand)
 * @param reachability the verdict for {@code testedAddress}
 * @param reason why, in words (for logs, the REST API and operators)
 * @param nonceVerified whether this check's nonce arrived on a dial-back
 * @param dialBackAddress the local address of the connection the nonce arrived on; null when it did
 *     not arrive
 * @param dialDataBytes dial data paid to the server (DialDataResponse payload bytes)
 * @param duration from the start of the check to the verdict
 */
public record CheckResult(
    PeerId server,
    Multiaddr serverAddress,
    @Nullable Integer testedIndex,
    @Nullable Multiaddr testedAddress,
    @Nullable ResponseStatus responseStatus,
    @Nullable DialStatus dialStatus,
    Reachability reachability,
    String reason,
    boolean nonceVerified,
    @Nullable Multiaddr dialBackAddress,
    long dialDataBytes,
    Duration duration) {

  public CheckResult {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(serverAddress, "serverAddress");
    Objects.requireNonNull(reachability, "reachability");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(duration, "duration");
  }
}
