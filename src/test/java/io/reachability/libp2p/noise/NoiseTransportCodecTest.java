package io.reachability.libp2p.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Arrays;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Byte-level tests of the transport frames; both directions share one key so frames can be built by
 * hand.
 */
class NoiseTransportCodecTest {

  private static final byte[] KEY = new byte[32];

  static {
    Arrays.fill(KEY, (byte) 0x42);
  }

  private EmbeddedChannel channel = codecChannel(Noise.MAX_FRAME_LENGTH);

  private static CipherState keyed() {
    CipherState state = new CipherState();
    state.initializeKey(KEY.clone());
    return state;
  }

  private static EmbeddedChannel codecChannel(int maxFrameLength) {
    return new EmbeddedChannel(new NoiseTransportCodec(keyed(), keyed(), maxFrameLength));
  }

  /** ChaCha20-Poly1305 from the JDK with nonce = 4 zero bytes ‖ little-endian counter. */
  private static byte[] seal(long counter, byte[] plaintext) throws Exception {
    byte[] nonce = new byte[12];
    for (int i = 0; i < 8; i++) {
      nonce[4 + i] = (byte) (counter >>> (8 * i));
    }
    Cipher cipher = Cipher.getInstance("ChaCha20-Poly1305");
    cipher.init(
        Cipher.ENCRYPT_MODE, new SecretKeySpec(KEY, "ChaCha20"), new IvParameterSpec(nonce));
    return cipher.doFinal(plaintext);
  }

  private static byte[] frame(byte[] ciphertext) {
    byte[] out = new byte[2 + ciphertext.length];
    out[0] = (byte) (ciphertext.length >>> 8);
    out[1] = (byte) ciphertext.length;
    System.arraycopy(ciphertext, 0, out, 2, ciphertext.length);
    return out;
  }

  private static byte[] drain(ByteBuf buf) {
    try {
      return ByteBufUtil.getBytes(buf);
    } finally {
      buf.release();
    }
  }

  @AfterEach
  void finish() {
    channel.finishAndReleaseAll();
  }

  @Test
  void encodesOneFrameWithBigEndianLengthAndTag() throws Exception {
    channel.writeOutbound(Unpooled.wrappedBuffer(new byte[] {'h', 'i'}));
    byte[] wire = drain(channel.readOutbound());

    byte[] sealed = seal(0, new byte[] {'h', 'i'});
    assertThat(wire)
        .startsWith(
            0x00, 0x12 // length 18 = 2 plaintext bytes + 16-byte tag
            );
    assertThat(Arrays.copyOfRange(wire, 2, wire.length)).isEqualTo(sealed);
  }

  @Test
  void decodesAFrameBuiltByHand() throws Exception {
    channel.writeInbound(Unpooled.wrappedBuffer(frame(seal(0, new byte[] {1, 2, 3}))));
    assertThat(drain(channel.readInbound())).containsExactly(1, 2, 3);
  }

  @Test
  void decodesFramesFromDirectAndOffsetBuffers() throws Exception {
    // sockets hand over direct buffers (decrypted through the scratch array); a heap buffer's
    // frame may start past its array's beginning
    byte[] first = frame(seal(0, new byte[] {1, 2}));
    byte[] second = frame(seal(1, new byte[] {3, 4, 5}));
    ByteBuf direct = Unpooled.directBuffer().writeBytes(first);
    channel.writeInbound(direct);
    assertThat(drain(channel.readInbound())).containsExactly(1, 2);
    byte[] padded = new byte[7 + second.length];
    System.arraycopy(second, 0, padded, 7, second.length);
    channel.writeInbound(Unpooled.wrappedBuffer(padded).skipBytes(7));
    assertThat(drain(channel.readInbound())).containsExactly(3, 4, 5);
  }

