package io.reachability.libp2p.core;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.socket.DuplexChannel;

/**
 * One multiplexed stream on which a protocol has been negotiated. The stream is a Netty channel
 * with its own pipeline: protocol handlers are ordinary Netty handlers. {@code channel().close()}
 * sends FIN and stops reading; {@link #closeWrite()} sends FIN and reads on; {@link #reset()}
 * aborts the stream.
 */
public interface Stream {

  Channel channel();

  Connection connection();

  /** The negotiated protocol id. */
  String protocol();

  Direction direction();

  /** Aborts the stream in both directions (yamux RST; QUIC RESET_STREAM and STOP_SENDING). */
  void reset();

  /**
   * Half-closes: FIN once everything written so far is sent; reading goes on. Use this rather than
   * {@link DuplexChannel#shutdownOutput()}, which on a QUIC stream sends FIN at once, ahead of data
   * still waiting for flow-control credit.
   */
  default ChannelFuture closeWrite() {
    return channel() instanceof DuplexChannel duplex ? duplex.shutdownOutput() : channel().close();
  }
}
