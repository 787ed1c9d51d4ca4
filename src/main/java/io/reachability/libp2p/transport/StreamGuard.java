package io.reachability.libp2p.transport;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last handler of every stream pipeline: an exception no protocol handler dealt with resets the
 * stream (never the connection), and stray messages are released instead of leaking.
 */
@ChannelHandler.Sharable
final class StreamGuard extends ChannelInboundHandlerAdapter {

  static final String NAME = "stream-guard";
  static final StreamGuard INSTANCE = new StreamGuard();

  private static final Logger log = LoggerFactory.getLogger(StreamGuard.class);

  private StreamGuard() {}

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ReferenceCountUtil.release(msg);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("stream {} failed, resetting: {}", ctx.channel(), cause.toString());
    NegotiatedStream.reset(ctx.channel());
  }
}
