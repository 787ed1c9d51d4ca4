package io.reachability.monitor;

import io.reachability.autonat.AddressClass;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.host.Host;
import io.reachability.libp2p.host.ObservedAddress;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which of the node's addresses the monitor tracks: its listen addresses (wildcards expanded), the
 * announced ones, and up to {@link #MAX_OBSERVED_CANDIDATES} addresses the pool's servers observed
 * for the node over identify (only while the node dials from its listen port: otherwise they carry
 * ephemeral ports nobody can dial). Private ones only when the servers can dial them (embedded
 * servers on loopback).
 */
public final class CandidateAddresses {

  /** Most observed addresses taken as candidates (go-libp2p takes 3 per listen address). */
  public static final int MAX_OBSERVED_CANDIDATES = 3;

  private CandidateAddresses() {}

  /**
   * The candidates now, in order: listen, announced, observed.
   *
   * @param announced addresses the operator says the node has (port forwards, public addresses)
   * @param servers the peer ids whose observations count (the pool's servers)
   * @param privateDialable whether non-public addresses can be checked at all
   */
  public static List<Multiaddr> of(
      Host host, List<Multiaddr> announced, Set<PeerId> servers, boolean privateDialable) {
    return of(
        host.interfaceListenAddresses(),
        announced,
        host.dialsFromListenPort() ? host.observedAddresses() : List.of(),
        servers,
        privateDialable);
  }

  /**
   * The candidates from the node's own addresses, the announced ones and the observations worth
   * taking ({@code observed} is empty unless the node dials from its listen port). An observation
   * that could not be checked is never taken, so it cannot push out one that could.
   */
  static List<Multiaddr> of(
      List<Multiaddr> own,
      List<Multiaddr> announced,
      List<ObservedAddress> observed,
      Set<PeerId> servers,
      boolean privateDialable) {
    Predicate<Multiaddr> checkable = a -> privateDialable || AddressClass.isPublic(a);
    Set<Multiaddr> result = new LinkedHashSet<>(own);
    result.addAll(announced);
    observed.stream()
        .filter(o -> o.observers().stream().anyMatch(servers::contains))
        .map(ObservedAddress::address)
        .filter(checkable)
        .filter(a -> !result.contains(a))
        .limit(MAX_OBSERVED_CANDIDATES)
        .forEach(result::add);
    return result.stream().filter(checkable).toList();
  }
}
