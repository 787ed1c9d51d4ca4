package io.reachability.libp2p.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The observed-address record: which observations count, replacement per peer, the bounds. */
class ObservedAddressesTest {

  private static final Multiaddr LOCAL4 = Multiaddr.fromString("/ip4/192.168.1.5/tcp/4001");
  private static final Multiaddr LOCAL6 = Multiaddr.fromString("/ip6/fd00::5/tcp/4001");
  private static final Multiaddr PUBLIC4 = Multiaddr.fromString("/ip4/203.0.113.7/tcp/4001");
  private static final Multiaddr OTHER4 = Multiaddr.fromString("/ip4/203.0.113.7/tcp/50123");
  private static final Multiaddr PUBLIC6 = Multiaddr.fromString("/ip6/2001:db8::7/tcp/4001");

  private final MutableClock clock = new MutableClock();
  private static final Duration TTL = Duration.ofMinutes(30);
  private final ObservedAddresses observed = new ObservedAddresses(clock, 3, 2, TTL);

  private static PeerId peer() {
    return PeerId.fromPublicKey(Keys.generateEd25519().publicKey());
  }

  private static Optional<Multiaddr> usable(String observed, Multiaddr local) {
    return ObservedAddresses.usable(Multiaddr.fromString(observed), local);
  }

  @Test
  void tcpOverTheConnectionsIpFamilyIsKeptWithoutItsPeerId() {
    PeerId us = peer();
    assertThat(usable("/ip4/203.0.113.7/tcp/4001/p2p/" + us, LOCAL4)).contains(PUBLIC4);
    assertThat(usable("/ip4/203.0.113.7/tcp/4001", LOCAL4)).contains(PUBLIC4);
    assertThat(usable("/ip6/2001:db8::7/tcp/4001", LOCAL6)).contains(PUBLIC6);
    assertThat(usable("/ip4/127.0.0.1/tcp/4001", Multiaddr.fromString("/ip4/127.0.0.1/tcp/4001")))
        .contains(Multiaddr.fromString("/ip4/127.0.0.1/tcp/4001"));
  }

  @Test
  void anotherFamilyTransportOrShapeIsDropped() {
    PeerId relay = peer();
    assertThat(usable("/ip6/2001:db8::7/tcp/4001", LOCAL4))
        .as("ip6 seen on an ip4 connection")
        .isEmpty();
    assertThat(usable("/ip4/203.0.113.7/tcp/4001", LOCAL6))
        .as("ip4 seen on an ip6 connection")
        .isEmpty();
    assertThat(usable("/ip4/203.0.113.7/udp/4001/quic-v1", LOCAL4)).as("QUIC").isEmpty();
    assertThat(usable("/ip4/203.0.113.7/tcp/4001/ws", LOCAL4)).as("websocket").isEmpty();
    assertThat(usable("/dns4/example.com/tcp/4001", LOCAL4)).as("DNS").isEmpty();
    assertThat(usable("/ip6zone/eth0/ip6/fe80::1/tcp/4001", LOCAL6)).as("zone").isEmpty();
    assertThat(usable("/ip4/203.0.113.7/tcp/4001/p2p/" + relay + "/p2p-circuit", LOCAL4))
        .as("relay")
        .isEmpty();
    assertThat(usable("/ip4/0.0.0.0/tcp/4001", LOCAL4)).as("unspecified").isEmpty();
    assertThat(usable("/ip6/::/tcp/4001", LOCAL6)).as("unspecified").isEmpty();
    assertThat(usable("/ip4/224.0.0.1/tcp/4001", LOCAL4)).as("multicast").isEmpty();
    assertThat(usable("/ip4/203.0.113.7/tcp/0", LOCAL4)).as("port 0").isEmpty();
    assertThat(usable("/ip6/::ffff:203.0.113.7/tcp/4001", LOCAL6)).as("IPv4-mapped").isEmpty();
  }

  @Test
  void aNewAddressAndANewObserverAreNewsARepeatIsNot() {
    PeerId a = peer();
    PeerId b = peer();
    Instant first = clock.instant();

    assertThat(observed.record(a, PUBLIC4))
        .contains(new ObservedAddress(PUBLIC4, Set.of(a), first));
    clock.advance(Duration.ofMinutes(1));
    assertThat(observed.record(a, PUBLIC4)).as("the same report again").isEmpty();
    assertThat(observed.list())
        .containsExactly(new ObservedAddress(PUBLIC4, Set.of(a), clock.instant()));
    clock.advance(Duration.ofMinutes(1));
    assertThat(observed.record(b, PUBLIC4))
        .contains(new ObservedAddress(PUBLIC4, Set.of(a, b), clock.instant()));
  }

