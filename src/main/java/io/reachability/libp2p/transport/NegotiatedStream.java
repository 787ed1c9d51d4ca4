package io.reachability.libp2p.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.Direction;
import io.reachability.libp2p.core.Stream;
import io.reachability.libp2p.yamux.YamuxStreamChannel;

/** A yamux or QUIC stream with its negotiated protocol. */
final class NegotiatedStream implements Stream {

  /**
   * The application error code a QUIC stream reset carries: go-libp2p's and rust-libp2p's plain
   * reset.
   */
  static final int QUIC_RESET_CODE = 0;

  private final Channel channel;
  private final Connection connection;
  private final String protocol;
  private final Direction direction;

  NegotiatedStream(Channel channel, Connection connection, String protocol, Direction direction) {
    this.channel = channel;
    this.connection = connection;
    this.protocol = protocol;
    this.direction = direction;
  }

  @Override
  public Channel channel() {
    return channel;
  }

  @Override
  public Connection connection() {
    return connection;
  }

  @Override
  public String protocol() {
    return protocol;
  }

  @Override
  public Direction direction() {
    return direction;
  }

  @Override
  public void reset() {
    reset(channel);
  }

  /** On QUIC the FIN is written behind the data already queued, in order. */
  @Override
  public ChannelFuture closeWrite() {
    if (channel instanceof QuicStreamChannel quic) {
      return quic.writeAndFlush(new DefaultQuicStreamFrame(Unpooled.EMPTY_BUFFER, true));
    }
    return Stream.super.closeWrite();
  }

  /**
   * Aborts a stream channel in both directions: yamux RST, or QUIC RESET_STREAM and STOP_SENDING.
   */
  static void reset(Channel channel) {
    if (channel instanceof YamuxStreamChannel yamux) {
      yamux.reset();
    } else if (channel instanceof QuicStreamChannel quic) {
      quic.shutdown(QUIC_RESET_CODE).addListener(f -> quic.close());
    } else {
      channel.close();
    }
  }

  @Override
  public String toString() {
    return "Stream[" + protocol + ", " + direction + ", " + channel + "]";
  }
}
