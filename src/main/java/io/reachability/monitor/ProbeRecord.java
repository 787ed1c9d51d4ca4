package io.reachability.monitor;

import io.reachability.libp2p.core.Multiaddr;
import java.time.Instant;
import java.util.Objects;

/**
 * One probe's outcome as the monitor remembers it.
 *
 * @param at when the outcome arrived
 * @param server the server that answered (its multiaddr with {@code /p2p})
 * @param outcome what it came to
 */
public record ProbeRecord(Instant at, Multiaddr server, ProbeOutcome outcome) {

  public ProbeRecord {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(outcome, "outcome");
  }
}
