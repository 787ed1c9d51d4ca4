package io.reachability.interop;

import io.reachability.testing.Waiting;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small DHT of go-libp2p-kad-dht nodes on loopback (the go peer with {@code --dht server}): the
 * first is everyone's bootstrap peer; some nodes also serve go's AutoNAT v2.
 */
final class GoDht {

  /** Until the bootstrap node's table holds every other node. */
  static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(30);

  private GoDht() {}

  /**
   * Starts {@code size} nodes, those at {@code autonatServers} (0-based) also AutoNAT v2 servers,
   * and waits until the first knows the others; the caller closes them.
   */
  static List<InteropPeer> start(int size, Set<Integer> autonatServers) {
    PeerImplementation.GO.assumeAvailable();
    List<InteropPeer> nodes = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      List<String> args = new ArrayList<>(List.of("--dht", "server"));
      if (i > 0) {
        args.addAll(List.of("--bootstrap", nodes.get(0).addrs().get(0)));
      }
      PeerSpec spec = PeerSpec.node().withExtraArgs(args);
      nodes.add(
          InteropPeer.start(
              PeerImplementation.GO,
              autonatServers.contains(i) ? spec.withAutonat(true, false) : spec));
    }
    // the bootstrap node learns of each as it connects; a refresh settles the tables
    Waiting.within(SETTLE_TIMEOUT)
        .alias("the bootstrap node's table holds the others")
        .until(
            () -> nodes.get(0).requestOk("dht-refresh", Map.of()).path("peers").size(),
            peers -> peers >= size - 1);
    return nodes;
  }
}
