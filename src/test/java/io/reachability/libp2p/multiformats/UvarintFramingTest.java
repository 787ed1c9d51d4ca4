package io.reachability.libp2p.multiformats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import org.junit.jupiter.api.Test;

class UvarintFramingTest {

  private static final int MAX = 300;

  private static ByteBuf bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return Unpooled.wrappedBuffer(b);
  }

  @Test
  void emptyFrame() {
    EmbeddedChannel ch = new EmbeddedChannel(new UvarintFrameDecoder(MAX));
    ch.writeInbound(bytes(0x00)); // length 0
    ByteBuf frame = ch.readInbound();
    assertThat(frame.readableBytes()).isZero();
    frame.release();
    assertThat(ch.finish()).isFalse();
  }

  @Test
  void twoFramesInOneRead() {
    EmbeddedChannel ch = new EmbeddedChannel(new UvarintFrameDecoder(MAX));
    ch.writeInbound(
        bytes(
            0x02, // length 2
            0xaa, 0xbb, 0x01, // length 1
            0xcc));
    ByteBuf first = ch.readInbound();
    ByteBuf second = ch.readInbound();
    assertThat(ByteBufUtil.hexDump(first)).isEqualTo("aabb");
    assertThat(ByteBufUtil.hexDump(second)).isEqualTo("cc");
    first.release();
    second.release();
    assertThat(ch.finish()).isFalse();
  }

  @Test
  void waitsForTheRestOfAFrameAndOfAVarint() {
    EmbeddedChannel ch = new EmbeddedChannel(new UvarintFrameDecoder(MAX));
    ch.writeInbound(bytes(0xac)); // first byte of varint 300 (0xac 0x02)
    assertThat(ch.<Object>readInbound()).isNull();
    ch.writeInbound(bytes(0x02, 0x01, 0x02)); // rest of the varint, 2 of 300 bytes
    assertThat(ch.<Object>readInbound()).isNull();
    ch.writeInbound(Unpooled.wrappedBuffer(new byte[298]));
    ByteBuf frame = ch.readInbound();
    assertThat(frame.readableBytes()).isEqualTo(300); // exactly the max
    frame.release();
    assertThat(ch.finish()).isFalse();
  }

  @Test
  void oneOverTheMaxIsRejectedBeforeBuffering() {
    EmbeddedChannel ch = new EmbeddedChannel(new UvarintFrameDecoder(MAX));
    // varint 301 = 0xad 0x02, no payload sent at all
    assertThatThrownBy(() -> ch.writeInbound(bytes(0xad, 0x02)))
        .isInstanceOf(TooLongFrameException.class)
        .hasMessageContaining("301");
    ch.finishAndReleaseAll();
  }

  @Test
  void hugeLengthPrefixIsRejectedWithoutAllocating() {
    EmbeddedChannel ch = new EmbeddedChannel(new UvarintFrameDecoder(MAX));
    // 0xff 0xff 0xff 0xff 0x07 = 2^35 - 1
    assertThatThrownBy(() -> ch.writeInbound(bytes(0xff, 0xff, 0xff, 0xff, 0x07)))
        .isInstanceOf(TooLongFrameException.class);
    ch.finishAndReleaseAll();
  }

  @Test
  void malformedVarintIsRejected() {
    EmbeddedChannel ch = new EmbeddedChannel(new UvarintFrameDecoder(MAX));
    // non-minimal encoding of 0: 0x80 0x00
    assertThatThrownBy(() -> ch.writeInbound(bytes(0x80, 0x00)))
        .isInstanceOf(DecoderException.class);
    ch.finishAndReleaseAll();
    EmbeddedChannel overlong = new EmbeddedChannel(new UvarintFrameDecoder(MAX));
    // ten continuation bytes: longer than any valid varint
    assertThatThrownBy(
            () ->
                overlong.writeInbound(
                    bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80)))
        .isInstanceOf(DecoderException.class);
    overlong.finishAndReleaseAll();
  }

  @Test
  void afterAFramingErrorNothingMoreIsDecoded() {
    EmbeddedChannel ch = new EmbeddedChannel(new UvarintFrameDecoder(MAX));
    assertThatThrownBy(() -> ch.writeInbound(bytes(0xad, 0x02)))
        .isInstanceOf(TooLongFrameException.class);
    // what follows would parse as a valid frame, but the stream lost its framing: it is dropped
    assertThat(ch.writeInbound(bytes(0x01, 0x42))).isFalse();
    assertThat(ch.<Object>readInbound()).isNull();
    ch.finishAndReleaseAll();
  }

  @Test
  void prependerWritesTheLength() {
    EmbeddedChannel ch = new EmbeddedChannel(new UvarintLengthPrepender());
    ch.writeOutbound(Unpooled.wrappedBuffer(new byte[200]));
    ByteBuf prefix = ch.readOutbound();
    ByteBuf body = ch.readOutbound();
    assertThat(ByteBufUtil.hexDump(prefix)).isEqualTo("c801"); // 200 = 0xc8 0x01
    assertThat(body.readableBytes()).isEqualTo(200);
    prefix.release();
    body.release();
    assertThat(ch.finish()).isFalse();
  }
}
