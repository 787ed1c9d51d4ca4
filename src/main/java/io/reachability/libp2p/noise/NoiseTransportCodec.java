package io.reachability.libp2p.noise;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.List;

/**
 * The noise-libp2p transport phase: 2-byte big-endian length-prefixed ChaCha20-Poly1305 frames.
 *
 * <ul>
 *   <li>Inbound: waits for a whole frame (nothing is allocated for a frame until all of it has
 *       arrived), decrypts it and passes the plaintext on as a {@link ByteBuf}; an empty plaintext
 *       is not passed on.
 *   <li>Outbound: encrypts every {@link ByteBuf} written, split into frames of at most {@link
 *       Noise#MAX_PLAINTEXT_LENGTH} plaintext bytes, into one output buffer per write. Other
 *       message types are refused (they would otherwise reach the wire unencrypted).
 *   <li>A frame that fails authentication, is shorter than a tag or longer than the limit: a {@link
 *       NoiseException} is fired down the pipeline once, the rest of the input is discarded and the
 *       channel is closed. An encryption failure (nonce exhausted) fails the write and closes the
 *       channel.
 * </ul>
 *
 * <p>Installed by {@link NoiseHandshakeHandler} in its own place when the handshake completes.
 *
 * @see <a
 *     href="https://github.com/libp2p/specs/blob/master/noise/README.md#wire-format">noise-libp2p:
 *     wire format</a>
 */
public final class NoiseTransportCodec extends DuplexByteDecoder {

  /** The name under which the handshake handler installs this codec. */
  public static final String NAME = "noise-transport";

  private static final int FRAME_OVERHEAD = Noise.LENGTH_PREFIX_BYTES + Noise.TAG_LENGTH;

  /**
   * One frame's ciphertext, per thread: decoding runs on the channel's event loop and is done with
   * the array before it returns.
   */
  private static final FastThreadLocal<byte[]> SCRATCH =
      new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
          return new byte[Noise.MAX_FRAME_LENGTH];
        }
      };

  private final CipherState sender;
  private final CipherState receiver;
  private final int maxFrameLength;
  private boolean failed;

  NoiseTransportCodec(CipherState sender, CipherState receiver) {
    this(sender, receiver, Noise.MAX_FRAME_LENGTH);
  }

  /**
   * A codec with a lower frame limit, so tests can exercise the over-limit path a 2-byte prefix
   * cannot reach.
   */
  NoiseTransportCodec(CipherState sender, CipherState receiver, int maxFrameLength) {
    if (maxFrameLength < Noise.TAG_LENGTH || maxFrameLength > Noise.MAX_FRAME_LENGTH) {
      throw new IllegalArgumentException("max frame length out of range: " + maxFrameLength);
    }
    this.sender = sender;
    this.receiver = receiver;
    this.maxFrameLength = maxFrameLength;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!(msg instanceof ByteBuf plaintext)) {
      ReferenceCountUtil.release(msg);
      promise.setFailure(
          new NoiseException("cannot encrypt a " + msg.getClass().getName() + "; write ByteBufs"));
      return;
    }

    if (!plaintext.isReadable()) {
      // nothing to send; an empty write stays empty on the wire
      ctx.write(plaintext, promise);
      return;
    }
    ByteBuf frames;
    try {
      frames = encrypt(ctx, plaintext);
    } catch (RuntimeException e) {
      promise.setFailure(e);
      ctx.close();
      return;
    } finally {
      plaintext.release();
    }
    ctx.write(frames, promise);
  }

  /** All of {@code plaintext} as frames in one buffer sized exactly up front. */
  private ByteBuf encrypt(ChannelHandlerContext ctx, ByteBuf plaintext) {
    int length = plaintext.readableBytes();
    int frames = (length + Noise.MAX_PLAINTEXT_LENGTH - 1) / Noise.MAX_PLAINTEXT_LENGTH;
    ByteBuf out = ctx.alloc().ioBuffer(length + frames * FRAME_OVERHEAD);
    try {
      while (plaintext.isReadable()) {
        int chunk = Math.min(plaintext.readableBytes(), Noise.MAX_PLAINTEXT_LENGTH);
        int frameLength = chunk + Noise.TAG_LENGTH;
        out.writeShort(frameLength);
        sender.encrypt(
            plaintext.nioBuffer(plaintext.readerIndex(), chunk),
            out.nioBuffer(out.writerIndex(), frameLength));
        plaintext.skipBytes(chunk);
        out.writerIndex(out.writerIndex() + frameLength);
      }
      return out;
    } catch (RuntimeException e) {
      out.release();
      throw e;
    }
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    if (in.readableBytes() < Noise.LENGTH_PREFIX_BYTES) {
      return;
    }
    int length = in.getUnsignedShort(in.readerIndex());
    // every length is checked before waiting for the body or allocating anything for it
    if (length < Noise.TAG_LENGTH) {
      fail(
          ctx,
          in,
          new NoiseException("transport frame of " + length + " bytes is shorter than its tag"));
      return;
    }
    if (length > maxFrameLength) {
      fail(
          ctx,
          in,
          new NoiseException("transport frame of " + length + " bytes exceeds " + maxFrameLength));
      return;
    }
    if (in.readableBytes() < Noise.LENGTH_PREFIX_BYTES + length) {
      return;
    }
    in.skipBytes(Noise.LENGTH_PREFIX_BYTES);
    int plaintextLength = length - Noise.TAG_LENGTH;
    // array to array (profiled: the JDK's buffer path costs dial data a third more CPU); the
    // ciphertext is copied into this event loop's scratch array unless it is an array already
    ByteBuf plaintext = ctx.alloc().heapBuffer(plaintextLength);
    try {
      byte[] ciphertext;
      int offset;
      if (in.hasArray()) {
        ciphertext = in.array();
        offset = in.arrayOffset() + in.readerIndex();
      } else {
        ciphertext = SCRATCH.get();
        offset = 0;
        in.getBytes(in.readerIndex(), ciphertext, 0, length);
      }
      receiver.decrypt(ciphertext, offset, length, plaintext.array(), plaintext.arrayOffset());
    } catch (NoiseException e) {
      plaintext.release();
      fail(ctx, in, e);
      return;
    }
    in.skipBytes(length);
    if (plaintextLength == 0) {
      plaintext.release();
      return;
    }
    plaintext.writerIndex(plaintextLength);
    out.add(plaintext);
  }

  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    // a partial frame at the end of the connection is dropped, never passed on
    decode(ctx, in, out);
    in.skipBytes(in.readableBytes());
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    sender.destroy();
    receiver.destroy();
  }

  private void fail(ChannelHandlerContext ctx, ByteBuf in, NoiseException cause) {
    failed = true;
    in.skipBytes(in.readableBytes());
    ctx.fireExceptionCaught(cause);
    ctx.close();
  }
}
