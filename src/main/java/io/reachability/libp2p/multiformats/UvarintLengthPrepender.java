package io.reachability.libp2p.multiformats;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/** Prefixes every outbound buffer with its length as an unsigned varint. */
@ChannelHandler.Sharable
public final class UvarintLengthPrepender extends MessageToMessageEncoder<ByteBuf> {

  public UvarintLengthPrepender() {
    super(ByteBuf.class);
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, ByteBuf msg, List<Object> out) {
    ByteBuf prefix = ctx.alloc().buffer(Varint.encodedLength(msg.readableBytes()));
    Varint.write(msg.readableBytes(), prefix);
    out.add(prefix);
    out.add(msg.retain());
  }
}
