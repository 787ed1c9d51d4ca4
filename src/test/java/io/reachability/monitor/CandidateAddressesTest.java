package io.reachability.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.libp2p.host.Host;
import io.reachability.libp2p.host.ObservedAddress;
import io.reachability.testing.LoopbackHosts;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which addresses the monitor tracks, from a real host on loopback. */
class CandidateAddressesTest {

  private static final Multiaddr ANNOUNCED = Multiaddr.fromString("/ip4/1.2.3.4/tcp/4001");
  private static final Multiaddr PRIVATE_ANNOUNCED = Multiaddr.fromString("/ip4/10.0.0.9/tcp/4001");

  private final Host host = LoopbackHosts.builder("candidates").ioThreads(1).build().start();

  @AfterEach
  void stop() {
    host.close();
  }

  @Test
  void listenThenAnnouncedAddressesWhenPrivateOnesCanBeChecked() {
    assertThat(CandidateAddresses.of(host, List.of(ANNOUNCED, PRIVATE_ANNOUNCED), Set.of(), true))
        .containsExactly(host.listenAddresses().get(0), ANNOUNCED, PRIVATE_ANNOUNCED);
  }

  @Test
  void onlyPublicAddressesWhenNoServerCanDialPrivateOnes() {
    assertThat(CandidateAddresses.of(host, List.of(ANNOUNCED, PRIVATE_ANNOUNCED), Set.of(), false))
        .containsExactly(ANNOUNCED);
  }

  @Test
  void privateObservationsDoNotTakeThePlacesOfPublicOnes() {
    PeerId server = PeerId.fromPublicKey(Keys.generateEd25519().publicKey());
    PeerId stranger = PeerId.fromPublicKey(Keys.generateEd25519().publicKey());
    List<ObservedAddress> observed =
        List.of(
            observed("/ip6/fd00:0:0:20::2/tcp/4001", server), // a server inside the outer NAT
            observed("/ip4/192.168.1.1/tcp/4001", server),
            observed("/ip4/10.0.0.1/tcp/4001", server),
            observed("/ip4/1.2.3.5/tcp/4001", stranger), // not a pool server's
            observed("/ip4/1.2.3.6/tcp/4001", server),
            observed("/ip4/1.2.3.7/tcp/4001", server),
            observed("/ip4/1.2.3.8/tcp/4001", server),
            observed("/ip4/1.2.3.9/tcp/4001", server));

    assertThat(
            CandidateAddresses.of(List.of(), List.of(ANNOUNCED), observed, Set.of(server), false))
        .map(Multiaddr::toString)
        .containsExactly(
            "/ip4/1.2.3.4/tcp/4001",
            "/ip4/1.2.3.6/tcp/4001",
            "/ip4/1.2.3.7/tcp/4001",
            "/ip4/1.2.3.8/tcp/4001");
    // where private addresses can be checked, they are taken in the order observed
    assertThat(CandidateAddresses.of(List.of(), List.of(), observed, Set.of(server), true))
        .map(Multiaddr::toString)
        .containsExactly(
            "/ip6/fd00:0:0:20::2/tcp/4001", "/ip4/192.168.1.1/tcp/4001", "/ip4/10.0.0.1/tcp/4001");
  }

  private static ObservedAddress observed(String address, PeerId by) {
    return new ObservedAddress(Multiaddr.fromString(address), Set.of(by), Instant.EPOCH);
  }

  @Test
  void anAddressAnnouncedTwiceIsOneCandidate() {
    Multiaddr listen = host.listenAddresses().get(0);
    assertThat(CandidateAddresses.of(host, List.of(listen, ANNOUNCED, ANNOUNCED), Set.of(), true))
        .containsExactly(listen, ANNOUNCED);
  }
}
