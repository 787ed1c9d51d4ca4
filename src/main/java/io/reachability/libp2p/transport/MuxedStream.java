package io.reachability.libp2p.transport;

import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.Direction;
import io.reachability.libp2p.core.Stream;
import io.reachability.libp2p.yamux.YamuxStreamChannel;

/** A yamux stream with its negotiated protocol. */
final class MuxedStream implements Stream {

  private final YamuxStreamChannel channel;
  private final Connection connection;
  private final String protocol;
  private final Direction direction;

  MuxedStream(
      YamuxStreamChannel channel, Connection connection, String protocol, Direction direction) {
    this.channel = channel;
    this.connection = connection;
    this.protocol = protocol;
    this.direction = direction;
  }

  @Override
  public YamuxStreamChannel channel() {
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
    channel.reset();
  }

  @Override
  public String toString() {
    return "Stream[" + protocol + ", " + direction + ", " + channel + "]";
  }
}
