package io.reachability.job;

import io.reachability.libp2p.core.Multiaddr;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The node's own addresses as jobs see them.
 *
 * @param listen where the node listens (real ports)
 * @param announce extra candidate addresses the operator configured
 */
public record NodeAddresses(List<Multiaddr> listen, List<Multiaddr> announce) {

  public NodeAddresses {
    listen = List.copyOf(listen);
    announce = List.copyOf(announce);
  }

  /** What a job with no addresses checks: listen then announce, without duplicates. */
  public List<Multiaddr> candidates() {
    Set<Multiaddr> all = new LinkedHashSet<>(listen);
    all.addAll(announce);
    return List.copyOf(all);
  }

  /**
   * Warnings about checking {@code address}: a dial-back to a TCP or QUIC port the node does not
   * listen on cannot succeed (an announced address is trusted to be forwarded to the node).
   */
  public List<String> warnings(Multiaddr address) {
    List<String> warnings = new ArrayList<>();
    Multiaddr plain = address.withoutPeerId();
    Optional<InetSocketAddress> socket = plain.toIpSocketAddress();
    if (socket.isEmpty() || announce.contains(plain)) {
      return warnings;
    }
    int port = socket.get().getPort();
    boolean quic = plain.isQuic();
    boolean listening =
        listen.stream()
            .filter(a -> a.isQuic() == quic)
            .flatMap(a -> a.toIpSocketAddress().stream())
            .anyMatch(s -> s.getPort() == port);
    if (!listening) {
      warnings.add(
          "the node does not listen on "
              + (quic ? "udp/" + port + "/quic-v1" : "tcp/" + port)
              + "; a dial-back cannot succeed");
    }
    return warnings;
  }
}
