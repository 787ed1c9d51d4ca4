package io.reachability.config;

import io.reachability.autonat.AddressClass;
import io.reachability.libp2p.host.Host;
import io.reachability.libp2p.host.ObservedAddress;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The IP addresses that are the node's own, for deciding what a check may name. */
final class NodeIps {

  private static final Logger log = LoggerFactory.getLogger(NodeIps.class);

  private NodeIps() {}

  /** IPs the node listens on (wildcards expanded), announces, or was observed at by peers. */
  static Set<InetAddress> of(Host host, NodeProperties node) {
    Set<InetAddress> ips = new HashSet<>();
    Stream.concat(
            Stream.concat(host.interfaceListenAddresses().stream(), node.announceAddresses().stream()),
            host.observedAddresses().stream().map(ObservedAddress::address))
        .map(AddressClass::ip)
        .flatMap(java.util.Optional::stream)
        .forEach(ips::add);
    return ips;
  }

  /** Every address of this machine's interfaces that are up, without scope ids; read once. */
  static Set<InetAddress> machineAddresses() {
    Set<InetAddress> ips = new HashSet<>();
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (nif.isUp()) {
          for (InetAddress address : Collections.list(nif.getInetAddresses())) {
            ips.add(InetAddress.getByAddress(address.getAddress())); // the same address a multiaddr gives
          }
        }
      }
    } catch (SocketException | UnknownHostException e) {
      log.warn("cannot list this machine's interfaces; checks may name listen, announced and observed addresses only: {}", e.toString());
    }
    return Set.copyOf(ips);
  }
}
