package io.reachability.job;

import io.reachability.autonat.Reachability;
import io.reachability.libp2p.core.Multiaddr;
import java.util.List;
import java.util.Objects;

/**
 * The verdict on one address and the evidence behind it.
 *
 * @param warnings things the user should know about the address (say, the node does not listen on
 *     its port), independent of the servers' answers
 * @param attempts every server asked, in the order the answers came
 */
public record AddressResult(
    Multiaddr address, Reachability verdict, List<String> warnings, List<Attempt> attempts) {

  public AddressResult {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(verdict, "verdict");
    warnings = List.copyOf(warnings);
    attempts = List.copyOf(attempts);
  }
}
