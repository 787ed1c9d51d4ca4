package io.reachability.libp2p.multiformats;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Splits a stream into frames that each carry an unsigned-varint length prefix (the framing of
 * identify, AutoNAT and most libp2p protobuf protocols). The length is checked against {@code
 * maxFrameLength} before a single byte of the frame is buffered for it.
 */
public final class UvarintFrameDecoder extends ByteToMessageDecoder {

  private final int maxFrameLength;
  private boolean failed;

  public UvarintFrameDecoder(int maxFrameLength) {
    if (maxFrameLength < 0) {
      throw new IllegalArgumentException("maxFrameLength must not be negative: " + maxFrameLength);
    }
    this.maxFrameLength = maxFrameLength;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      // after a framing error the stream cannot be resynchronised: drop everything that follows
      in.skipBytes(in.readableBytes());
      return;
    }
    int start = in.readerIndex();
    long length;
    try {
      length = Varint.read(in);
    } catch (MultiformatsException e) {
      // a stream that got its framing wrong cannot be resynchronised: drop the rest
      in.skipBytes(in.readableBytes());
      failed = true;
      throw new CorruptedFrameException("malformed length prefix: " + e.getMessage(), e);
    }
    if (length == Varint.NEED_MORE_BYTES) {
      return;
    }
    if (length > maxFrameLength) {
      in.skipBytes(in.readableBytes());
      failed = true;
      throw new TooLongFrameException(
          "frame of " + length + " bytes exceeds the limit of " + maxFrameLength);
    }
    if (in.readableBytes() < length) {
      in.readerIndex(start);
      return;
    }
    out.add(in.readRetainedSlice((int) length));
  }
}
