package io.reachability.autonat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.reachability.autonat.pb.AutonatV2Protos;
import io.reachability.libp2p.Libp2pException;
import io.reachability.testing.LeakRecorder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The exact bytes the server writes and accepts, worked out by hand from autonat_v2.proto. */
class ServerMessagesTest {

  private static byte[] framed(com.google.protobuf.MessageLite message) {
    ByteBuf frame = AutonatMessages.frame(ByteBufAllocator.DEFAULT, message);
    try {
      return ByteBufUtil.getBytes(frame);
    } finally {
      frame.release();
    }
  }

  private static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  @Test
  void requestRejected() {
    assertThat(
            framed(
                DialRequestHandler.dialResponse(
                    ResponseStatus.E_REQUEST_REJECTED, 0, DialStatus.UNUSED)))
        .containsExactly(
            bytes(
                0x04, //       length 4
                0x12, 0x02, // Message.dialResponse (field 2, length-delimited), 2 bytes
                0x08,
                0x64)); // DialResponse.status (field 1, varint) = 100; addrIdx 0 and UNUSED are
    // defaults, not written
  }

  @Test
  void dialRefused() {
    assertThat(
            framed(
                DialRequestHandler.dialResponse(
                    ResponseStatus.E_DIAL_REFUSED, 0, DialStatus.UNUSED)))
        .containsExactly(bytes(0x04, 0x12, 0x02, 0x08, 0x65)); // status = 101
  }

  @Test
  void okWithIndexAndDialStatus() {
    assertThat(framed(DialRequestHandler.dialResponse(ResponseStatus.OK, 1, DialStatus.OK)))
        .containsExactly(
            bytes(
                0x0a, //             length 10
                0x12, 0x08, //       Message.dialResponse, 8 bytes
                0x08, 0xc8, 0x01, // status = 200 (varint 0xc8 0x01)
                0x10, 0x01, //       addrIdx (field 2) = 1
                0x18, 0xc8, 0x01)); // dialStatus (field 3) = 200
  }

  @Test
  void okWithDialError() {
    assertThat(
            framed(DialRequestHandler.dialResponse(ResponseStatus.OK, 0, DialStatus.E_DIAL_ERROR)))
        .containsExactly(
            bytes(
                0x07, //             length 7
                0x12, 0x05, //       Message.dialResponse, 5 bytes
                0x08, 0xc8, 0x01, // status = 200
                0x18, 0x64)); //     dialStatus = 100 (addrIdx 0 is not written)
  }

  @Test
  void dialDataRequest() {
    assertThat(framed(DialRequestHandler.dialDataRequest(1, 30_000)))
        .containsExactly(
            bytes(
                0x08, //                   length 8
                0x1a, 0x06, //             Message.dialDataRequest (field 3), 6 bytes
                0x08, 0x01, //             addrIdx = 1
                0x10, 0xb0, 0xea, 0x01)); // numBytes (field 2) = 30000 = 0x7530 → varint b0 ea 01
  }

  @Test
  void dialBackCarriesTheNonceAsFixed64() {
    assertThat(framed(DialBacker.dialBack(0x1122334455667788L)))
        .containsExactly(
            bytes(
                0x09, //  length 9
                0x09, //  DialBack.nonce (field 1, wire type 1 = 64-bit)
                0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11)); // little-endian
    // the full unsigned range survives (a nonce is 64 random bits)
    assertThat(framed(DialBacker.dialBack(-1L)))
        .containsExactly(bytes(0x09, 0x09, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
  }

  @Test
  void dialBackResponseOkIsAnEmptyMessage() {
    // status OK is the proto3 default: the body is empty, the whole frame is the length 0
    assertThat(framed(AutonatV2Protos.DialBackResponse.getDefaultInstance()))
        .containsExactly(bytes(0x00));
    ByteBuf empty = LeakRecorder.buffer(new byte[0]);
    try {
      assertThat(AutonatMessages.parseDialBackResponse(empty).getStatus())
          .isEqualTo(AutonatV2Protos.DialBackResponse.DialBackStatus.OK);
    } finally {
      empty.release();
    }
  }

  @Test
  void aTransientDialDataResponseReadsTheChunkFromHeapAndDirectFrames() {
    byte[] data = new byte[4096];
    Arrays.fill(data, (byte) 0x5a);
    byte[] message =
        AutonatV2Protos.Message.newBuilder()
            .setDialDataResponse(
                AutonatV2Protos.DialDataResponse.newBuilder().setData(ByteString.copyFrom(data)))
            .build()
            .toByteArray();
    ByteBuf heap = Unpooled.buffer(message.length + 3);
    heap.writeBytes(new byte[3]).skipBytes(3).writeBytes(message); // at an offset
    ByteBuf direct = Unpooled.directBuffer(message.length).writeBytes(message);
    try {
      for (ByteBuf frame : List.of(heap, direct)) {
        AutonatV2Protos.Message parsed = AutonatMessages.parseTransientMessage(frame);
        assertThat(parsed.getDialDataResponse().getData().toByteArray()).isEqualTo(data);
        assertThat(frame.readableBytes()).isEqualTo(message.length); // not consumed
      }
    } finally {
      heap.release();
      direct.release();
    }
  }

  @Test
  void aTruncatedTransientMessageIsALibp2pException() {
    byte[] message =
        AutonatV2Protos.Message.newBuilder()
            .setDialDataResponse(
                AutonatV2Protos.DialDataResponse.newBuilder()
                    .setData(ByteString.copyFrom(new byte[100])))
            .build()
            .toByteArray();
    ByteBuf truncated = LeakRecorder.buffer(Arrays.copyOf(message, 50));
    try {
      assertThatThrownBy(() -> AutonatMessages.parseTransientMessage(truncated))
          .isInstanceOf(Libp2pException.class)
          .hasMessageStartingWith("malformed AutoNAT v2 message");
    } finally {
      truncated.release();
    }
  }

  @Test
  void theScriptedClientsDialRequestIsTheSpecsEncoding() {
    AutonatV2Protos.Message request =
        ScriptedClient.request(
            7L,
            java.util.List.of(
                io.reachability.libp2p.core.Multiaddr.fromString("/ip4/1.2.3.4/tcp/80")));
    assertThat(request.toByteArray())
        .containsExactly(
            bytes(
                0x0a, 0x13, //                   Message.dialRequest (field 1), 19 bytes
                0x0a, 0x08, //                   addrs[0] (field 1), 8 bytes
                0x04, 0x01, 0x02, 0x03, 0x04, // /ip4/1.2.3.4
                0x06, 0x00, 0x50, //             /tcp/80
                0x11, //                         nonce (field 2, wire type 1 = 64-bit)
                0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00));
  }
}