  @Test
  void emptyFrameIsJustATagAndYieldsNothing() throws Exception {
    byte[] empty = frame(seal(0, new byte[0]));
    assertThat(empty)
        .hasSize(18)
        .startsWith(
            0x00, 0x10 // length 16: tag only, no plaintext
            );
    ByteBuf in = Unpooled.wrappedBuffer(empty);
    channel.writeInbound(in);
    assertThat(channel.inboundMessages()).isEmpty();
    assertThat(in.refCnt()).isZero();
    // the empty frame consumed nonce 0: the next frame must use nonce 1
    channel.writeInbound(Unpooled.wrappedBuffer(frame(seal(1, new byte[] {7}))));
    assertThat(drain(channel.readInbound())).containsExactly(7);
  }

  @Test
  void emptyWriteSendsNothing() {
    channel.writeOutbound(Unpooled.EMPTY_BUFFER);
    ByteBuf out = channel.readOutbound();
    assertThat(out.readableBytes()).isZero();
    out.release();
  }

  @Test
  void zeroLengthFrameIsRejected() {
    ByteBuf in =
        Unpooled.wrappedBuffer(
            new byte[] {
              0x00, 0x00, // length 0: not even a tag
            });
    assertThatThrownBy(() -> channel.writeInbound(in))
        .isInstanceOf(NoiseException.class)
        .hasMessageContaining("shorter");
    assertThat(channel.isOpen()).isFalse();
    assertThat(in.refCnt()).isZero();
  }

  @Test
  void frameOfExactlyTheMaximumRoundTrips() {
    byte[] plaintext = new byte[Noise.MAX_PLAINTEXT_LENGTH];
    new Random(1).nextBytes(plaintext);
    channel.writeOutbound(Unpooled.wrappedBuffer(plaintext));
    ByteBuf wire = channel.readOutbound();
    assertThat(wire.readableBytes()).isEqualTo(2 + 65535);
    assertThat(wire.getUnsignedByte(0)).isEqualTo((short) 0xFF); // length 65535, big-endian
    assertThat(wire.getUnsignedByte(1)).isEqualTo((short) 0xFF);

    channel.writeInbound(wire);
    assertThat(drain(channel.readInbound())).isEqualTo(plaintext);
  }

  @Test
  void oneByteOverTheMaximumPlaintextMakesTwoFrames() {
    byte[] plaintext = new byte[Noise.MAX_PLAINTEXT_LENGTH + 1];
    new Random(2).nextBytes(plaintext);
    channel.writeOutbound(Unpooled.wrappedBuffer(plaintext));
    ByteBuf wire = channel.readOutbound();
    assertThat(wire.readableBytes()).isEqualTo((2 + 65535) + (2 + 1 + 16));
    assertThat(wire.getUnsignedShort(0)).isEqualTo(65535);
    assertThat(wire.getUnsignedShort(2 + 65535)).isEqualTo(17); // 1 plaintext byte + tag

    channel.writeInbound(wire);
    ByteBuf first = channel.readInbound();
    ByteBuf second = channel.readInbound();
    assertThat(first.readableBytes()).isEqualTo(Noise.MAX_PLAINTEXT_LENGTH);
    assertThat(second.readableBytes()).isEqualTo(1);
    byte[] joined = new byte[plaintext.length];
    first.readBytes(joined, 0, Noise.MAX_PLAINTEXT_LENGTH);
    second.readBytes(joined, Noise.MAX_PLAINTEXT_LENGTH, 1);
    first.release();
    second.release();
    assertThat(joined).isEqualTo(plaintext);
  }

  @Test
  void lengthPrefixOverTheLimitIsRejectedBeforeTheBodyArrives() {
    // a 2-byte prefix cannot exceed 65535, so a codec with a 1024-byte limit stands in for "over
    // the limit"
    channel.finishAndReleaseAll();
    channel = codecChannel(1024);
    ByteBuf in =
        Unpooled.wrappedBuffer(
            new byte[] {
              0x04, 0x01, // length 1025: one over the limit; no body follows
            });
    assertThatThrownBy(() -> channel.writeInbound(in))
        .isInstanceOf(NoiseException.class)
        .hasMessageContaining("exceeds 1024");
    assertThat(channel.isOpen()).isFalse();
    assertThat(in.refCnt()).isZero();
  }

