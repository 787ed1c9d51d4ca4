package io.reachability.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.host.Host;
import io.reachability.peercheck.AddressOutcome;
import io.reachability.peercheck.AddressVerdict;
import io.reachability.peercheck.PeerChecker;
import io.reachability.peercheck.PeerVerdict;
import io.reachability.testing.LoopbackHosts;
import io.reachability.testing.Waiting;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Peer checks against real js, go and rust nodes on loopback: each reachable, with what identify
 * and ping tell; a closed port unreachable; an address where another peer answers WRONG_PEER.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@Interop
class PeerCheckInteropTest {

  /** Rounds of a QUIC check followed at once by a TCP one: about 10 s in all. */
  private static final int QUIC_THEN_TCP_ROUNDS = 100;

  private static final Map<PeerImplementation, InteropPeer> peers =
      new EnumMap<>(PeerImplementation.class);
  private static Host host;
  private static PeerChecker checker;

  @BeforeAll
  static void start() {
    for (PeerImplementation implementation : PeerImplementation.values()) {
      implementation.assumeAvailable();
      PeerSpec spec =
          implementation == PeerImplementation.JS
              ? PeerSpec.autonatServerNode()
              : PeerSpec.autonatServerNode()
                  .withListen(List.of(LoopbackHosts.ANY_PORT, LoopbackHosts.QUIC_ANY_PORT));
      peers.put(implementation, InteropPeer.start(implementation, spec));
    }
    host = LoopbackHosts.start("peer-check");
    checker = new PeerChecker(host);
  }

  @AfterAll
  static void stop() {
    if (host != null) {
      host.close();
    }
    peers.values().forEach(InteropPeer::close);
  }

  @ParameterizedTest
  @EnumSource(PeerImplementation.class)
  void everyAddressOfEachIsReachableWithWhatItRuns(PeerImplementation implementation)
      throws Exception {
    InteropPeer peer = peers.get(implementation);
    PeerId id = PeerId.fromString(peer.peerId());
    List<Multiaddr> addresses = peer.addrs().stream().map(Multiaddr::fromString).toList();
    List<AddressOutcome> outcomes = checker.check(id, addresses).get(60, TimeUnit.SECONDS);

    assertThat(outcomes).hasSize(addresses.size());
    assertThat(PeerVerdict.of(outcomes.stream().map(AddressOutcome::verdict).toList()))
        .isEqualTo(PeerVerdict.REACHABLE);
    for (AddressOutcome outcome : outcomes) {
      assertThat(outcome.verdict()).as("%s", outcome).isEqualTo(AddressVerdict.REACHABLE);
      assertThat(outcome.provenPeer()).isEqualTo(id);
      assertThat(outcome.agentVersion()).startsWith(implementation.agentPrefix());
      assertThat(outcome.servesAutonatV2()).isTrue();
      assertThat(outcome.pingRtt()).isNotNull();
      assertThat(outcome.error()).isNull();
      assertThat(outcome.connectTime()).isPositive();
      if (outcome.address().isQuic()) {
        assertThat(outcome.securityProtocol()).isEqualTo("quic-v1");
      } else {
        assertThat(outcome.securityProtocol()).isIn("/noise", "/tls/1.0.0");
        assertThat(outcome.muxer()).isEqualTo("/yamux/1.0.0");
      }
    }
    // each address had its own connection, closed after (asynchronously)
    Waiting.within(java.time.Duration.ofSeconds(5)).until(() -> host.connections(id).isEmpty());
  }

  /**
   * QUIC and TCP connections share the host's event loops and buffer pool. Closing a QUIC dial's
   * socket from its connection's close callback once let the QUIC codec write into memory the pool
   * had handed to the next TCP connection: under load 13 of 300 rounds failed (a lost multistream
   * header, Noise frames failing authentication, a 10 s stall). rust-libp2p answers fastest, so its
   * TCP check follows its QUIC one most closely.
   */
  @Test
  void quicAndTcpChecksInTurnNeverSpoilEachOther() throws Exception {
    InteropPeer rust = peers.get(PeerImplementation.RUST);
    PeerId id = PeerId.fromString(rust.peerId());
    List<Multiaddr> quicFirst =
        rust.addrs().stream()
            .map(Multiaddr::fromString)
            .sorted(Comparator.comparing((Multiaddr a) -> !a.isQuic()))
            .toList();
    assertThat(quicFirst).hasSize(2);
    assertThat(quicFirst.get(0).isQuic()).isTrue();

    for (int round = 0; round < QUIC_THEN_TCP_ROUNDS; round++) {
      List<AddressOutcome> outcomes = checker.check(id, quicFirst).get(60, TimeUnit.SECONDS);
      for (AddressOutcome outcome : outcomes) {
        assertThat(outcome.verdict())
            .as("round %d: %s", round, outcome)
            .isEqualTo(AddressVerdict.REACHABLE);
      }
    }
  }

  @Test
  void aClosedPortIsUnreachableAndAnotherPeersAddressIsTheWrongPeer() throws Exception {
    InteropPeer go = peers.get(PeerImplementation.GO);
    InteropPeer rust = peers.get(PeerImplementation.RUST);
    PeerId goId = PeerId.fromString(go.peerId());
    Multiaddr closed = Multiaddr.fromString("/ip4/127.0.0.1/tcp/" + LoopbackHosts.closedPort());
    // rust's address, asked about go: rust answers there
    Multiaddr rustsAddress = Multiaddr.fromString(rust.addrs().get(0)).withoutPeerId();

    List<AddressOutcome> outcomes =
        checker.check(goId, List.of(closed, rustsAddress)).get(60, TimeUnit.SECONDS);

    assertThat(outcomes.get(0).verdict()).isEqualTo(AddressVerdict.UNREACHABLE);
    assertThat(outcomes.get(0).error()).isNotBlank();
    assertThat(outcomes.get(1).verdict()).isEqualTo(AddressVerdict.WRONG_PEER);
    assertThat(outcomes.get(1).provenPeer()).hasToString(rust.peerId());
    assertThat(outcomes.get(1).error()).contains(rust.peerId());
    assertThat(PeerVerdict.of(outcomes.stream().map(AddressOutcome::verdict).toList()))
        .isEqualTo(PeerVerdict.WRONG_PEER);
    assertThat(PeerVerdict.of(List.of())).isEqualTo(PeerVerdict.NOT_FOUND);
    assertThat(PeerVerdict.of(List.of(AddressVerdict.UNREACHABLE)))
        .isEqualTo(PeerVerdict.UNREACHABLE);
  }
}
