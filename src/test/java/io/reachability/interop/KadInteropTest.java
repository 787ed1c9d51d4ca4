package io.reachability.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.host.Host;
import io.reachability.libp2p.kad.KadClient;
import io.reachability.libp2p.kad.KadLookup;
import io.reachability.libp2p.kad.KadMessages;
import io.reachability.libp2p.kad.KadPeer;
import io.reachability.testing.LoopbackHosts;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Our FIND_NODE against a small DHT of go-libp2p-kad-dht v0.42.2 nodes on loopback (the go peer
 * with {@code --dht server}): the first is everyone's bootstrap peer; once their tables are filled
 * it tells us of the others, with their loopback addresses.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@Interop
class KadInteropTest {

  private static final int NODES = 5;

  private static final List<InteropPeer> nodes = new ArrayList<>();
  private static Host client;

  @BeforeAll
  static void startDht() {
    nodes.addAll(GoDht.start(NODES, Set.of()));
    client = LoopbackHosts.start("kad-interop");
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    nodes.forEach(InteropPeer::close);
  }

  private static Connection connectToBootstrap() {
    return client
        .dial(Multiaddr.fromString(nodes.get(0).addrs().get(0)))
        .orTimeout(10, TimeUnit.SECONDS)
        .join();
  }

  @Test
  void aRandomKeyBringsBackTheOtherNodesWithTheirAddresses() {
    List<KadPeer> peers =
        KadClient.findNode(connectToBootstrap(), KadMessages.randomKey(new Random(11)))
            .orTimeout(10, TimeUnit.SECONDS)
            .join();
    Set<String> others =
        nodes.subList(1, NODES).stream().map(InteropPeer::peerId).collect(Collectors.toSet());
    assertThat(peers).extracting(p -> p.id().toString()).containsAll(others);
    for (KadPeer peer : peers) {
      assertThat(peer.addresses())
          .as("%s's addresses", peer.id())
          .anySatisfy(a -> assertThat(a.toString()).startsWith("/ip4/127.0.0.1/tcp/"));
    }
  }

  @Test
  void aNodesOwnIdFindsThatNode() {
    InteropPeer target = nodes.get(NODES - 1);
    List<KadPeer> peers =
        KadClient.findNode(connectToBootstrap(), PeerId.fromString(target.peerId()).toBytes())
            .orTimeout(10, TimeUnit.SECONDS)
            .join();
    assertThat(peers).extracting(p -> p.id().toString()).contains(target.peerId());
  }

  @Test
  void aLookupFindsAPeerByItsIdAlone() {
    InteropPeer target = nodes.get(NODES - 2);
    KadLookup lookup = new KadLookup(client, address -> true);
    Optional<KadPeer> found =
        lookup
            .findPeer(
                PeerId.fromString(target.peerId()),
                List.of(Multiaddr.fromString(nodes.get(0).addrs().get(0))))
            .orTimeout(30, TimeUnit.SECONDS)
            .join();
    assertThat(found).isPresent();
    assertThat(found.get().addresses())
        .extracting(Multiaddr::toString)
        .anySatisfy(a -> assertThat(target.addrs().get(0)).startsWith(a));

    PeerId nobody = PeerId.fromBytes(KadMessages.randomKey(new Random(12)));
    assertThat(
            lookup
                .findPeer(nobody, List.of(Multiaddr.fromString(nodes.get(0).addrs().get(0))))
                .orTimeout(60, TimeUnit.SECONDS)
                .join())
        .isEmpty();
  }
}
