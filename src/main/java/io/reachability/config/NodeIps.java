package io.reachability.config;

import io.reachability.autonat.AddressClass;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.host.Host;
import io.reachability.libp2p.host.ObservedAddress;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/** The IP addresses that are the node's own, for deciding what a check may name. */
final class NodeIps {

  private NodeIps() {}

  /**
   * This machine's {@code interfaces} and the IPs the node listens on (wildcards expanded),
   * announces, or was observed at by peers.
   */
  static Set<InetAddress> of(Host host, List<Multiaddr> announce, Set<InetAddress> interfaces) {
    Set<InetAddress> ips = new HashSet<>(interfaces);
    Stream.concat(
            Stream.concat(host.interfaceListenAddresses().stream(), announce.stream()),
            host.observedAddresses().stream().map(ObservedAddress::address))
        .map(AddressClass::ip)
        .flatMap(Optional::stream)
        .forEach(ips::add);
    return ips;
  }
}
