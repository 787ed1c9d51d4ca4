package io.reachability.libp2p.kad;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.libp2p.host.Host;
import io.reachability.libp2p.kad.pb.KadProtos;
import io.reachability.testing.LoopbackHosts;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A hostile DHT node whose answer names many "nodes" at one address: a lookup bounded per IP dials
 * that address a few times, not once per name.
 */
class KadLookupTest {

  private static final int NAMED = 12;

  private final List<ServerSocket> listeners = new ArrayList<>();
  private final AtomicInteger accepted = new AtomicInteger();
  private Host node;
  private Host client;

  @AfterEach
  void stop() throws Exception {
    for (ServerSocket listener : listeners) {
      listener.close();
    }
    if (client != null) {
      client.close();
    }
    if (node != null) {
      node.close();
    }
  }

  /** A port that accepts, counts and hangs up: a dial there fails, but is seen. */
  private int countingPort() throws Exception {
    ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    listeners.add(listener);
    Thread acceptor =
        new Thread(
            () -> {
              while (!listener.isClosed()) {
                try {
                  Socket socket = listener.accept();
                  accepted.incrementAndGet();
                  socket.close();
                } catch (Exception e) {
                  return;
                }
              }
            },
            "kad-lookup-test-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
    return listener.getLocalPort();
  }

  @Test
  void manyNamesAtOneAddressCostAFewDials() throws Exception {
    KadProtos.Message.Builder answer =
        KadProtos.Message.newBuilder().setType(KadProtos.Message.MessageType.FIND_NODE);
    for (int i = 0; i < NAMED; i++) {
      PeerId fake = PeerId.fromPublicKey(Keys.generateEd25519().publicKey());
      answer.addCloserPeers(
          KadProtos.Message.Peer.newBuilder()
              .setId(ByteString.copyFrom(fake.toBytes()))
              .addAddrs(
                  ByteString.copyFrom(
                      Multiaddr.fromString("/ip4/127.0.0.1/tcp/" + countingPort()).toBytes())));
    }
    byte[] bytes = answer.build().toByteArray();
    node =
        LoopbackHosts.builder("kad-hostile")
            .protocol(Kad.PROTOCOL_ID, KadClientTest.answering(bytes.length, bytes))
            .build()
            .start();
    client = LoopbackHosts.start("kad-lookup");
    PeerId target = PeerId.fromPublicKey(Keys.generateEd25519().publicKey());

    Optional<KadPeer> found =
        new KadLookup(client, a -> true, KadLookup.DEFAULT_MAX_CANDIDATES_PER_IP)
            .findPeer(target, List.of(node.listenAddresses().get(0).withPeerId(node.peerId())))
            .orTimeout(60, TimeUnit.SECONDS)
            .join();

    assertThat(found).isEmpty(); // the hostile node answered; nobody knows the target
    assertThat(accepted.get())
        .as("dials to the one address the answer named %d times", NAMED)
        .isLessThanOrEqualTo(KadLookup.DEFAULT_MAX_CANDIDATES_PER_IP);
  }
}
