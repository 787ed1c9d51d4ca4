package io.reachability.libp2p.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.Socket;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.reachability.libp2p.Libp2pException;
import io.reachability.libp2p.core.Errors;
import io.reachability.libp2p.core.Multiaddr;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plain TCP on Netty: native epoll where available (Linux), NIO elsewhere. Only raw sockets live
 * here; securing and multiplexing them is the {@link ConnectionUpgrader}'s job.
 *
 * <p>With port reuse (epoll only) listeners get SO_REUSEPORT and outbound sockets leave from a
 * listen port, chosen and retried as {@link PortReuse} describes; without it, or on NIO, every
 * outbound socket uses an ephemeral port.
 */
public final class TcpTransport implements Transport {

  private static final Logger log = LoggerFactory.getLogger(TcpTransport.class);

  /** How long {@link #close()} lets in-flight work drain before the event loops are stopped. */
  public static final Duration SHUTDOWN_QUIET_PERIOD = Duration.ofMillis(50);

  /** Upper bound for {@link #close()}. */
  public static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);

  /** Accept backlog of listening sockets. */
  public static final int LISTEN_BACKLOG = 1024;

  /** Accepting is cheap (the upgrade runs on the I/O loops): one thread is plenty. */
  public static final int ACCEPT_THREADS = 1;

  private final boolean epoll;
  private final boolean reusePort;
  private final EventLoopGroup acceptGroup;
  private final EventLoopGroup ioGroup;

  /**
   * Listen sockets outbound sockets may bind to (configured IP, real port); only with port reuse.
   */
  private final List<InetSocketAddress> reusableListeners = new CopyOnWriteArrayList<>();

  private final AtomicBoolean loggedNoListener = new AtomicBoolean();

  /** Epoll when available, no port reuse. */
  public TcpTransport(int ioThreads, String threadNamePrefix) {
    this(ioThreads, threadNamePrefix, true, false);
  }

  /**
   * @param ioThreads event loop threads for connections; 0 means Netty's default (2 × cores)
   * @param threadNamePrefix names the threads so thread dumps show which host they belong to
   * @param preferNative use epoll when available; false forces NIO
   * @param reusePort listen with SO_REUSEPORT and dial from a listen port (epoll only; ignored,
   *     with one log line, on NIO)
   */
  public TcpTransport(
      int ioThreads, String threadNamePrefix, boolean preferNative, boolean reusePort) {
    this.epoll = preferNative && Epoll.isAvailable();
    this.reusePort = reusePort && epoll;
    if (reusePort && !epoll) {
      log.info(
          "{}: port reuse needs the native epoll transport; outbound connections use ephemeral"
              + " ports",
          threadNamePrefix);
    }
    IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    this.acceptGroup =
        new MultiThreadIoEventLoopGroup(
            ACCEPT_THREADS, new DefaultThreadFactory(threadNamePrefix + "-accept", true), factory);
    this.ioGroup =
        new MultiThreadIoEventLoopGroup(
            ioThreads, new DefaultThreadFactory(threadNamePrefix + "-io", true), factory);
  }

  /** True when the native epoll transport is in use. */
  public boolean isNative() {
    return epoll;
  }

  /** True when listeners use SO_REUSEPORT and outbound sockets may leave from a listen port. */
  @Override
  public boolean reusesPorts() {
    return reusePort;
  }

  /** {@code /ip4|ip6/…/tcp/port}. */
  @Override
  public boolean handles(Multiaddr address) {
    return address.toTcpSocketAddress().isPresent();
  }

  @Override
  public String describe() {
    return "tcp (" + (epoll ? "epoll" : "nio") + ")";
  }

  /** The event loops connections run on. */
  @Override
  public EventLoopGroup ioGroup() {
    return ioGroup;
  }

  /**
   * Listens on an {@code /ip4|ip6/…/tcp/port} address; port 0 picks a free port. Completes with the
   * bound server channel, whose local address carries the real port.
   */
  @Override
  public CompletableFuture<Channel> listen(
      Multiaddr address, Consumer<Channel> acceptedInitializer) {
    InetSocketAddress socketAddress = requireTcp(address);
    if (reusePort && socketAddress.getPort() != 0) {
      try {
        PortReuse.requireFreePort(socketAddress);
      } catch (IOException e) {
        return CompletableFuture.failedFuture(
            new Libp2pException("listen on " + address + " failed: " + e.getMessage(), e));
      }
    }
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(acceptGroup, ioGroup)
            .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, LISTEN_BACKLOG)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(initializer(acceptedInitializer));
    if (!reusePort) {
      return toFuture(bootstrap.bind(socketAddress), "listen on " + address);
    }
    bootstrap.option(EpollChannelOption.SO_REUSEPORT, true);
    return toFuture(bootstrap.bind(socketAddress), "listen on " + address)
        .thenApply(
            server -> {
              PortReuse.track(reusableListeners, server, socketAddress.getAddress());
              return server;
            });
  }

  /**
   * Connects to an {@code /ip4|ip6/…/tcp/port} address within {@code timeout} (per attempt: a dial
   * from a listen port that fails is tried once more from an ephemeral port). {@code initializer}
   * runs once, for the socket that connected, as it becomes active and before anything is read from
   * it; a socket that failed to connect never sees it.
   */
  @Override
  public CompletableFuture<Channel> dial(
      Multiaddr address, Duration timeout, Consumer<Channel> initializer) {
    InetSocketAddress remote = requireTcp(address);
    String what = "dial " + address;
    Optional<InetSocketAddress> source =
        reusePort
            ? PortReuse.select(reusableListeners, remote, PortReuse::routeSource)
            : Optional.empty();
    if (source.isEmpty()) {
      if (reusePort && loggedNoListener.compareAndSet(false, true)) {
        log.debug(
            "no listen address fits {} for port reuse: dialing from an ephemeral port (logged"
                + " once)",
            remote);
      }
      return connect(remote, null, timeout, initializer, what);
    }
    CompletableFuture<Channel> result = new CompletableFuture<>();
    connect(remote, source.get(), timeout, initializer, what)
        .whenComplete(
            (channel, error) -> {
              if (error == null) {
                result.complete(channel);
              } else if (!PortReuse.worthRetryingUnbound(error)) {
                result.completeExceptionally(error);
              } else {
                log.debug(
                    "dial {} from {} failed ({}); again from an ephemeral port",
                    remote,
                    source.get(),
                    Errors.rootCause(error));
                connect(remote, null, timeout, initializer, what)
                    .whenComplete(
                        (again, secondError) -> {
                          if (secondError == null) {
                            result.complete(again);
                          } else {
                            result.completeExceptionally(secondError);
                          }
                        });
              }
            });
    return result;
  }

  @Override
  public CompletableFuture<Channel> dialFromEphemeralPort(
      Multiaddr address, Duration timeout, Consumer<Channel> initializer) {
    return connect(requireTcp(address), null, timeout, initializer, "dial " + address);
  }

  private CompletableFuture<Channel> connect(
      InetSocketAddress remote,
      @Nullable InetSocketAddress local,
      Duration timeout,
      Consumer<Channel> initializer,
      String what) {
    Bootstrap bootstrap =
        new Bootstrap()
            .group(ioGroup)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
            .handler(onConnected(initializer));
    if (local == null) {
      bootstrap.channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class);
      return toFuture(bootstrap.connect(remote), what);
    }
    bootstrap.channelFactory(() -> reusingSocket(local));
    return toFuture(
        bootstrap.connect(remote, local), what + " from " + Multiaddr.fromSocketAddress(local));
  }

  /**
   * An unbound epoll socket of {@code local}'s family with SO_REUSEPORT and SO_REUSEADDR, as
   * go-reuseport sets them.
   */
  private static EpollSocketChannel reusingSocket(InetSocketAddress local) {
    EpollSocketChannel channel =
        new EpollSocketChannel(
            local.getAddress() instanceof Inet6Address
                ? SocketProtocolFamily.INET6
                : SocketProtocolFamily.INET);
    try {
      Socket socket = (Socket) channel.fd();
      socket.setReusePort(true);
      socket.setReuseAddress(true);
    } catch (IOException e) {
      channel.unsafe().closeForcibly();
      throw new ChannelException("cannot set SO_REUSEPORT: " + e.getMessage(), e);
    }
    return channel;
  }

  /**
   * Runs {@code init} when the socket becomes active: handlers it adds sit behind this one, so they
   * see the channelActive event this one passes on.
   */
  private static ChannelInitializer<SocketChannel> onConnected(Consumer<Channel> init) {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(SocketChannel ch) {
        ch.pipeline()
            .addLast(
                new ChannelInboundHandlerAdapter() {
                  @Override
                  public void channelActive(ChannelHandlerContext ctx) {
                    try {
                      init.accept(ch);
                    } catch (RuntimeException e) {
                      // as a ChannelInitializer does: a socket that cannot be set up is closed
                      log.warn("cannot initialise {}", ch, e);
                      ctx.close();
                      return;
                    }
                    ctx.fireChannelActive();
                    if (ctx.pipeline().context(this) != null) {
                      ctx.pipeline().remove(this);
                    }
                  }
                });
      }
    };
  }

  private static ChannelInitializer<SocketChannel> initializer(Consumer<Channel> init) {
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
        .orElseThrow(
            () -> new Libp2pException("not a TCP address this transport can use: " + address));
  }

  /** {@code future} as a CompletableFuture; a channel that failed to bind or connect is closed. */
  static CompletableFuture<Channel> toFuture(ChannelFuture future, String what) {
    CompletableFuture<Channel> result = new CompletableFuture<>();
    future.addListener(
        f -> {
          if (f.isSuccess()) {
            result.complete(future.channel());
          } else {
            future.channel().close();
            result.completeExceptionally(
                new Libp2pException(what + " failed: " + f.cause().getMessage(), f.cause()));
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
