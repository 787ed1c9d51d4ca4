package io.reachability.libp2p.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.identify.IdentifyResult;
import io.reachability.libp2p.transport.QuicTransport;
import io.reachability.testing.LoopbackHosts;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link TwoHostsTest} over QUIC-v1: the same connections, streams, limits and failures, each
 * libp2p stream a QUIC stream, TLS inside QUIC authenticating the peers.
 */
class QuicTwoHostsTest extends TwoHostsTest {

  /** Datagrams of garbage sent, each as large as a QUIC Initial must be. */
  private static final int GARBAGE_DATAGRAMS = 16;

  private static final int GARBAGE_DATAGRAM_SIZE = 1200;

  @BeforeAll
  static void quicIsAvailable() {
    assumeTrue(QuicTransport.isAvailable(), QuicTransport::unavailabilityReason);
  }

  @Override
  String anyPort() {
    return LoopbackHosts.QUIC_ANY_PORT;
  }

  @Override
  String wildcardAnyPort() {
    return "/ip4/0.0.0.0/udp/0/quic-v1";
  }

  @Test
  void outboundConnectionsLeaveFromTheListenPort() throws Exception {
    Host a = LoopbackHosts.builder("quic-a", anyPort()).build().start();
    Host b = LoopbackHosts.builder("quic-b", anyPort()).build().start();
    try {
      assumeTrue(a.dialsFromListenPort(), "port reuse needs the native epoll transport");
      Connection connection =
          a.dial(b.listenAddresses().get(0).withPeerId(b.peerId()))
              .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      // b observes a at a's listen port: the mapping a NAT would give that port
      assertThat(connection.localAddress()).isEqualTo(a.listenAddresses().get(0));
      IdentifyResult aboutB = a.identify(connection).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      assertThat(aboutB.observedAddress()).isEqualTo(a.listenAddresses().get(0));

      // b dialing a back, while a's connection from that port is open, leaves from another port:
      // one four-tuple cannot carry two connections
      Connection back =
          b.dialOutbound(a.listenAddresses().get(0).withPeerId(a.peerId()))
              .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      assertThat(back.localAddress()).isNotEqualTo(b.listenAddresses().get(0));
      assertThat(b.ping(back).get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isPositive();
      assertThat(a.ping(connection).get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isPositive();
    } finally {
      a.close();
      b.close();
    }
  }

  /**
   * Random datagrams are no QUIC packets: the host drops them (at most it answers with a version
   * negotiation or a stateless reset); the test then checks the good connection still works.
   */
  @Override
  void sendGarbage(InetSocketAddress target) throws Exception {
    Random random = new Random(5);
    try (DatagramSocket raw = new DatagramSocket(new InetSocketAddress(target.getAddress(), 0))) {
      for (int i = 0; i < GARBAGE_DATAGRAMS; i++) {
        byte[] garbage = new byte[GARBAGE_DATAGRAM_SIZE];
        random.nextBytes(garbage);
        raw.send(new DatagramPacket(garbage, garbage.length, target));
      }
    }
  }
}