  @Test
  void lengthPrefixAtTheLimitIsAccepted() throws Exception {
    channel.finishAndReleaseAll();
    channel = codecChannel(1024);
    byte[] wire = frame(seal(0, new byte[1024 - 16]));
    assertThat(wire)
        .startsWith(
            0x04, 0x00 // length 1024: exactly the limit
            );
    channel.writeInbound(Unpooled.wrappedBuffer(wire));
    assertThat(drain(channel.readInbound())).hasSize(1008);
  }

  @Test
  void truncatedFrameWaitsForTheRest() throws Exception {
    byte[] wire = frame(seal(0, new byte[] {9, 8, 7, 6}));
    channel.writeInbound(Unpooled.wrappedBuffer(wire, 0, 1)); // half of the length prefix
    channel.writeInbound(
        Unpooled.wrappedBuffer(wire, 1, 5)); // rest of the prefix, part of the body
    assertThat(channel.inboundMessages()).isEmpty();
    channel.writeInbound(Unpooled.wrappedBuffer(wire, 6, wire.length - 6));
    assertThat(drain(channel.readInbound())).containsExactly(9, 8, 7, 6);
  }

  @Test
  void severalFramesInOneReadAllDecode() throws Exception {
    byte[] a = frame(seal(0, new byte[] {1}));
    byte[] b = frame(seal(1, new byte[] {2}));
    channel.writeInbound(Unpooled.wrappedBuffer(a, b));
    assertThat(drain(channel.readInbound())).containsExactly(1);
    assertThat(drain(channel.readInbound())).containsExactly(2);
  }

  @Test
  void tamperedFrameFailsClosesAndDropsTheRest() throws Exception {
    byte[] wire = frame(seal(0, new byte[] {1, 2, 3}));
    wire[3] ^= 0x01; // flip one ciphertext bit
    byte[] next = frame(seal(1, new byte[] {4}));
    ByteBuf in = Unpooled.wrappedBuffer(wire, next);
    // the NoiseException is fired down the pipeline once (EmbeddedChannel rethrows it), then the
    // channel closes
    assertThatThrownBy(() -> channel.writeInbound(in))
        .isInstanceOf(NoiseException.class)
        .hasMessageContaining("authentication");
    assertThat(channel.isOpen()).isFalse();
    assertThat(channel.inboundMessages()).isEmpty();
    assertThat(in.refCnt()).isZero();
  }

  @Test
  void replayedFrameFails() throws Exception {
    byte[] wire = frame(seal(0, new byte[] {1}));
    channel.writeInbound(Unpooled.wrappedBuffer(wire));
    drain(channel.readInbound());
    assertThatThrownBy(() -> channel.writeInbound(Unpooled.wrappedBuffer(wire))) // nonce 0 again
        .isInstanceOf(NoiseException.class);
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void nonByteBufWritesAreRefused() {
    ChannelFuture write = channel.writeOneOutbound("plaintext string");
    channel.flushOutbound();
    assertThat(write.cause()).isInstanceOf(NoiseException.class);
    assertThat(channel.outboundMessages()).isEmpty();
  }

  @Test
  void randomBytesOnlyEverCauseNoiseExceptions() {
    Random random = new Random(3);
    for (int i = 0; i < 200; i++) {
      EmbeddedChannel fuzz = codecChannel(Noise.MAX_FRAME_LENGTH);
      byte[] junk =
          new byte[1 + random.nextInt(300)]; // non-empty: an empty wrapped buffer is never released
      random.nextBytes(junk);
      ByteBuf in = Unpooled.wrappedBuffer(junk);
      try {
        fuzz.writeInbound(in);
      } catch (NoiseException expected) {
        assertThat(fuzz.isOpen()).isFalse();
      }
      assertThat(fuzz.inboundMessages()).isEmpty();
      fuzz.finishAndReleaseAll();
      assertThat(in.refCnt()).isZero();
    }
  }
}
