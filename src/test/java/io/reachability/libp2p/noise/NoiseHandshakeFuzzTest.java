package io.reachability.libp2p.noise;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.reachability.libp2p.Libp2pException;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.libp2p.crypto.PrivateKey;
import io.reachability.testing.ChunkedFeed;
import io.reachability.testing.LeakRecorder;
import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * The Noise responder, the first code a dialing stranger's bytes reach. (The transport codec is
 * only built after a handshake; NoiseTransportCodecTest covers its frames.)
 */
class NoiseHandshakeFuzzTest {

  private static final Duration TIMEOUT = Noise.DEFAULT_HANDSHAKE_TIMEOUT;
  private static final NoiseIdentity RESPONDER =
      NoiseIdentity.cached(Keys.ed25519FromSeed(seed(1)));

  /** A fixed initiator, so a committed seed can hold a payload that really verifies. */
  static final PrivateKey INITIATOR_KEY = Keys.ed25519FromSeed(seed(2));

  static final X25519KeyPair INITIATOR_STATIC = X25519KeyPair.fromPrivateKey(seed(3));

  private static byte[] seed(int value) {
    byte[] seed = new byte[32];
    Arrays.fill(seed, (byte) value);
    return seed;
  }

  /**
   * Arbitrary bytes from the dialer. Input: one byte choosing the chunk size they arrive in (0 =
   * all at once), then the bytes. The responder must stay pending or fail cleanly: a NoiseException
   * in result(), the channel closed, nothing thrown into the pipeline. (Success would need a forged
   * AEAD tag.)
   */
  @FuzzTest(maxDuration = "10s")
  void responder(byte[] data) {
    if (data.length == 0) {
      return;
    }
    ChunkedFeed feed = ChunkedFeed.of(data);
    NoiseHandshakeHandler handler = new NoiseHandshakeHandler(RESPONDER, false, null, TIMEOUT);
    EmbeddedChannel channel = new EmbeddedChannel(handler);
    try {
      feed.feed(
          channel::isOpen,
          in -> {
            channel.writeInbound(in); // throws whatever reached the end of the pipeline
            channel.runPendingTasks();
            drainOutbound(channel);
          });
      channel.checkException();
      assertSettledOrPending(handler.result(), channel);
      assertThat(handler.result()).as("a handshake completed on fuzzed bytes").isNotCompleted();
    } finally {
      channel.finishAndReleaseAll();
    }
    assertThat(handler.result()).as("closing settles the handshake").isDone();
    feed.assertAllReleased();
  }

  /**
   * A real initiator whose message 3 carries the fuzzed bytes as its handshake payload, properly
   * encrypted: this reaches the payload parsing and the identity-key and signature checks, which
   * random bytes on the wire never would. Only our initiator's own key can authenticate.
   */
  @FuzzTest(maxDuration = "10s")
  void responderPayload(byte[] payload) {
    HandshakeState initiator = new HandshakeState(true, INITIATOR_STATIC, new SecureRandom());
    NoiseHandshakeHandler handler = new NoiseHandshakeHandler(RESPONDER, false, null, TIMEOUT);
    EmbeddedChannel channel = new EmbeddedChannel(handler);
    ByteBuf message3 = null;
    try {
      channel.writeInbound(frame(initiator.writeMessage(new byte[0])));
      byte[] message2 = drainOutbound(channel);
      assertThat(message2.length).isGreaterThan(Noise.LENGTH_PREFIX_BYTES);
      initiator.readMessage(
          Arrays.copyOfRange(message2, Noise.LENGTH_PREFIX_BYTES, message2.length));
      byte[] message = initiator.writeMessage(payload);
      if (message.length > Noise.MAX_FRAME_LENGTH) {
        return; // no frame can carry it
      }
      message3 = frame(message);
      channel.writeInbound(message3);
      channel.runPendingTasks();
      channel.checkException();
      drainOutbound(channel);
      for (Object in; (in = channel.readInbound()) != null; ) {
        ReferenceCountUtil.release(in);
      }
      assertSettledOrPending(handler.result(), channel);
      assertThat(handler.result()).as("message 3 was complete").isDone();
      if (!handler.result().isCompletedExceptionally()) {
        assertThat(handler.result().join().remotePeer())
            .isEqualTo(PeerId.fromPublicKey(INITIATOR_KEY.publicKey().marshal()));
      }
    } finally {
      channel.finishAndReleaseAll();
    }
    if (message3 != null) {
      assertThat(message3.refCnt()).as("input buffer released").isZero();
    }
  }

  private static ByteBuf frame(byte[] message) {
    byte[] framed = new byte[Noise.LENGTH_PREFIX_BYTES + message.length];
    framed[0] = (byte) (message.length >>> 8);
    framed[1] = (byte) message.length;
    System.arraycopy(message, 0, framed, Noise.LENGTH_PREFIX_BYTES, message.length);
    return LeakRecorder.buffer(framed);
  }

  private static byte[] drainOutbound(EmbeddedChannel channel) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object msg; (msg = channel.readOutbound()) != null; ) {
      try {
        out.writeBytes(ByteBufUtil.getBytes((ByteBuf) msg));
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }
    return out.toByteArray();
  }

  private static void assertSettledOrPending(
      CompletableFuture<SecureSession> result, EmbeddedChannel channel) {
    if (!result.isDone()) {
      assertThat(channel.isOpen()).as("channel closed with the handshake pending").isTrue();
      return;
    }
    Throwable error = result.handle((value, e) -> e).join();
    if (error == null) {
      return;
    }
    assertThat(error).isInstanceOf(NoiseException.class);
    assertThat(channel.isOpen()).as("channel open after a failed handshake").isFalse();
    // the handler wraps any RuntimeException in a NoiseException: an untyped one right inside is a
    // bug
    // (a typed one, e.g. CryptoException for a point off the curve, may carry any cause of its own)
    if (error.getCause() != null) {
      assertThat(error.getCause())
          .as("cause of the failure")
          .isInstanceOfAny(
              Libp2pException.class,
              GeneralSecurityException.class,
              InvalidProtocolBufferException.class);
    }
  }
}
