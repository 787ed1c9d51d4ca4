package io.reachability.libp2p.transport;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.Direction;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One way of carrying libp2p connections: channels to and from the multiaddrs it {@linkplain
 * #handles handles}. The host's connection manager picks, for every listen and dial address, the
 * first of its transports that handles it, admits the channel, and has it {@linkplain #upgrade
 * upgraded} to a {@link Connection}: {@link TcpTransport}'s raw sockets go through the host's
 * {@link ConnectionUpgrader} (security and multiplexer negotiated on top); {@link QuicTransport}
 * brings its own security (TLS inside QUIC) and streams, so its channels need no more than the
 * authentication check.
 *
 * <p>Callbacks run on the transport's event loops: keep them short and non-blocking.
 */
public interface Transport extends AutoCloseable {

  /** Whether this transport can listen on and dial {@code address} (without {@code /p2p}). */
  boolean handles(Multiaddr address);

  /**
   * Listens on {@code address}; port 0 picks a free port. {@code accepted} runs for each accepted
   * channel as it becomes active, before anything is read from it. Completes with the bound server
   * channel, whose local address carries the real port.
   */
  CompletableFuture<Channel> listen(Multiaddr address, Consumer<Channel> accepted);

  /**
   * Connects to {@code address} within {@code timeout}. {@code connected} runs once, for the
   * channel that connected, before anything is read from it; one that failed never sees it.
   */
  CompletableFuture<Channel> dial(Multiaddr address, Duration timeout, Consumer<Channel> connected);

  /**
   * {@link #dial(Multiaddr, Duration, Consumer)}, from an ephemeral port even where the transport
   * would dial from a listen port: for connections whose source port means nothing (checking
   * another peer), so that two in a row to one address never share a four-tuple. Transports that do
   * not dial from listen ports (or, as QUIC, keep connections apart by connection id) dial as
   * always.
   */
  default CompletableFuture<Channel> dialFromEphemeralPort(
      Multiaddr address, Duration timeout, Consumer<Channel> connected) {
    return dial(address, timeout, connected);
  }

  /**
   * Makes a connection of a channel this transport produced (call from the {@code accepted} or
   * {@code connected} callback): by default the host's {@code upgrader} secures and multiplexes it.
   *
   * @param expectedPeer when dialing an address with {@code /p2p/<id>}: the handshake fails unless
   *     the remote proves that identity
   */
  default CompletableFuture<Connection> upgrade(
      Channel channel,
      Direction direction,
      @Nullable PeerId expectedPeer,
      StreamHandlerRegistry streams,
      ConnectionUpgrader upgrader) {
    return upgrader.upgrade(channel, direction, expectedPeer, streams);
  }

  /** Turns away a channel {@code accepted} delivered (over a limit, say), telling the dialer. */
  default void refuse(Channel channel) {
    channel.close();
  }

  /** The remote IP and port of a channel this transport produced. */
  default InetSocketAddress remoteSocketAddress(Channel channel) {
    return (InetSocketAddress) channel.remoteAddress();
  }

  /** Whether outbound channels leave from a listen port (so peers observe its mapping). */
  boolean reusesPorts();

  /** A short name for logs, e.g. {@code "tcp (epoll)"}. */
  String describe();

  /** The event loops the channels run on. */
  EventLoopGroup ioGroup();

  /** Stops listening and stops the event loops. */
  @Override
  void close();
}
