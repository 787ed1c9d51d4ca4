package io.reachability.libp2p.multistream;

import io.netty.channel.ChannelHandlerContext;

/**
 * Called by {@link MultistreamHandler} on the event loop once both sides agreed on a protocol,
 * before the handler removes itself. Install the protocol's handlers after {@code ctx} here: bytes
 * that already arrived behind the final negotiation message are forwarded to them right after this
 * call returns. Throwing fails the negotiation and closes the channel.
 */
@FunctionalInterface
public interface ProtocolSelectedListener {

  /**
   * Called once the protocol is agreed.
   *
   * @param ctx the context of the {@link MultistreamHandler} (still in the pipeline)
   * @param protocol the agreed protocol id
   */
  void selected(ChannelHandlerContext ctx, String protocol);
}
