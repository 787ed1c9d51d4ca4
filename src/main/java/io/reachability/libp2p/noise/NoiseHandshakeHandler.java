package io.reachability.libp2p.noise;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.crypto.PrivateKey;
import io.reachability.libp2p.crypto.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Runs the noise-libp2p XX handshake on a channel, then replaces itself with a {@link
 * NoiseTransportCodec}.
 *
 * <ul>
 *   <li>Starts when added to an active channel, or on {@code channelActive}; the initiator then
 *       sends message 1 ({@code e}, empty payload). The responder's payload goes in message 2, the
 *       initiator's in message 3.
 *   <li>Each payload is verified: the identity key must have signed the static Noise key, and when
 *       an expected peer id was given the key must hash to it.
 *   <li>On success, on the event loop: the transport codec is added right after this handler,
 *       {@link #result()} completes (listeners registered before that run now and add the next
 *       handlers after the codec), and this handler removes itself; bytes that arrived behind the
 *       last handshake message are handed to the codec, decrypted and passed on to those handlers.
 *   <li>On failure (malformed or unauthenticated message, bad signature, wrong peer, timeout,
 *       connection closed): {@link #result()} fails with a {@link NoiseException} and the channel
 *       is closed. No exception is propagated down the pipeline and the remaining input is
 *       discarded.
 *   <li>Writes from handlers behind this one are refused until the handshake is done (they would go
 *       out in plaintext).
 * </ul>
 *
 * @see <a href="https://github.com/libp2p/specs/blob/master/noise/README.md">noise-libp2p</a>
 */
public final class NoiseHandshakeHandler extends DuplexByteDecoder {

  /** The pipeline name for this handler. */
  public static final String NAME = "noise-handshake";

  private static final byte[] EMPTY = new byte[0];

  private enum State {
    NEW,
    RUNNING,
    DONE,
    FAILED
  }

  private final NoiseIdentity local;
  private final boolean initiator;
  private final @Nullable PeerId expectedRemotePeer;
  private final Duration timeout;
  private final CompletableFuture<SecureSession> result = new CompletableFuture<>();
  private State state = State.NEW;
  private @Nullable HandshakeState handshake;
  private @Nullable Future<?> timeoutTask;

  /**
   * A handshake as {@code identity}, reusing the static Noise key made for that identity key
   * earlier.
   *
   * @param expectedRemotePeer the peer we dialed, or {@code null} to accept any authenticated peer
   */
  public NoiseHandshakeHandler(
      PrivateKey identity,
      boolean initiator,
      @Nullable PeerId expectedRemotePeer,
      Duration timeout) {
    this(NoiseIdentity.cached(identity), initiator, expectedRemotePeer, timeout);
  }

  /**
   * A handshake with explicit Noise credentials (one {@link NoiseIdentity} per identity key,
   * shared).
   *
   * @param expectedRemotePeer the peer we dialed, or {@code null} to accept any authenticated peer
   */
  public NoiseHandshakeHandler(
      NoiseIdentity local,
      boolean initiator,
      @Nullable PeerId expectedRemotePeer,
      Duration timeout) {
    this.local = Objects.requireNonNull(local, "local");
    this.initiator = initiator;
    this.expectedRemotePeer = expectedRemotePeer;
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("handshake timeout must be positive: " + timeout);
    }
  }

  /**
   * Completes on the event loop with the authenticated remote peer, or fails with a {@link
   * NoiseException}.
   */
  public CompletableFuture<SecureSession> result() {
    return result;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      start(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    start(ctx);
    super.channelActive(ctx);
  }

  private void start(ChannelHandlerContext ctx) {
    if (state != State.NEW) {
      return;
    }
    state = State.RUNNING;
    timeoutTask =
        ctx.executor()
            .schedule(
                () ->
                    fail(
                        ctx,
                        new NoiseException(
                            "Noise handshake timed out after " + timeout.toMillis() + " ms")),
                timeout.toNanos(),
                TimeUnit.NANOSECONDS);
    try {
      HandshakeState hs = new HandshakeState(initiator, local.staticKey(), NoiseIdentity.RANDOM);
      handshake = hs;
      if (initiator) {
        send(ctx, hs.writeMessage(EMPTY)); // -> e
      }
    } catch (RuntimeException e) {
      fail(ctx, e);
    }
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    // after completion the leftover bytes belong to the transport codec; after failure they are
    // dropped
    while (state == State.RUNNING) {
      if (in.readableBytes() < Noise.LENGTH_PREFIX_BYTES) {
        return;
      }
      // a 2-byte prefix cannot exceed MAX_FRAME_LENGTH, so waiting for the body is bounded
      int length = in.getUnsignedShort(in.readerIndex());
      if (in.readableBytes() < Noise.LENGTH_PREFIX_BYTES + length) {
        return;
      }
      in.skipBytes(Noise.LENGTH_PREFIX_BYTES);
      byte[] message = new byte[length];
      in.readBytes(message);
      try {
        receive(ctx, message);
      } catch (RuntimeException e) {
        fail(ctx, e);
      }
    }
    if (state == State.FAILED) {
      in.skipBytes(in.readableBytes());
    }
  }

  private void receive(ChannelHandlerContext ctx, byte[] message) {
    HandshakeState hs = Objects.requireNonNull(handshake);
    if (hs.isMyTurn() || hs.isComplete()) {
      // the remote side sent a handshake message out of turn (e.g. two initiators)
      throw new NoiseException("unexpected handshake message while waiting to send");
    }
    byte[] payload = hs.readMessage(message);
    if (!initiator && !hs.isComplete()) {
      // message 1 (-> e): its payload is empty in libp2p and carries nothing we use
      send(ctx, hs.writeMessage(local.payload())); // <- e, ee, s, es
      return;
    }
    PublicKey remoteKey =
        HandshakePayload.verify(payload, Objects.requireNonNull(hs.remoteStaticKey()));
    PeerId remotePeer = PeerId.fromPublicKey(remoteKey.marshal());
    if (expectedRemotePeer != null && !expectedRemotePeer.equals(remotePeer)) {
      throw new NoiseException(
          "peer id mismatch: expected " + expectedRemotePeer + ", got " + remotePeer);
    }
    if (initiator) {
      send(ctx, hs.writeMessage(local.payload())); // -> s, se
    }
    succeed(ctx, hs, new SecureSession(remotePeer, remoteKey));
  }

  private void succeed(ChannelHandlerContext ctx, HandshakeState hs, SecureSession session) {
    CipherState[] ciphers = hs.split();
    String name =
        ctx.pipeline().context(NoiseTransportCodec.NAME) == null ? NoiseTransportCodec.NAME : null;
    ctx.pipeline().addAfter(ctx.name(), name, new NoiseTransportCodec(ciphers[0], ciphers[1]));
    state = State.DONE;
    handshake = null;
    cancelTimeout();
    // listeners install the next handlers after the codec now, before any leftover byte is
    // forwarded
    result.complete(session);
    if (!ctx.isRemoved()) {
      // removal hands the cumulated bytes behind the last handshake message to the codec
      ctx.pipeline().remove(this);
    }
  }

  private void send(ChannelHandlerContext ctx, byte[] message) {
    if (message.length > Noise.MAX_FRAME_LENGTH) {
      throw new NoiseException(
          "handshake message of " + message.length + " bytes exceeds the frame limit");
    }
    ByteBuf frame = ctx.alloc().buffer(Noise.LENGTH_PREFIX_BYTES + message.length);
    frame.writeShort(message.length).writeBytes(message);
    ctx.writeAndFlush(frame)
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                fail(ctx, new NoiseException("cannot send a Noise handshake message", f.cause()));
              }
            });
  }

  private void fail(ChannelHandlerContext ctx, Throwable cause) {
    if (state == State.DONE || state == State.FAILED) {
      return;
    }
    state = State.FAILED;
    handshake = null;
    cancelTimeout();
    result.completeExceptionally(asNoiseException(cause));
    ctx.close();
  }

  private static NoiseException asNoiseException(Throwable cause) {
    if (cause instanceof NoiseException noiseException) {
      return noiseException;
    }
    return new NoiseException("Noise handshake failed: " + cause, cause);
  }

  private void cancelTimeout() {
    Future<?> task = timeoutTask;
    if (task != null) {
      task.cancel(false);
      timeoutTask = null;
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (state == State.DONE) {
      // written by a result listener before this handler is gone: the codec in front has encrypted
      // it
      ctx.write(msg, promise);
      return;
    }
    ReferenceCountUtil.release(msg);
    promise.setFailure(new NoiseException("cannot write before the Noise handshake has completed"));
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    fail(ctx, new NoiseException("connection closed during the Noise handshake"));
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (state == State.DONE) {
      ctx.fireExceptionCaught(cause);
    } else {
      // an error under us during the handshake ends it; nothing reaches the handlers behind us
      fail(ctx, cause);
    }
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    cancelTimeout();
    if (state != State.DONE && state != State.FAILED) {
      state = State.FAILED;
      result.completeExceptionally(
          new NoiseException("Noise handshake handler removed before completion"));
    }
  }
}
