package io.reachability.libp2p.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.quic.Quic;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicCodecBuilder;
import io.netty.handler.codec.quic.QuicServerCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.handler.codec.quic.QuicTokenHandler;
import io.netty.handler.ssl.ClientAuth;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.reachability.libp2p.Libp2pException;
import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.Direction;
import io.reachability.libp2p.core.Errors;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.crypto.PrivateKey;
import io.reachability.libp2p.crypto.PublicKey;
import io.reachability.libp2p.tls.CertificateAuthentication;
import io.reachability.libp2p.tls.CertificateKeyManager;
import io.reachability.libp2p.tls.Tls;
import io.reachability.libp2p.tls.TlsTrustManager;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * QUIC-v1 on Netty's QUIC codec (quiche and BoringSSL, a native library): {@code
 * /ip4|ip6/…/udp/port/quic-v1}. TLS 1.3 with the libp2p certificate extension authenticates both
 * sides inside the QUIC handshake (ALPN {@code libp2p}); each libp2p stream is one bidirectional
 * QUIC stream, its protocol agreed with multistream-select. Peers may not open unidirectional
 * streams.
 *
 * <p>A listener is one UDP socket. Every outbound connection gets a UDP socket of its own,
 * connected to the remote (so it only hears from the remote, and an ICMP refusal ends the dial at
 * once); with port reuse (epoll only) that socket shares the listen port through SO_REUSEPORT,
 * where Linux gives a connected socket the datagrams of its four-tuple before the listener sees
 * them: the remote observes the listen port's mapping, as it does with go-libp2p and rust-libp2p,
 * which send from the listen socket itself. A dial to a socket that already has an inbound
 * connection to us leaves from an ephemeral port, so the two connections do not fight over one
 * four-tuple.
 *
 * <p>The event loops are borrowed (the TCP transport's): {@link #close()} closes this transport's
 * sockets, not the loops. Where the native library is missing ({@link #isAvailable()}), the host
 * runs without QUIC.
 *
 * @see <a href="https://github.com/libp2p/specs/blob/master/quic/README.md">libp2p QUIC</a>
 */
public final class QuicTransport implements Transport {

  private static final Logger log = LoggerFactory.getLogger(QuicTransport.class);

  /** A QUIC connection that hears nothing at all for this long is gone (go-libp2p: 30 s). */
  public static final Duration MAX_IDLE_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Flow-control credit the peer gets for the whole connection: bounds what one connection can make
   * us buffer.
   */
  public static final long MAX_CONNECTION_DATA = 1L << 20;

  /** The QUIC transport error a refused connection is closed with (RFC 9000, 20.1). */
  static final int CONNECTION_REFUSED = 0x2;

  /** The application error code of a deliberate close: no error, as go and rust send. */
  static final int CLOSE_NO_ERROR = 0;

  private static final String UPGRADE = "quic-upgrade";
  private static final String DIAL_ERRORS = "quic-dial-errors";
  private static final String CONNECTION_GUARD = "quic-connection-guard";

  private final UpgradeSettings settings;
  private final EventLoopGroup group;
  private final boolean epoll;
  private final boolean reusePort;
  private final QuicSslContext serverContext;
  private final QuicSslContext clientContext;
  private final ChannelHandler inboundStreams = new InboundStreams();

  /** Checks peers' certificates in the handshake, and hands the result to {@link #establish}. */
  private final TlsTrustManager trust;

  /** Listen sockets outbound sockets may share (configured IP, real port); only with port reuse. */
  private final List<InetSocketAddress> reusableListeners = new CopyOnWriteArrayList<>();

  /** Remote sockets with an inbound connection open, and how many. */
  private final Map<InetSocketAddress, Integer> inboundRemotes = new ConcurrentHashMap<>();

  /** Every UDP socket of this transport, closed by {@link #close()}. */
  private final Set<Channel> sockets = ConcurrentHashMap.newKeySet();

  /**
   * @param identity the host key the certificate is signed with
   * @param group the event loops to run on: epoll ones when {@code epoll}, else NIO ones
   * @param reusePort listen with SO_REUSEPORT and dial from the listen port (epoll only)
   */
  public QuicTransport(
      PrivateKey identity,
      UpgradeSettings settings,
      EventLoopGroup group,
      boolean epoll,
      boolean reusePort) {
    Quic.ensureAvailability();
    this.settings = settings;
    this.group = group;
    this.epoll = epoll;
    this.reusePort = reusePort && epoll;
    Clock clock = Clock.systemUTC();
    CertificateAuthentication.SelfSigned certificate =
        CertificateAuthentication.create(identity, clock.instant(), new SecureRandom());
    this.trust = new TlsTrustManager(clock);
    CertificateKeyManager keys = new CertificateKeyManager(certificate);
    this.serverContext =
        QuicSslContextBuilder.forServer(keys, null)
            .applicationProtocols(Tls.ALPN)
            .clientAuth(ClientAuth.REQUIRE)
            .trustManager(trust)
            .build();
    this.clientContext =
        QuicSslContextBuilder.forClient()
            .keyManager(keys, null)
            .trustManager(trust)
            .applicationProtocols(Tls.ALPN)
            .build();
  }

  /** Whether Netty's QUIC native library loads on this machine. */
  public static boolean isAvailable() {
    return Quic.isAvailable();
  }

  /** Why QUIC is not available, for the log line that says the host runs without it. */
  public static String unavailabilityReason() {
    Throwable cause = Quic.unavailabilityCause();
    return cause == null ? "available" : Errors.describe(cause);
  }

  /** {@code /ip4|ip6/…/udp/port/quic-v1}. */
  @Override
  public boolean handles(Multiaddr address) {
    return address.toQuicSocketAddress().isPresent();
  }

  @Override
  public boolean reusesPorts() {
    return reusePort;
  }

  @Override
  public String describe() {
    return "quic-v1 (" + (epoll ? "epoll" : "nio") + ")";
  }

  @Override
  public EventLoopGroup ioGroup() {
    return group;
  }

  @Override
  public CompletableFuture<Channel> listen(Multiaddr address, Consumer<Channel> accepted) {
    InetSocketAddress socketAddress = requireQuic(address);
    if (reusePort) {
      try {
        // Linux hands a UDP socket with SO_REUSEPORT asking for port 0 a port other such sockets
        // of this user already hold, and would split their datagrams: pick the free port first
        socketAddress =
            socketAddress.getPort() == 0
                ? PortReuse.freeUdpPort(socketAddress)
                : PortReuse.requireFreeUdpPort(socketAddress);
      } catch (IOException e) {
        return CompletableFuture.failedFuture(
            new Libp2pException("listen on " + address + " failed: " + e.getMessage(), e));
      }
    }
    InetSocketAddress bindTo = socketAddress;
    ChannelHandler codec =
        limits(new QuicServerCodecBuilder())
            .sslContext(serverContext)
            // no Retry: the inbound limits bound what one address can open, and quiche never sends
            // more than three times what an unvalidated address sent
            .tokenHandler(NoRetry.INSTANCE)
            .handler(new InboundConnections(accepted))
            .streamOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .streamHandler(inboundStreams)
            .build();
    Bootstrap bootstrap = udpBootstrap(codec);
    if (reusePort) {
      bootstrap.option(EpollChannelOption.SO_REUSEPORT, true);
    }
    return TcpTransport.toFuture(bootstrap.bind(bindTo), "listen on " + address)
        .thenApply(
            socket -> {
              sockets.add(socket);
              socket.closeFuture().addListener(f -> sockets.remove(socket));
              if (reusePort) {
                PortReuse.track(reusableListeners, socket, bindTo.getAddress());
              }
              return socket;
            });
  }

  /**
   * Connects to {@code address} within {@code timeout}, the QUIC and TLS handshakes included.
   * {@code connected} runs once, for the QUIC connection, as it is created and before the
   * handshake: {@link #upgrade} then waits for the handshake to finish.
   */
  @Override
  public CompletableFuture<Channel> dial(
      Multiaddr address, Duration timeout, Consumer<Channel> connected) {
    InetSocketAddress remote = requireQuic(address);
    Optional<InetSocketAddress> source =
        reusePort && !inboundRemotes.containsKey(remote)
            ? PortReuse.select(reusableListeners, remote, PortReuse::routeSource)
            : Optional.empty();
    CompletableFuture<Channel> result = new CompletableFuture<>();
    String what = "dial " + address;
    bindSocket(remote, source.orElse(null), what)
        .exceptionallyCompose(
            error ->
                source.isPresent() && PortReuse.worthRetryingUnbound(error)
                    ? bindSocket(remote, null, what)
                    : CompletableFuture.failedFuture(error))
        .whenComplete(
            (socket, error) -> {
              if (error != null) {
                result.completeExceptionally(error);
              } else {
                handshake(socket, remote, timeout, connected, what, result);
              }
            });
    return result;
  }

  /** A UDP socket connected to {@code remote}, from {@code local} (shared) or an ephemeral port. */
  private CompletableFuture<Channel> bindSocket(
      InetSocketAddress remote, @Nullable InetSocketAddress local, String what) {
    ChannelHandler codec = limits(new QuicClientCodecBuilder()).sslContext(clientContext).build();
    Bootstrap bootstrap = udpBootstrap(codec);
    InetSocketAddress from = local;
    if (from == null) {
      from = new InetSocketAddress(wildcardLike(remote.getAddress()), 0);
    } else {
      bootstrap.option(EpollChannelOption.SO_REUSEPORT, true);
    }
    String label = local == null ? what : what + " from " + Multiaddr.fromQuicSocketAddress(local);
    return TcpTransport.toFuture(bootstrap.connect(remote, from), label)
        .thenApply(
            socket -> {
              sockets.add(socket);
              socket.closeFuture().addListener(f -> sockets.remove(socket));
              return socket;
            });
  }

  private void handshake(
      Channel socket,
      InetSocketAddress remote,
      Duration timeout,
      Consumer<Channel> connected,
      String what,
      CompletableFuture<Channel> result) {
    ScheduledFuture<?> timer =
        socket
            .eventLoop()
            .schedule(
                () -> {
                  if (result.completeExceptionally(
                      new Libp2pException(what + " failed: timed out after " + timeout))) {
                    closeSocketLater(socket);
                  }
                },
                timeout.toNanos(),
                TimeUnit.NANOSECONDS);
    // a refusal (ICMP port unreachable on the connected socket) ends the dial at once, as a TCP
    // reset does; once connected, such errors are left to QUIC (they could be spoofed)
    socket
        .pipeline()
        .addFirst(
            DIAL_ERRORS,
            new ChannelInboundHandlerAdapter() {
              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                if (cause instanceof IOException
                    && result.completeExceptionally(
                        new Libp2pException(what + " failed: " + Errors.describe(cause), cause))) {
                  closeSocketLater(socket);
                  return;
                }
                ctx.fireExceptionCaught(cause);
              }
            });
    QuicChannel.newBootstrap(socket)
        .handler(
            new ChannelInitializer<QuicChannel>() {
              @Override
              protected void initChannel(QuicChannel channel) {
                // the socket lives as long as its one connection
                channel.closeFuture().addListener(f -> closeSocketLater(socket));
                connected.accept(channel);
              }
            })
        .streamOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .streamHandler(inboundStreams)
        .remoteAddress(remote)
        .connect()
        .addListener(
            f -> {
              timer.cancel(false);
              if (f.isSuccess()) {
                result.complete((QuicChannel) f.getNow());
              } else {
                closeSocketLater(socket);
                result.completeExceptionally(
                    new Libp2pException(
                        what + " failed: " + Errors.describe(f.cause()), f.cause()));
              }
            });
  }

  /**
   * Closes a dial's UDP socket once the task running now has returned, never from inside it. The
   * socket's QUIC codec frees the native sockaddr buffers it lent the connection as it goes; closed
   * from a connection's own close (or connect) callback, the connection's native side could still
   * write a packet's addresses into them, by then memory the pool handed to another channel. Under
   * load that corrupted the next TCP connection's first reads on the event loop (a lost multistream
   * header, Noise frames failing authentication, a garbled length stalling the upgrade): 13 of 300
   * rounds of QUIC-then-TCP peer checks against rust-libp2p, none once deferred.
   */
  private static void closeSocketLater(Channel socket) {
    try {
      socket.eventLoop().execute(() -> socket.close());
    } catch (RejectedExecutionException e) {
      socket.close(); // the loop is stopping: it closes its channels itself
    }
  }

  /**
   * Waits for the QUIC handshake, checks the certificate the peer presented (the trust manager
   * already checked its libp2p extension; here its key must be the peer dialed) and makes the
   * connection, all within {@link UpgradeSettings#upgradeTimeout()}.
   */
  @Override
  public CompletableFuture<Connection> upgrade(
      Channel channel,
      Direction direction,
      @Nullable PeerId expectedPeer,
      StreamHandlerRegistry streams,
      ConnectionUpgrader upgrader) {
    QuicChannel quic = (QuicChannel) channel;
    CompletableFuture<Connection> result = new CompletableFuture<>();
    quic.closeFuture()
        .addListener(
            f ->
                result.completeExceptionally(
                    new Libp2pException("connection closed during the QUIC handshake")));
    quic.pipeline().addLast(CONNECTION_GUARD, new ConnectionGuard(result));
    quic.eventLoop()
        .execute(
            () -> {
              ScheduledFuture<?> timer =
                  quic.eventLoop()
                      .schedule(
                          () -> {
                            if (result.completeExceptionally(
                                new Libp2pException(
                                    "QUIC handshake timed out after "
                                        + settings.upgradeTimeout()))) {
                              quic.close();
                            }
                          },
                          settings.upgradeTimeout().toNanos(),
                          TimeUnit.NANOSECONDS);
              result.whenComplete((c, e) -> timer.cancel(false));
            });
    result.whenComplete(
        (connection, error) -> {
          if (error != null) {
            log.debug("QUIC connection {} not established: {}", quic, error.toString());
            quic.close();
          }
        });
    Runnable established = () -> establish(quic, direction, expectedPeer, streams, result);
    if (quic.isActive()) {
      quic.eventLoop().execute(established);
    } else {
      quic.pipeline()
          .addBefore(
              CONNECTION_GUARD,
              UPGRADE,
              new ChannelInboundHandlerAdapter() {
                @Override
                public void channelActive(ChannelHandlerContext ctx) {
                  ctx.pipeline().remove(this);
                  established.run();
                  ctx.fireChannelActive();
                }
              });
    }
    return result;
  }

  private void establish(
      QuicChannel quic,
      Direction direction,
      @Nullable PeerId expectedPeer,
      StreamHandlerRegistry streams,
      CompletableFuture<Connection> result) {
    if (result.isDone()) {
      return;
    }
    PublicKey remoteKey;
    try {
      String alpn = quic.sslEngine().getApplicationProtocol();
      if (!Tls.ALPN.equals(alpn)) {
        throw new Libp2pException("the peer agreed ALPN " + alpn + ", not " + Tls.ALPN);
      }
      Certificate[] presented = quic.sslEngine().getSession().getPeerCertificates();
      List<X509Certificate> chain = new ArrayList<>(presented.length);
      for (Certificate certificate : presented) {
        chain.add((X509Certificate) certificate);
      }
      remoteKey = trust.hostKey(chain, expectedPeer);
    } catch (SSLPeerUnverifiedException | Libp2pException e) {
      result.completeExceptionally(
          new Libp2pException("QUIC peer not authenticated: " + e.getMessage(), e));
      return;
    }
    QuicConnection connection =
        new QuicConnection(quic, remoteKey, direction, streams, settings.negotiationTimeout());
    quic.attr(QuicConnection.KEY).set(connection);
    if (result.complete(connection)) {
      IdleConnectionCloser.watch(quic, connection::idleNanos, settings.idleTimeout());
    }
  }

  /**
   * Closes with CONNECTION_REFUSED before the handshake goes on: the dialer never gets a connection
   * (it may wait for its dial timeout when the close cannot be sent yet).
   */
  @Override
  public void refuse(Channel channel) {
    // at once: deferred, the dialer's handshake could complete first and it would see a connection
    ((QuicChannel) channel).close(false, CONNECTION_REFUSED, Unpooled.EMPTY_BUFFER);
  }

  @Override
  public InetSocketAddress remoteSocketAddress(Channel channel) {
    return (InetSocketAddress) ((QuicChannel) channel).remoteSocketAddress();
  }

  /** The transport parameters both sides announce: what a peer may make us hold. */
  private <B extends QuicCodecBuilder<B>> B limits(B builder) {
    long streamData = Math.min(MAX_CONNECTION_DATA, settings.yamux().initialWindow());
    return builder
        .maxIdleTimeout(MAX_IDLE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .initialMaxData(MAX_CONNECTION_DATA)
        .initialMaxStreamDataBidirectionalLocal(streamData)
        .initialMaxStreamDataBidirectionalRemote(streamData)
        .initialMaxStreamDataUnidirectional(0)
        .initialMaxStreamsBidirectional(settings.yamux().maxInboundStreams())
        .initialMaxStreamsUnidirectional(0)
        // a libp2p connection stays on its path: no migration, no address validation to spend
        .activeMigration(false);
  }

  /** A UDP socket with {@code codec}, and {@link SocketErrors} behind it. */
  private Bootstrap udpBootstrap(ChannelHandler codec) {
    return new Bootstrap()
        .group(group)
        .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
        .handler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel socket) {
                socket.pipeline().addLast(codec, SocketErrors.INSTANCE);
              }
            });
  }

  /**
   * Ends the UDP socket's errors that reach its pipeline's end. They need no action: QUIC recovers
   * from lost datagrams and closes on its own timers; a read racing the close of a connection's
   * socket fails with ClosedChannelException. Netty's tail would log each at WARN with its stack
   * trace, once per dial-back under load (profiled: most of a QUIC check's logging cost).
   */
  @ChannelHandler.Sharable
  private static final class SocketErrors extends ChannelInboundHandlerAdapter {
    static final SocketErrors INSTANCE = new SocketErrors();

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("UDP socket {}: {}", ctx.channel(), cause.toString());
    }
  }

  private static InetAddress wildcardLike(InetAddress remote) {
    try {
      return remote instanceof Inet6Address
          ? InetAddress.getByName("::")
          : InetAddress.getByName("0.0.0.0");
    } catch (UnknownHostException e) {
      throw new IllegalStateException("a literal wildcard cannot fail to parse", e);
    }
  }

  static InetSocketAddress requireQuic(Multiaddr address) {
    return address
        .toQuicSocketAddress()
        .orElseThrow(
            () -> new Libp2pException("not a QUIC address this transport can use: " + address));
  }

  /** Closes every socket of this transport; the borrowed event loops keep running. */
  @Override
  public void close() {
    for (Channel socket : List.copyOf(sockets)) {
      socket.close().awaitUninterruptibly(TcpTransport.SHUTDOWN_TIMEOUT.toMillis());
    }
  }

  /** Counts inbound connections by remote socket, then hands them to the host. */
  private final class InboundConnections extends ChannelInitializer<QuicChannel> {
    private final Consumer<Channel> accepted;

    InboundConnections(Consumer<Channel> accepted) {
      this.accepted = accepted;
    }

    @Override
    protected void initChannel(QuicChannel channel) {
      InetSocketAddress remote = (InetSocketAddress) channel.remoteSocketAddress();
      if (remote != null) {
        inboundRemotes.merge(remote, 1, Integer::sum);
        channel
            .closeFuture()
            .addListener(
                f -> inboundRemotes.computeIfPresent(remote, (r, n) -> n == 1 ? null : n - 1));
      }
      accepted.accept(channel);
    }
  }

  /**
   * Streams the peer opens: handed to the connection once it is established; any other (too early,
   * or unidirectional, which libp2p does not use) is reset.
   */
  private static final class InboundStreams extends ChannelInitializer<QuicStreamChannel> {
    @Override
    protected void initChannel(QuicStreamChannel stream) {
      QuicConnection connection = stream.parent().attr(QuicConnection.KEY).get();
      if (connection == null || stream.type() != QuicStreamType.BIDIRECTIONAL) {
        NegotiatedStream.reset(stream);
        return;
      }
      connection.acceptInboundStream(stream);
    }
  }

  /**
   * Last handler of a QUIC connection's pipeline: an error no handler dealt with closes this
   * connection only; events nobody wanted stop here. Not the TCP upgrader's guard: a QUIC
   * connection's pipeline reads the streams the peer opens, which must pass on to be registered.
   */
  private static final class ConnectionGuard extends ChannelInboundHandlerAdapter {
    private final CompletableFuture<Connection> upgrade;

    ConnectionGuard(CompletableFuture<Connection> upgrade) {
      this.upgrade = upgrade;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      // QUIC events (stream limits, path changes, the peer's close) need no action
      ReferenceCountUtil.release(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      upgrade.completeExceptionally(cause);
      log.debug("closing {} after an unhandled error: {}", ctx.channel(), cause.toString());
      ctx.close();
    }
  }

  /**
   * Never asks a client to prove its address with a Retry round trip (and so never issues tokens:
   * any token a client brings is not ours).
   */
  private enum NoRetry implements QuicTokenHandler {
    INSTANCE;

    /** What {@link #validateToken} answers for a token that is not valid. */
    private static final int INVALID = -1;

    @Override
    public boolean writeToken(ByteBuf out, ByteBuf dcid, InetSocketAddress address) {
      return false;
    }

    @Override
    public int validateToken(ByteBuf token, InetSocketAddress address) {
      return INVALID;
    }

    @Override
    public int maxTokenLength() {
      return 0;
    }
  }
}
