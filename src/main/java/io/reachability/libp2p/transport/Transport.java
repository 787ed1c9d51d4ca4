package io.reachability.libp2p.transport;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.reachability.libp2p.core.Multiaddr;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One way of carrying libp2p connections ({@link TcpTransport} today): raw channels to and from the
 * multiaddrs it {@linkplain #handles handles}. The host's connection manager picks, for every
 * listen and dial address, the first of its transports that handles it, and passes the channels on
 * to be secured and multiplexed ({@link ConnectionUpgrader}); a transport that brings its own
 * security and streams (QUIC) adds its own upgrade beside that one.
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
