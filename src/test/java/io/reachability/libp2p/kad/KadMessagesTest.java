package io.reachability.libp2p.kad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.reachability.libp2p.Libp2pException;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.kad.pb.KadProtos;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The bytes of our FIND_NODE request, and what is kept of an answer. */
class KadMessagesTest {

  private static final PeerId A =
      PeerId.fromString("12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA");
  private static final PeerId B =
      PeerId.fromString("12D3KooWHdZjfq8PQQVmjgBnUXK2U1y8SUUKW8W1d25cgPCoK9Tc");

  @Test
  void findNodeIsTypeFourAndTheKey() {
    byte[] key = {0x12, 0x02, 0x0a, 0x0b};
    assertThat(HexFormat.of().formatHex(KadMessages.findNode(key).toByteArray()))
        .isEqualTo(
            "0804" //         type (field 1, varint) = FIND_NODE (4)
                + "1204" //   key (field 2, length-delimited), 4 bytes
                + "12020a0b");
  }

  @Test
  void aRandomKeyIsASha256MultihashAndSoAPeerId() {
    byte[] key = KadMessages.randomKey(new Random(1));
    assertThat(key).hasSize(34).startsWith(0x12, 0x20);
    assertThat(PeerId.fromBytes(key).toBytes()).isEqualTo(key);
    assertThat(KadMessages.randomKey(new Random(2))).isNotEqualTo(key);
  }

  private static ByteBuf answer(Consumer<KadProtos.Message.Builder> content) {
    KadProtos.Message.Builder message =
        KadProtos.Message.newBuilder().setType(KadProtos.Message.MessageType.FIND_NODE);
    content.accept(message);
    return Unpooled.wrappedBuffer(message.build().toByteArray());
  }

  private static KadProtos.Message.Peer peer(PeerId id, String... addresses) {
    KadProtos.Message.Peer.Builder peer =
        KadProtos.Message.Peer.newBuilder().setId(ByteString.copyFrom(id.toBytes()));
    for (String address : addresses) {
      peer.addAddrs(ByteString.copyFrom(Multiaddr.fromString(address).toBytes()));
    }
    return peer.build();
  }

  @Test
  void closerPeersWithTheirAddressesWithoutP2p() {
    ByteBuf frame =
        answer(
            m ->
                m.addCloserPeers(
                        peer(
                            A,
                            "/ip4/192.0.2.1/tcp/4001",
                            "/ip4/192.0.2.1/udp/4001/quic-v1/p2p/" + A))
                    .addCloserPeers(peer(B, "/dns4/b.example/tcp/4001")));
    try {
      assertThat(KadMessages.closerPeers(frame))
          .containsExactly(
              new KadPeer(
                  A,
                  List.of(
                      Multiaddr.fromString("/ip4/192.0.2.1/tcp/4001"),
                      Multiaddr.fromString("/ip4/192.0.2.1/udp/4001/quic-v1"))),
              new KadPeer(B, List.of(Multiaddr.fromString("/dns4/b.example/tcp/4001"))));
    } finally {
      frame.release();
    }
  }

  @Test
  void badIdsAndAddressesAreSkippedAndDuplicatesKeptOnce() {
    ByteBuf frame =
        answer(
            m ->
                m.addCloserPeers(
                        KadProtos.Message.Peer.newBuilder()
                            .setId(ByteString.copyFromUtf8("not a peer id"))
                            .addAddrs(
                                ByteString.copyFrom(
                                    Multiaddr.fromString("/ip4/192.0.2.9/tcp/1").toBytes())))
                    .addCloserPeers(
                        peer(A, "/ip4/192.0.2.1/tcp/4001").toBuilder()
                            .addAddrs(ByteString.copyFrom(new byte[] {(byte) 0xff, 0x7f, 1}))
                            .build())
                    .addCloserPeers(peer(A, "/ip4/192.0.2.2/tcp/4001")));
    try {
      assertThat(KadMessages.closerPeers(frame))
          .containsExactly(
              new KadPeer(A, List.of(Multiaddr.fromString("/ip4/192.0.2.1/tcp/4001"))));
    } finally {
      frame.release();
    }
  }

  @Test
  void atMostKPeersAndAtMostTheAddressBoundEach() {
    String[] many = new String[Kad.MAX_ADDRESSES_PER_PEER + 10];
    for (int i = 0; i < many.length; i++) {
      many[i] = "/ip4/192.0.2.1/tcp/" + (i + 1);
    }
    ByteBuf frame =
        answer(
            m -> {
              Random random = new Random(3);
              for (int i = 0; i < Kad.K + 15; i++) {
                m.addCloserPeers(peer(PeerId.fromBytes(KadMessages.randomKey(random)), many));
              }
            });
    try {
      List<KadPeer> peers = KadMessages.closerPeers(frame);
      assertThat(peers).hasSize(Kad.K);
      assertThat(peers)
          .allSatisfy(p -> assertThat(p.addresses()).hasSize(Kad.MAX_ADDRESSES_PER_PEER));
    } finally {
      frame.release();
    }
  }

  @Test
  void anAnswerOfAnotherTypeOrMalformedIsAnError() {
    ByteBuf ping =
        Unpooled.wrappedBuffer(
            KadProtos.Message.newBuilder()
                .setType(KadProtos.Message.MessageType.PING)
                .build()
                .toByteArray());
    ByteBuf garbage = Unpooled.wrappedBuffer(new byte[] {0x42, 0x7f, 0x01});
    try {
      assertThatThrownBy(() -> KadMessages.closerPeers(ping))
          .isInstanceOf(Libp2pException.class)
          .hasMessageContaining("not FIND_NODE");
      assertThatThrownBy(() -> KadMessages.closerPeers(garbage))
          .isInstanceOf(Libp2pException.class)
          .hasMessageStartingWith("malformed DHT message");
    } finally {
      ping.release();
      garbage.release();
    }
  }
}
