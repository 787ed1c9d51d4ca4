package io.reachability.libp2p.multiformats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class VarintTest {

  // Examples from the multiformats unsigned-varint README, plus the 63-bit boundary.
  static Arguments[] vectors() {
    return new Arguments[] {
      Arguments.of(0L, new byte[] {0x00}),
      Arguments.of(1L, new byte[] {0x01}),
      Arguments.of(127L, new byte[] {0x7f}), // largest one-byte value
      Arguments.of(128L, new byte[] {(byte) 0x80, 0x01}), // smallest two-byte value
      Arguments.of(255L, new byte[] {(byte) 0xff, 0x01}),
      Arguments.of(300L, new byte[] {(byte) 0xac, 0x02}),
      Arguments.of(16384L, new byte[] {(byte) 0x80, (byte) 0x80, 0x01}),
      Arguments.of(
          Long.MAX_VALUE, // 2^63 - 1: nine bytes, all payload bits set
          new byte[] {
            (byte) 0xff,
            (byte) 0xff,
            (byte) 0xff,
            (byte) 0xff,
            (byte) 0xff,
            (byte) 0xff,
            (byte) 0xff,
            (byte) 0xff,
            0x7f
          }),
    };
  }

  @ParameterizedTest
  @MethodSource("vectors")
  void encodesAndDecodes(long value, byte[] encoded) {
    assertThat(Varint.encode(value)).isEqualTo(encoded);
    assertThat(Varint.encodedLength(value)).isEqualTo(encoded.length);
    assertThat(Varint.decode(encoded)).isEqualTo(new Varint.Decoded(value, encoded.length));

    ByteBuf buf = Unpooled.buffer();
    try {
      Varint.write(value, buf);
      assertThat(ByteBufUtil.getBytes(buf)).isEqualTo(encoded);
      buf.writeByte(0x42); // a byte after the varint stays unread
      assertThat(Varint.read(buf)).isEqualTo(value);
      assertThat(buf.readableBytes()).isEqualTo(1);
    } finally {
      buf.release();
    }
  }

  @Test
  void everyPrefixNeedsMoreBytes() {
    byte[] max = Varint.encode(Long.MAX_VALUE);
    for (int length = 0; length < max.length; length++) {
      assertThat(Varint.decode(max, 0, length).needMore())
          .as("prefix of %d bytes", length)
          .isTrue();
      ByteBuf buf = Unpooled.wrappedBuffer(max, 0, length);
      try {
        assertThat(Varint.read(buf)).isEqualTo(Varint.NEED_MORE_BYTES);
        assertThat(buf.readerIndex()).isZero();
      } finally {
        buf.release();
      }
    }
  }

  @Test
  void decodesAtAnOffset() {
    byte[] in = {
      0x55, // not part of the varint
      (byte) 0xac,
      0x02, // 300
      0x66
    };
    assertThat(Varint.decode(in, 1, in.length)).isEqualTo(new Varint.Decoded(300, 2));
    assertThat(Varint.decode(in, 1, 2).needMore()).isTrue();
  }

  @Test
  void rejectsTenBytes() {
    byte[] tooLong = {
      (byte) 0x80,
      (byte) 0x80,
      (byte) 0x80,
      (byte) 0x80,
      (byte) 0x80,
      (byte) 0x80,
      (byte) 0x80,
      (byte) 0x80,
      (byte) 0x80, // 9th byte still has the continuation bit
      0x01
    };
    assertThatThrownBy(() -> Varint.decode(tooLong))
        .isInstanceOf(MultiformatsException.class)
        .hasMessage("varint longer than 9 bytes");
    // Malformed is known after 9 bytes even when the 10th has not arrived.
    ByteBuf buf = Unpooled.wrappedBuffer(tooLong, 0, 9);
    try {
      assertThatThrownBy(() -> Varint.read(buf)).isInstanceOf(MultiformatsException.class);
      assertThat(buf.readerIndex()).isZero();
    } finally {
      buf.release();
    }
  }

  @Test
  void rejects2Pow63WhichNeedsTenBytes() {
    byte[] twoPow63 = {
      (byte) 0x80,
      (byte) 0x80,
      (byte) 0x80,
      (byte) 0x80,
      (byte) 0x80,
      (byte) 0x80,
      (byte) 0x80,
      (byte) 0x80,
      (byte) 0x80,
      0x01
    };
    assertThatThrownBy(() -> Varint.decode(twoPow63)).isInstanceOf(MultiformatsException.class);
  }

  @Test
  void rejectsNonMinimalEncodings() {
    byte[] oneInTwoBytes = {(byte) 0x81, 0x00}; // 1 with a trailing 0x80 0x00 style padding
    byte[] zeroInTwoBytes = {(byte) 0x80, 0x00};
    byte[] zeroInThreeBytes = {(byte) 0x80, (byte) 0x80, 0x00};
    for (byte[] bad : new byte[][] {oneInTwoBytes, zeroInTwoBytes, zeroInThreeBytes}) {
      assertThatThrownBy(() -> Varint.decode(bad))
          .isInstanceOf(MultiformatsException.class)
          .hasMessage("varint is not minimally encoded");
    }
  }

  @Test
  void refusesToEncodeNegativeValues() {
    assertThatThrownBy(() -> Varint.encode(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void intValueChecksTheRange() {
    assertThat(Varint.decode(Varint.encode(Integer.MAX_VALUE)).intValue())
        .isEqualTo(Integer.MAX_VALUE);
    assertThatThrownBy(() -> Varint.decode(Varint.encode(Integer.MAX_VALUE + 1L)).intValue())
        .isInstanceOf(MultiformatsException.class);
  }

  @Test
  void randomBytesDecodeOrFailTyped() {
    Random random = new Random(42);
    for (int i = 0; i < 20_000; i++) {
      byte[] in = new byte[random.nextInt(12)];
      random.nextBytes(in);
      try {
        Varint.Decoded decoded = Varint.decode(in);
        if (!decoded.needMore()) {
          assertThat(decoded.value()).isNotNegative();
          assertThat(Varint.encode(decoded.value()))
              .isEqualTo(java.util.Arrays.copyOf(in, decoded.length()));
        }
      } catch (MultiformatsException expected) {
        // malformed input is fine, anything else is not
      }
    }
  }
}
