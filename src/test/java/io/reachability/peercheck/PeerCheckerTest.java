package io.reachability.peercheck;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.ConnectionListener;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.host.Host;
import io.reachability.libp2p.transport.UpgradeSettings;
import io.reachability.testing.LoopbackHosts;
import io.reachability.testing.Waiting;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Peer checks between our own hosts on loopback (the interop test has js, go and rust). */
class PeerCheckerTest {

  private final Host target = LoopbackHosts.start("peer-check-target");
  private final Host other = LoopbackHosts.start("peer-check-other");
  private final Host checking = LoopbackHosts.start("peer-check");
  private final PeerChecker checker = new PeerChecker(checking);

  @AfterEach
  void stop() {
    checking.close();
    other.close();
    target.close();
  }

  @Test
  void eachAddressOnItsOwnConnectionWithItsOwnVerdict() throws Exception {
    // an open connection to the target is not what is checked: each address is dialed anew
    checking.dial(target.listenAddresses().get(0).withPeerId(target.peerId())).join();
    Multiaddr closed = Multiaddr.fromString("/ip4/127.0.0.1/tcp/" + LoopbackHosts.closedPort());
    List<AddressOutcome> outcomes =
        checker
            .check(
                target.peerId(),
                List.of(
                    target.listenAddresses().get(0).withPeerId(target.peerId()),
                    closed,
                    other.listenAddresses().get(0)))
            .get(60, TimeUnit.SECONDS);

    assertThat(outcomes)
        .extracting(AddressOutcome::verdict)
        .containsExactly(
            AddressVerdict.REACHABLE, AddressVerdict.UNREACHABLE, AddressVerdict.WRONG_PEER);
    AddressOutcome reached = outcomes.get(0);
    assertThat(reached.address()).isEqualTo(target.listenAddresses().get(0));
    assertThat(reached.provenPeer()).isEqualTo(target.peerId());
    assertThat(reached.securityProtocol()).isEqualTo("/noise");
    assertThat(reached.muxer()).isEqualTo("/yamux/1.0.0");
    assertThat(reached.agentVersion()).isNotBlank();
    assertThat(reached.observedAddress()).isNotNull();
    assertThat(reached.servesAutonatV2()).isFalse();
    assertThat(reached.pingRtt()).isNotNull();
    assertThat(outcomes.get(2).provenPeer()).isEqualTo(other.peerId());
    assertThat(PeerVerdict.of(outcomes.stream().map(AddressOutcome::verdict).toList()))
        .isEqualTo(PeerVerdict.REACHABLE);
    // the checks' own connections are closed (asynchronously); the one opened before stays
    Waiting.within(Duration.ofSeconds(5))
        .until(
            () ->
                checking.connections(target.peerId()).size() == 1
                    && checking.connections(other.peerId()).isEmpty());
  }

  /**
   * Checks of one address in a row: each dials from an ephemeral port, so none shares a four-tuple
   * with the one before (from the listen port, loopback reuses the TIME_WAIT tuple at once while
   * the target may still hold the old socket, and the new connection dies in its upgrade).
   */
  @Test
  void aListenerThatNeverSpeaksLibp2pIsAStalledUpgradeNotSilence() throws Exception {
    // accepts (the kernel completes the handshake from its backlog) and never writes a byte
    // the outcome waits for the dial itself to end: a short negotiation bound keeps the test short
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Host impatient =
            LoopbackHosts.builder("peer-check-impatient")
                .upgrade(UpgradeSettings.defaults().withNegotiationTimeout(Duration.ofSeconds(1)))
                .build()
                .start()) {
      PeerChecker quick = new PeerChecker(impatient, Duration.ofMillis(500));
      Multiaddr address = Multiaddr.fromString("/ip4/127.0.0.1/tcp/" + silent.getLocalPort());

      AddressOutcome outcome = quick.checkOne(target.peerId(), address).get(30, TimeUnit.SECONDS);

      assertThat(outcome.verdict()).isEqualTo(AddressVerdict.UNREACHABLE);
      assertThat(outcome.error()).isEqualTo(DialErrors.UPGRADE_TIMED_OUT);
    }
  }

  @Test
  void oneAddressCheckedAgainAndAgainIsReachableEachTime() throws Exception {
    Multiaddr address = target.listenAddresses().get(0);
    int listenPort = checking.listenAddresses().get(0).toTcpSocketAddress().orElseThrow().getPort();
    for (int i = 0; i < 10; i++) {
      AddressOutcome outcome = checker.checkOne(target.peerId(), address).get(30, TimeUnit.SECONDS);
      assertThat(outcome.verdict())
          .as("check %d: %s", i, outcome)
          .isEqualTo(AddressVerdict.REACHABLE);
    }
    Connection fresh = checking.dialNew(address).get(10, TimeUnit.SECONDS);
    try {
      assertThat(fresh.localAddress().toTcpSocketAddress().orElseThrow().getPort())
          .isNotEqualTo(listenPort);
    } finally {
      fresh.close();
    }
  }

  /**
   * A dial its caller gave up on (a timeout, a cancel) before the upgrade ended: the connection
   * that then arrives is closed at once, not left open for nobody until the idle timeout.
   */
  @Test
  void aConnectionArrivingAfterItsDialerGaveUpIsClosed() throws Exception {
    CountDownLatch connected = new CountDownLatch(1);
    CountDownLatch disconnected = new CountDownLatch(1);
    checking.addConnectionListener(
        new ConnectionListener() {
          @Override
          public void connected(Connection connection) {
            connected.countDown();
          }

          @Override
          public void disconnected(Connection connection) {
            disconnected.countDown();
          }
        });
    CompletableFuture<Connection> dial = checking.dialNew(target.listenAddresses().get(0));
    dial.completeExceptionally(new TimeoutException("given up")); // before any upgrade can end

    assertThat(connected.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(disconnected.await(30, TimeUnit.SECONDS))
        .as("closed long before the %s idle timeout", "30 s")
        .isTrue();
    Waiting.within(Duration.ofSeconds(5))
        .until(() -> target.connections(checking.peerId()).isEmpty());
  }
}
