package io.reachability.libp2p.core;

import io.netty.channel.Channel;

/**
 * One multiplexed stream on which a protocol has been negotiated. The stream is a Netty channel
 * with its own pipeline: protocol handlers are ordinary Netty handlers. {@code channel().close()}
 * half-closes (FIN) the stream; {@link #reset()} aborts it.
 */
public interface Stream {

  Channel channel();

  Connection connection();

  /** The negotiated protocol id. */
  String protocol();

  Direction direction();

  /** Aborts the stream in both directions (yamux RST). */
  void reset();
}
