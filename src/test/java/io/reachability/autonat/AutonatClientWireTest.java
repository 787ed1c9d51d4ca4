package io.reachability.autonat;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.reachability.autonat.pb.AutonatV2Protos;
import io.reachability.libp2p.core.Multiaddr;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The exact bytes the client writes. */
class AutonatClientWireTest {

  private static byte[] framed(byte[] message) {
    ByteBuf buf = AutonatMessages.frame(ByteBufAllocator.DEFAULT, message);
    try {
      return ByteBufUtil.getBytes(buf);
    } finally {
      buf.release();
    }
  }

  @Test
  void dialRequestWithOneAddressAndAFixed64Nonce() {
    byte[] wire =
        framed(
            AutonatMessages.dialRequest(
                    List.of(Multiaddr.fromString("/ip4/1.2.3.4/tcp/4001")), 0x0102030405060708L)
                .toByteArray());
    assertThat(wire)
        .containsExactly(
            0x15, // frame length 21
            0x0a, 0x13, // Message.dialRequest (field 1, length-delimited), 19 bytes
            0x0a, 0x08, // DialRequest.addrs (field 1, length-delimited), 8 bytes
            0x04, 1, 2, 3, 4, // /ip4/1.2.3.4
            0x06, 0x0f, 0xa1, // /tcp/4001
            0x11, // DialRequest.nonce (field 2, fixed64)
            0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01); // little-endian
  }

  @Test
  void dialRequestKeepsTheOrderOfItsAddresses() throws Exception {
    List<Multiaddr> addresses =
        List.of(
            Multiaddr.fromString("/ip4/1.2.3.4/udp/1/quic-v1"),
            Multiaddr.fromString("/ip6/::1/tcp/2"),
            Multiaddr.fromString("/dns/example.com/tcp/3/wss"));
    AutonatV2Protos.DialRequest request =
        AutonatMessages.dialRequest(addresses, -1L).getDialRequest();
    assertThat(request.getAddrsList())
        .extracting(b -> Multiaddr.fromBytes(b.toByteArray()))
        .containsExactlyElementsOf(addresses);
    assertThat(request.getNonce()).isEqualTo(-1L);
  }

  @Test
  void dialBackResponseOkIsTheEmptyMessage() {
    ByteBuf buf =
        AutonatMessages.frame(
            ByteBufAllocator.DEFAULT,
            AutonatV2Protos.DialBackResponse.newBuilder()
                .setStatus(AutonatV2Protos.DialBackResponse.DialBackStatus.OK)
                .build());
    try {
      assertThat(ByteBufUtil.getBytes(buf))
          .containsExactly(0x00); // length 0: status OK is proto3's default, not written
    } finally {
      buf.release();
    }
  }

  @Test
  void aFullDialDataChunk() {
    byte[] wire = framed(AutonatMessages.dialDataMessage(4096));
    assertThat(Arrays.copyOf(wire, 7))
        .containsExactly(
            0x86, 0x20, // frame length 4102
            0x22, 0x83, 0x20, // Message.dialDataResponse (field 4), 4099 bytes
            0x0a, 0x80); // DialDataResponse.data (field 1), length 4096 = 0x80 0x20 …
    assertThat(wire[7]).isEqualTo((byte) 0x20);
    assertThat(wire).hasSize(2 + 4102);
    for (int i = 8; i < wire.length; i++) {
      assertThat(wire[i]).isZero();
    }
    assertThat(wire.length - 2).isLessThanOrEqualTo(AutonatV2.MAX_MESSAGE_SIZE);
  }

  @Test
  void aSmallLastDialDataChunk() {
    assertThat(framed(AutonatMessages.dialDataMessage(3)))
        .containsExactly(
            0x07, // frame length 7
            0x22, 0x05, // Message.dialDataResponse, 5 bytes
            0x0a, 0x03, // DialDataResponse.data, 3 bytes
            0x00, 0x00, 0x00);
  }

  @Test
  void durationsInReasonsAreReadable() {
    assertThat(DialRequestExchange.human(Duration.ofSeconds(15))).isEqualTo("15 s");
    assertThat(DialRequestExchange.human(Duration.ofMillis(500))).isEqualTo("500 ms");
  }
}