  @Test
  void aPeersNewReportReplacesItsOldOneInTheSameFamily() {
    PeerId a = peer();
    PeerId b = peer();
    observed.record(a, PUBLIC4);
    observed.record(b, PUBLIC4);
    observed.record(a, PUBLIC6);

    observed.record(a, OTHER4);

    assertThat(observed.list())
        .extracting(ObservedAddress::address, ObservedAddress::observers)
        .containsExactlyInAnyOrder(
            tuple(PUBLIC4, Set.of(b)), tuple(OTHER4, Set.of(a)), tuple(PUBLIC6, Set.of(a)));
    // the last observer moving away drops the address
    observed.record(b, OTHER4);
    assertThat(observed.list())
        .extracting(ObservedAddress::address)
        .containsExactlyInAnyOrder(OTHER4, PUBLIC6);
  }

  @Test
  void aReportCountsForItsTtlAfterItWasLastMade() {
    PeerId a = peer();
    PeerId b = peer();
    observed.record(a, PUBLIC4);
    observed.record(a, PUBLIC6);
    clock.advance(TTL.dividedBy(2));
    observed.record(b, PUBLIC4);
    observed.record(a, PUBLIC6); // made again: counts anew

    clock.advance(TTL.dividedBy(2));

    // a's IPv4 report is TTL old: gone; b's and a's renewed IPv6 one are half that
    assertThat(observed.list())
        .extracting(ObservedAddress::address, ObservedAddress::observers)
        .containsExactlyInAnyOrder(tuple(PUBLIC4, Set.of(b)), tuple(PUBLIC6, Set.of(a)));
    clock.advance(TTL.dividedBy(2));
    assertThat(observed.list()).isEmpty();
    // a report after expiry is news again
    assertThat(observed.record(a, PUBLIC4)).isPresent();
    assertThat(observed.list()).extracting(ObservedAddress::observers).containsExactly(Set.of(a));
  }

  @Test
  void beyondTheAddressBoundTheLeastRecentlySeenAddressGoes() {
    List<PeerId> peers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      peers.add(peer());
    }
    observed.record(peers.get(0), Multiaddr.fromString("/ip4/203.0.113.1/tcp/1"));
    clock.advance(Duration.ofSeconds(1));
    observed.record(peers.get(1), Multiaddr.fromString("/ip4/203.0.113.2/tcp/1"));
    clock.advance(Duration.ofSeconds(1));
    observed.record(peers.get(2), Multiaddr.fromString("/ip4/203.0.113.3/tcp/1"));
    clock.advance(Duration.ofSeconds(1));
    // the first one is seen again, so the second is now the least recent
    observed.record(peers.get(0), Multiaddr.fromString("/ip4/203.0.113.1/tcp/1"));
    clock.advance(Duration.ofSeconds(1));

    assertThat(observed.record(peers.get(3), Multiaddr.fromString("/ip4/203.0.113.4/tcp/1")))
        .isPresent();

    assertThat(observed.list())
        .extracting(o -> o.address().toString())
        .containsExactly(
            "/ip4/203.0.113.4/tcp/1", "/ip4/203.0.113.1/tcp/1", "/ip4/203.0.113.3/tcp/1");
    // the evicted address's observer is forgotten too: its report is news again
    assertThat(observed.record(peers.get(1), Multiaddr.fromString("/ip4/203.0.113.2/tcp/1")))
        .isPresent();
  }

  @Test
  void beyondTheObserverBoundTheObserverThatReportedLeastRecentlyGoes() {
    PeerId a = peer();
    PeerId b = peer();
    PeerId c = peer();
    observed.record(a, PUBLIC4);
    clock.advance(Duration.ofSeconds(1));
    observed.record(b, PUBLIC4);
    clock.advance(Duration.ofSeconds(1));

    assertThat(observed.record(c, PUBLIC4))
        .hasValueSatisfying(o -> assertThat(o.observers()).containsExactlyInAnyOrder(b, c));
    assertThat(observed.record(a, PUBLIC4))
        .as("a was forgotten, so its report is news")
        .isPresent();
  }

  @Test
  void mostObserversFirstThenMostRecent() {
    PeerId a = peer();
    PeerId b = peer();
    PeerId c = peer();
    observed.record(a, PUBLIC4);
    observed.record(b, PUBLIC4);
    clock.advance(Duration.ofSeconds(1));
    observed.record(c, PUBLIC6);
    clock.advance(Duration.ofSeconds(1));
    observed.record(c, OTHER4);

    assertThat(observed.list())
        .extracting(ObservedAddress::address)
        .containsExactly(PUBLIC4, OTHER4, PUBLIC6);
  }
}
