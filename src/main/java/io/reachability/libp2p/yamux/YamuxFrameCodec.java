package io.reachability.libp2p.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.ByteToMessageCodec;
import java.util.List;

/**
 * Encodes {@link YamuxFrame}s to bytes and decodes bytes to frames (big-endian 12-byte header, then
 * the payload of DATA frames). Every header is checked before anything is allocated: the version,
 * the type, the flag bits and, for DATA, the length against {@link #maxDataLength()}. A bad header
 * throws {@link YamuxException} (which Netty wraps in a {@code DecoderException}); the codec then
 * discards everything that follows, because the byte stream has lost its framing. {@link
 * YamuxHandler} answers with GO_AWAY(PROTOCOL_ERROR) and closes.
 *
 * <p>Not sharable: one instance per connection, installed directly before {@link YamuxHandler}.
 *
 * @see <a href="https://github.com/hashicorp/yamux/blob/master/spec.md#framing">Framing</a>
 */
public final class YamuxFrameCodec extends ByteToMessageCodec<YamuxFrame> {

  /** Name of this handler in a connection pipeline. */
  public static final String NAME = "yamux-codec";

  private final int maxDataLength;
  private boolean failed;

  /**
   * A codec accepting DATA frames up to the default window of {@value Yamux#INITIAL_WINDOW_SIZE}
   * bytes.
   */
  public YamuxFrameCodec() {
    this(Yamux.INITIAL_WINDOW_SIZE);
  }

  /**
   * A codec accepting DATA frames up to {@code maxDataLength} bytes: no frame can legally be larger
   * than the receive window, so pass {@link YamuxSettings#initialWindow()}.
   */
  public YamuxFrameCodec(int maxDataLength) {
    super(YamuxFrame.class);
    if (maxDataLength < 0 || maxDataLength > Yamux.MAX_WINDOW_SIZE) {
      throw new IllegalArgumentException("maxDataLength out of range: " + maxDataLength);
    }
    this.maxDataLength = maxDataLength;
  }

  /** The largest DATA payload accepted from the peer. */
  public int maxDataLength() {
    return maxDataLength;
  }

  /** Writes the header and, for DATA, the payload without copying it (a composite buffer). */
  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
      throws Exception {
    if (!(msg instanceof YamuxFrame frame)) {
      super.write(ctx, msg, promise);
      return;
    }

    ByteBuf out;
    try {
      ByteBuf header = ctx.alloc().buffer(Yamux.HEADER_LENGTH);
      writeHeader(frame, header);
      ByteBuf data = frame.content();
      if (frame.type() == YamuxType.DATA && data.isReadable()) {
        out = ctx.alloc().compositeBuffer(2).addComponents(true, header, data.retain());
      } else {
        out = header;
      }
    } finally {
      frame.release();
    }
    ctx.write(out, promise);
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, YamuxFrame frame, ByteBuf out) {
    writeHeader(frame, out);
    if (frame.type() == YamuxType.DATA) {
      ByteBuf data = frame.content();
      out.writeBytes(data, data.readerIndex(), data.readableBytes());
    }
  }

  private static void writeHeader(YamuxFrame frame, ByteBuf out) {
    out.writeByte(Yamux.VERSION);
    out.writeByte(frame.type().code());
    out.writeShort(frame.flags());
    out.writeInt(frame.streamId());
    out.writeInt(frame.type() == YamuxType.DATA ? frame.content().readableBytes() : frame.length());
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    if (in.readableBytes() >= Yamux.HEADER_LENGTH) {
      int start = in.readerIndex();
      int version = in.getUnsignedByte(start);
      int typeCode = in.getUnsignedByte(start + 1);
      int flags = in.getUnsignedShort(start + 2);
      int streamId = in.getInt(start + 4);
      int length = in.getInt(start + 8);
      YamuxType type;
      try {
        if (version != Yamux.VERSION) {
          throw new YamuxException("unsupported yamux version " + version);
        }
        type = YamuxType.fromCode(typeCode);
        if ((flags & ~YamuxFlag.KNOWN_BITS) != 0) {
          throw new YamuxException("unknown yamux flag bits 0x" + Integer.toHexString(flags));
        }
        if (type == YamuxType.DATA && Integer.toUnsignedLong(length) > maxDataLength) {
          throw new YamuxException(
              "DATA frame of "
                  + Integer.toUnsignedString(length)
                  + " bytes on stream "
                  + Integer.toUnsignedString(streamId)
                  + " exceeds "
                  + maxDataLength);
        }
      } catch (YamuxException e) {
        // The framing is lost: drop this and every later byte.
        failed = true;
        in.skipBytes(in.readableBytes());
        throw e;
      }
      if (type == YamuxType.DATA) {
        if (in.readableBytes() < Yamux.HEADER_LENGTH + length) {
          return; // wait for the whole payload (bounded by maxDataLength, checked above)
        }
        in.skipBytes(Yamux.HEADER_LENGTH);
        out.add(YamuxFrame.data(streamId, flags, in.readRetainedSlice(length)));
      } else {
        in.skipBytes(Yamux.HEADER_LENGTH);
        out.add(YamuxFrame.header(type, flags, streamId, length));
      }
    }
  }
}
