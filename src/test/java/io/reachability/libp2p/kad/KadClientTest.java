package io.reachability.libp2p.kad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.ProtocolHandler;
import io.reachability.libp2p.host.Host;
import io.reachability.libp2p.kad.pb.KadProtos;
import io.reachability.libp2p.multiformats.Varint;
import io.reachability.testing.LoopbackHosts;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Our FIND_NODE against scripted DHT nodes on loopback: a good answer and hostile ones. */
class KadClientTest {

  private Host node;
  private Host client;

  private Connection connectTo(ProtocolHandler dhtNode) {
    node = LoopbackHosts.builder("kad-node").protocol(Kad.PROTOCOL_ID, dhtNode).build().start();
    client = LoopbackHosts.start("kad-client");
    return client
        .dial(node.listenAddresses().get(0).withPeerId(node.peerId()))
        .orTimeout(10, TimeUnit.SECONDS)
        .join();
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (node != null) {
      node.close();
    }
  }

  /** Writes {@code bytes} as the answer, prefixed by {@code prefix} as its length. */
  static ProtocolHandler answering(long prefix, byte[] bytes) {
    return stream -> {
      ByteBuf out = Unpooled.buffer();
      Varint.write(prefix, out);
      out.writeBytes(bytes);
      stream.channel().writeAndFlush(out);
    };
  }

  @Test
  void theAnswersPeersComeBack() {
    KadProtos.Message answer =
        KadProtos.Message.newBuilder()
            .setType(KadProtos.Message.MessageType.FIND_NODE)
            .addCloserPeers(
                KadProtos.Message.Peer.newBuilder()
                    .setId(ByteString.copyFrom(KadMessages.randomKey(new Random(5))))
                    .addAddrs(
                        ByteString.copyFrom(
                            Multiaddr.fromString("/ip4/192.0.2.7/tcp/4001").toBytes())))
            .build();
    byte[] bytes = answer.toByteArray();
    Connection connection = connectTo(answering(bytes.length, bytes));
    List<KadPeer> peers =
        KadClient.findNode(connection, KadMessages.randomKey(new Random(6)))
            .orTimeout(10, TimeUnit.SECONDS)
            .join();
    assertThat(peers).singleElement().extracting(KadPeer::addresses).asList().hasSize(1);
  }

  @Test
  void anAnswerAnnouncedOverTheLimitFailsBeforeItIsRead() {
    Connection connection = connectTo(answering(Kad.MAX_MESSAGE_SIZE + 1L, new byte[16]));
    assertThatThrownBy(
            () ->
                KadClient.findNode(connection, KadMessages.randomKey(new Random(7)))
                    .orTimeout(10, TimeUnit.SECONDS)
                    .join())
        .isInstanceOf(CompletionException.class);
    // the connection is fine: only the stream was reset
    assertThat(connection.isOpen()).isTrue();
  }

  @Test
  void aNodeThatClosesWithoutAnAnswerFailsTheRequest() {
    Connection connection = connectTo(stream -> stream.closeWrite());
    assertThatThrownBy(
            () ->
                KadClient.findNode(connection, KadMessages.randomKey(new Random(8)))
                    .orTimeout(10, TimeUnit.SECONDS)
                    .join())
        .hasMessageContaining("without an answer");
  }

  @Test
  void aNodeThatDoesNotSpeakTheProtocolFailsTheRequest() {
    node = LoopbackHosts.start("kad-none");
    client = LoopbackHosts.start("kad-client");
    Connection connection =
        client
            .dial(node.listenAddresses().get(0).withPeerId(node.peerId()))
            .orTimeout(10, TimeUnit.SECONDS)
            .join();
    assertThatThrownBy(
            () ->
                KadClient.findNode(connection, KadMessages.randomKey(new Random(9)))
                    .orTimeout(10, TimeUnit.SECONDS)
                    .join())
        .isInstanceOf(CompletionException.class);
  }
}
