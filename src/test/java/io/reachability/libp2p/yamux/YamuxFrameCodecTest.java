package io.reachability.libp2p.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.reachability.testing.LeakRecorder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class YamuxFrameCodecTest {

  private EmbeddedChannel channel;

  @BeforeEach
  void setUp() {
    channel = new EmbeddedChannel(new YamuxFrameCodec());
  }

  @AfterEach
  void tearDown() {
    channel.finishAndReleaseAll();
  }

  private static ByteBuf bytes(int... values) {
    return LeakRecorder.buffer(array(values));
  }

  private YamuxFrame decodeOne(ByteBuf in) {
    channel.writeInbound(in);
    YamuxFrame frame = channel.readInbound();
    assertThat(frame).isNotNull();
    assertThat(channel.<Object>readInbound()).isNull();
    return frame;
  }

  private byte[] encode(YamuxFrame frame) {
    assertThat(channel.writeOutbound(frame)).isTrue();
    ByteBuf out = channel.readOutbound();
    try {
      return ByteBufUtil.getBytes(out);
    } finally {
      out.release();
    }
  }

  private static byte[] array(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  // ---- decoding
  // --------------------------------------------------------------------------------------------------

  @Test
  void decodesDataWithSyn() {
    YamuxFrame frame =
        decodeOne(
            bytes(
                0x00, // version
                0x00, // type DATA
                0x00, 0x01, // flags SYN
                0x00, 0x00, 0x00, 0x01, // stream id 1
                0x00, 0x00, 0x00, 0x02, // length 2
                'h', 'i')); // payload
    try {
      assertThat(frame.type()).isEqualTo(YamuxType.DATA);
      assertThat(frame.flags()).isEqualTo(YamuxFlag.SYN.bit());
      assertThat(frame.hasFlag(YamuxFlag.SYN)).isTrue();
      assertThat(frame.streamId()).isEqualTo(1);
      assertThat(frame.length()).isEqualTo(2);
      assertThat(frame.content().toString(StandardCharsets.US_ASCII)).isEqualTo("hi");
    } finally {
      frame.release();
    }
    assertThat(frame.refCnt()).isZero();
  }

  @Test
  void decodesEmptyDataWithFin() {
    YamuxFrame frame =
        decodeOne(
            bytes(
                0x00, // version
                0x00, // type DATA
                0x00, 0x04, // flags FIN
                0x00, 0x00, 0x00, 0x03, // stream id 3
                0x00, 0x00, 0x00, 0x00)); // length 0, no payload
    assertThat(frame.type()).isEqualTo(YamuxType.DATA);
    assertThat(frame.hasFlag(YamuxFlag.FIN)).isTrue();
    assertThat(frame.content().readableBytes()).isZero();
    frame.release();
  }

  @Test
  void decodesWindowUpdateWithAckAndUnsignedDelta() {
    YamuxFrame frame =
        decodeOne(
            bytes(
                0x00, // version
                0x01, // type WINDOW_UPDATE
                0x00, 0x02, // flags ACK
                0xFF, 0xFF, 0xFF, 0xFE, // stream id 4294967294 (even: server)
                0xFF, 0xFF, 0xFF, 0xFF)); // delta 4294967295
    assertThat(frame.type()).isEqualTo(YamuxType.WINDOW_UPDATE);
    assertThat(frame.flags()).isEqualTo(YamuxFlag.ACK.bit());
    assertThat(Integer.toUnsignedLong(frame.streamId())).isEqualTo(0xFFFF_FFFEL);
    assertThat(Integer.toUnsignedLong(frame.length())).isEqualTo(0xFFFF_FFFFL);
    frame.release();
  }

  @Test
  void decodesPingHeaderOnly() {
    YamuxFrame frame =
        decodeOne(
            bytes(
                0x00, // version
                0x02, // type PING
                0x00, 0x01, // flags SYN
                0x00, 0x00, 0x00, 0x00, // stream id 0 (session)
                0x12, 0x34, 0x56, 0x78)); // opaque value
    assertThat(frame.type()).isEqualTo(YamuxType.PING);
    assertThat(frame.length()).isEqualTo(0x12345678);
    assertThat(frame.content().readableBytes()).isZero();
  }

  @Test
  void decodesGoAway() {
    YamuxFrame frame =
        decodeOne(
            bytes(
                0x00, // version
                0x03, // type GO_AWAY
                0x00, 0x00, // no flags
                0x00, 0x00, 0x00, 0x00, // stream id 0 (session)
                0x00, 0x00, 0x00, 0x01)); // code PROTOCOL_ERROR
    assertThat(frame.type()).isEqualTo(YamuxType.GO_AWAY);
    assertThat(YamuxGoAwayCode.fromCode(frame.length())).isEqualTo(YamuxGoAwayCode.PROTOCOL_ERROR);
  }

  @Test
  void partialHeaderWaits() {
    channel.writeInbound(
        bytes(
            0x00, // version
            0x01, // type WINDOW_UPDATE
            0x00, 0x00, // no flags
            0x00, 0x00, 0x00, 0x05, // stream id 5
            0x00, 0x00, 0x10)); // first 3 bytes of the delta
    assertThat(channel.<Object>readInbound()).isNull();
    YamuxFrame frame = decodeOne(bytes(0x00)); // last byte of the delta
    assertThat(frame.length()).isEqualTo(0x1000);
  }

  @Test
  void partialPayloadWaits() {
    channel.writeInbound(
        bytes(
            0x00, // version
            0x00, // type DATA
            0x00, 0x00, // no flags
            0x00, 0x00, 0x00, 0x07, // stream id 7
            0x00, 0x00, 0x00, 0x03, // length 3
            'a', 'b')); // 2 of 3 payload bytes
    assertThat(channel.<Object>readInbound()).isNull();
    YamuxFrame frame = decodeOne(bytes('c'));
    assertThat(frame.content().toString(StandardCharsets.US_ASCII)).isEqualTo("abc");
    frame.release();
  }

  @Test
  void decodesTwoFramesFromOneBuffer() {
    channel.writeInbound(
        bytes(
            0x00, 0x02, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x09, // PING ACK opaque 9
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
            'x')); // DATA stream 1 "x"
    YamuxFrame ping = channel.readInbound();
    YamuxFrame data = channel.readInbound();
    assertThat(ping.type()).isEqualTo(YamuxType.PING);
    assertThat(data.content().toString(StandardCharsets.US_ASCII)).isEqualTo("x");
    data.release();
  }

  @Test
  void dataOfExactlyTheMaxIsAccepted() {
    EmbeddedChannel small = new EmbeddedChannel(new YamuxFrameCodec(4));
    small.writeInbound(
        bytes(
            0x00, // version
            0x00, // type DATA
            0x00, 0x00, // no flags
            0x00, 0x00, 0x00, 0x01, // stream id 1
            0x00, 0x00, 0x00, 0x04, // length 4 = max
            1, 2, 3, 4)); // payload
    YamuxFrame frame = small.readInbound();
    assertThat(frame.length()).isEqualTo(4);
    frame.release();
    assertThat(small.finishAndReleaseAll()).isFalse();
  }

  @Test
  void dataOneOverTheMaxIsRejectedFromTheHeaderAlone() {
    EmbeddedChannel small = new EmbeddedChannel(new YamuxFrameCodec(4));
    // Only the header: the codec must not wait for (or allocate) the payload.
    assertThatThrownBy(
            () ->
                small.writeInbound(
                    bytes(
                        0x00, // version
                        0x00, // type DATA
                        0x00, 0x00, // no flags
                        0x00, 0x00, 0x00, 0x01, // stream id 1
                        0x00, 0x00, 0x00, 0x05))) // length 5 = max + 1
        .isInstanceOf(DecoderException.class)
        .hasCauseInstanceOf(YamuxException.class)
        .hasMessageContaining("exceeds 4");
    small.finishAndReleaseAll();
  }

  @Test
  void defaultMaxIsTheInitialWindow() {
    assertThat(new YamuxFrameCodec().maxDataLength())
        .isEqualTo(Yamux.INITIAL_WINDOW_SIZE)
        .isEqualTo(256 * 1024);
    assertThatThrownBy(
            () ->
                channel.writeInbound(
                    bytes(
                        0x00, // version
                        0x00, // type DATA
                        0x00, 0x00, // no flags
                        0x00, 0x00, 0x00, 0x01, // stream id 1
                        0x00, 0x04, 0x00, 0x01))) // length 262145 = 256 KiB + 1
        .isInstanceOf(DecoderException.class)
        .hasCauseInstanceOf(YamuxException.class);
  }

  @Test
  void hugeLengthIsRejectedWithoutAllocation() {
    assertThatThrownBy(
            () ->
                channel.writeInbound(
                    bytes(
                        0x00, // version
                        0x00, // type DATA
                        0x00, 0x00, // no flags
                        0x00, 0x00, 0x00, 0x01, // stream id 1
                        0xFF, 0xFF, 0xFF, 0xFF))) // length 4 GiB - 1
        .isInstanceOf(DecoderException.class)
        .hasCauseInstanceOf(YamuxException.class);
  }

  @Test
  void unknownVersionIsRejectedAndTheRestDiscarded() {
    assertThatThrownBy(
            () ->
                channel.writeInbound(
                    bytes(
                        0x01, // version 1: unknown
                        0x02, // type PING
                        0x00, 0x01, // flags SYN
                        0x00, 0x00, 0x00, 0x00, // stream id 0
                        0x00, 0x00, 0x00, 0x01))) // opaque
        .isInstanceOf(DecoderException.class)
        .hasRootCauseMessage("unsupported yamux version 1");
    // Framing is lost: a valid frame after the bad one is not decoded.
    channel.writeInbound(
        bytes(0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01));
    assertThat(channel.<Object>readInbound()).isNull();
  }

  @Test
  void unknownTypeIsRejected() {
    assertThatThrownBy(
            () ->
                channel.writeInbound(
                    bytes(
                        0x00, // version
                        0x04, // type 4: unknown
                        0x00, 0x00, // no flags
                        0x00, 0x00, 0x00, 0x01, // stream id 1
                        0x00, 0x00, 0x00, 0x00))) // length
        .isInstanceOf(DecoderException.class)
        .hasRootCauseMessage("unknown yamux frame type 4");
  }

  @Test
  void unknownFlagBitsAreRejected() {
    assertThatThrownBy(
            () ->
                channel.writeInbound(
                    bytes(
                        0x00, // version
                        0x01, // type WINDOW_UPDATE
                        0x00, 0x10, // flags 0x10: unknown
                        0x00, 0x00, 0x00, 0x01, // stream id 1
                        0x00, 0x00, 0x00, 0x00))) // delta
        .isInstanceOf(DecoderException.class)
        .hasCauseInstanceOf(YamuxException.class);
  }

  @Test
  void randomGarbageOnlyRaisesYamuxExceptionsAndNeverLeaks() {
    Random random = new Random(42);
    for (int round = 0; round < 300; round++) {
      EmbeddedChannel ch = new EmbeddedChannel(new YamuxFrameCodec(1024));
      byte[] garbage = new byte[random.nextInt(200)];
      random.nextBytes(garbage);
      if (round % 3 == 0 && garbage.length > 0) {
        garbage[0] = 0; // valid version more often, to get deeper
      }
      int offset = 0;
      try {
        while (offset < garbage.length) {
          int n = Math.min(garbage.length - offset, 1 + random.nextInt(20));
          ch.writeInbound(
              LeakRecorder.buffer(java.util.Arrays.copyOfRange(garbage, offset, offset + n)));
          offset += n;
        }
      } catch (DecoderException e) {
        assertThat(e).hasCauseInstanceOf(YamuxException.class);
      }
      Object frame;
      while ((frame = ch.readInbound()) != null) {
        assertThat(frame).isInstanceOf(YamuxFrame.class);
        ((YamuxFrame) frame).release();
      }
      ch.finishAndReleaseAll();
    }
  }

  // ---- encoding
  // --------------------------------------------------------------------------------------------------

  @Test
  void encodesData() {
    ByteBuf payload = LeakRecorder.buffer("hey".getBytes(StandardCharsets.US_ASCII));
    assertThat(encode(YamuxFrame.data(1, YamuxFlag.mask(YamuxFlag.SYN, YamuxFlag.FIN), payload)))
        .containsExactly(
            array(
                0x00, // version
                0x00, // type DATA
                0x00, 0x05, // flags SYN|FIN
                0x00, 0x00, 0x00, 0x01, // stream id 1
                0x00, 0x00, 0x00, 0x03, // length 3
                'h', 'e', 'y')); // payload
    assertThat(payload.refCnt()).isZero();
  }

  @Test
  void encodesEmptyData() {
    assertThat(encode(YamuxFrame.data(2, YamuxFlag.FIN.bit(), Unpooled.EMPTY_BUFFER)))
        .containsExactly(
            array(
                0x00, // version
                0x00, // type DATA
                0x00, 0x04, // flags FIN
                0x00, 0x00, 0x00, 0x02, // stream id 2
                0x00, 0x00, 0x00, 0x00)); // length 0
  }

  @Test
  void encodesWindowUpdate() {
    assertThat(encode(YamuxFrame.windowUpdate(3, YamuxFlag.ACK.bit(), 0x40000)))
        .containsExactly(
            array(
                0x00, // version
                0x01, // type WINDOW_UPDATE
                0x00, 0x02, // flags ACK
                0x00, 0x00, 0x00, 0x03, // stream id 3
                0x00, 0x04, 0x00, 0x00)); // delta 256 KiB
  }

  @Test
  void encodesPing() {
    assertThat(encode(YamuxFrame.ping(YamuxFlag.ACK.bit(), 0xCAFEBABE)))
        .containsExactly(
            array(
                0x00, // version
                0x02, // type PING
                0x00, 0x02, // flags ACK
                0x00, 0x00, 0x00, 0x00, // stream id 0
                0xCA, 0xFE, 0xBA, 0xBE)); // opaque value
  }

  @Test
  void encodesGoAway() {
    assertThat(encode(YamuxFrame.goAway(YamuxGoAwayCode.INTERNAL_ERROR)))
        .containsExactly(
            array(
                0x00, // version
                0x03, // type GO_AWAY
                0x00, 0x00, // no flags
                0x00, 0x00, 0x00, 0x00, // stream id 0
                0x00, 0x00, 0x00, 0x02)); // code INTERNAL_ERROR
  }

  @Test
  void roundTripThroughTwoCodecs() {
    EmbeddedChannel encoder = new EmbeddedChannel(new YamuxFrameCodec());
    byte[] payload = new byte[Yamux.INITIAL_WINDOW_SIZE];
    new Random(1).nextBytes(payload);
    encoder.writeOutbound(YamuxFrame.data(9, 0, LeakRecorder.buffer(payload)));
    ByteBuf wire = encoder.readOutbound();
    YamuxFrame frame = decodeOne(wire);
    assertThat(ByteBufUtil.getBytes(frame.content())).isEqualTo(payload);
    frame.release();
    encoder.finishAndReleaseAll();
  }

  // ---- enums
  // -----------------------------------------------------------------------------------------------------

  @Test
  void enumsRejectUnknownCodes() {
    assertThat(YamuxType.fromCode(3)).isEqualTo(YamuxType.GO_AWAY);
    assertThatThrownBy(() -> YamuxType.fromCode(4)).isInstanceOf(YamuxException.class);
    assertThatThrownBy(() -> YamuxType.fromCode(-1)).isInstanceOf(YamuxException.class);
    assertThat(YamuxFlag.fromBit(8)).isEqualTo(YamuxFlag.RST);
    assertThatThrownBy(() -> YamuxFlag.fromBit(16)).isInstanceOf(YamuxException.class);
    assertThat(YamuxGoAwayCode.fromCode(0)).isEqualTo(YamuxGoAwayCode.NORMAL);
    assertThatThrownBy(() -> YamuxGoAwayCode.fromCode(3)).isInstanceOf(YamuxException.class);
  }
}
