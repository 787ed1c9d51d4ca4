package io.reachability.libp2p.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.reachability.libp2p.core.Libp2pException;
import io.reachability.libp2p.core.Multiaddr;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Plain TCP on Netty: native epoll where available (Linux), NIO elsewhere. Only raw sockets live
 * here; securing and multiplexing them is the {@link ConnectionUpgrader}'s job.
 */
public final class TcpTransport implements AutoCloseable {

  /** How long {@link #close()} lets in-flight work drain before the event loops are stopped. */
  public static final Duration SHUTDOWN_QUIET_PERIOD = Duration.ofMillis(50);

  /** Upper bound for {@link #close()}. */
  public static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);

  /** Accept backlog of listening sockets. */
  public static final int LISTEN_BACKLOG = 1024;

  /** Accepting is cheap (the upgrade runs on the I/O loops): one thread is plenty. */
  public static final int ACCEPT_THREADS = 1;

  private final boolean epoll;
  private final EventLoopGroup acceptGroup;
  private final EventLoopGroup ioGroup;

  /**
   * @param ioThreads event loop threads for connections; 0 means Netty's default (2 × cores)
   * @param threadNamePrefix names the threads so thread dumps show which host they belong to
   */
  public TcpTransport(int ioThreads, String threadNamePrefix) {
    this.epoll = Epoll.isAvailable();
    IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    this.acceptGroup =
        new MultiThreadIoEventLoopGroup(ACCEPT_THREADS, new DefaultThreadFactory(threadNamePrefix + "-accept", true), factory);
    this.ioGroup =
        new MultiThreadIoEventLoopGroup(ioThreads, new DefaultThreadFactory(threadNamePrefix + "-io", true), factory);
  }

  /** True when the native epoll transport is in use. */
  public boolean isNative() {
    return epoll;
  }

  /** The event loops connections run on. */
  public EventLoopGroup ioGroup() {
    return ioGroup;
  }

  /**
   * Listens on an {@code /ip4|ip6/…/tcp/port} address; port 0 picks a free port. Completes with
   * the bound server channel, whose local address carries the real port.
   */
  public CompletableFuture<Channel> listen(Multiaddr address, Consumer<SocketChannel> acceptedInitializer) {
    InetSocketAddress socketAddress = requireTcp(address);
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(acceptGroup, ioGroup)
            .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, LISTEN_BACKLOG)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(initializer(acceptedInitializer));
    return toFuture(bootstrap.bind(socketAddress), "listen on " + address);
  }

  /** Connects to an {@code /ip4|ip6/…/tcp/port} address within {@code timeout}. */
  public CompletableFuture<Channel> dial(Multiaddr address, Duration timeout, Consumer<SocketChannel> initializer) {
    InetSocketAddress socketAddress = requireTcp(address);
    Bootstrap bootstrap =
        new Bootstrap()
            .group(ioGroup)
            .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
            .handler(initializer(initializer));
    return toFuture(bootstrap.connect(socketAddress), "dial " + address);
  }

  private static ChannelInitializer<SocketChannel> initializer(Consumer<SocketChannel> init) {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(SocketChannel ch) {
        init.accept(ch);
      }
    };
  }

  static InetSocketAddress requireTcp(Multiaddr address) {
    return address
        .toTcpSocketAddress()
        .orElseThrow(() -> new Libp2pException("not a TCP address this transport can use: " + address));
  }

  private static CompletableFuture<Channel> toFuture(ChannelFuture future, String what) {
    CompletableFuture<Channel> result = new CompletableFuture<>();
    future.addListener(
        f -> {
          if (f.isSuccess()) {
            result.complete(future.channel());
          } else {
            result.completeExceptionally(new Libp2pException(what + " failed: " + f.cause().getMessage(), f.cause()));
          }
        });
    return result;
  }

  @Override
  public void close() {
    long quiet = SHUTDOWN_QUIET_PERIOD.toMillis();
    long timeout = SHUTDOWN_TIMEOUT.toMillis();
    acceptGroup.shutdownGracefully(quiet, timeout, TimeUnit.MILLISECONDS);
    ioGroup.shutdownGracefully(quiet, timeout, TimeUnit.MILLISECONDS).syncUninterruptibly();
    acceptGroup.terminationFuture().syncUninterruptibly();
  }
}
