package io.reachability.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.host.Host;
import io.reachability.testing.LoopbackHosts;
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
  void anAddressAnnouncedTwiceIsOneCandidate() {
    Multiaddr listen = host.listenAddresses().get(0);
    assertThat(CandidateAddresses.of(host, List.of(listen, ANNOUNCED, ANNOUNCED), Set.of(), true))
        .containsExactly(listen, ANNOUNCED);
  }
}
