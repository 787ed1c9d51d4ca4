package io.reachability.libp2p.transport;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamResetException;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.util.AttributeKey;
import io.reachability.libp2p.Libp2pException;
import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.Direction;
import io.reachability.libp2p.core.Errors;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.core.ProtocolHandler;
import io.reachability.libp2p.core.Stream;
import io.reachability.libp2p.core.StreamResetException;
import io.reachability.libp2p.crypto.PublicKey;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A QUIC-v1 connection: TLS 1.3 inside QUIC authenticated the peer, and every libp2p stream is one
 * bidirectional QUIC stream on which multistream-select agrees the protocol (no Noise, no yamux).
 *
 * @see <a href="https://github.com/libp2p/specs/blob/master/quic/README.md">libp2p QUIC</a>
 */
final class QuicConnection implements Connection {

  /** Where the connection hangs on its channel, for the inbound stream initializer. */
  static final AttributeKey<QuicConnection> KEY =
      AttributeKey.valueOf(QuicConnection.class, "connection");

  private final QuicChannel channel;
  private final PeerId remotePeer;
  private final PublicKey remoteKey;
  private final Direction direction;
  private final Multiaddr localAddress;
  private final Multiaddr remoteAddress;
  private final StreamHandlerRegistry registry;
  private final Duration negotiationTimeout;
  private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
  private final long openedAtNanos = System.nanoTime();

  /** Stream channels open on our side; read and written on the event loop only. */
  private int openStreams;

  private long idleSinceNanos = openedAtNanos;

  QuicConnection(
      QuicChannel channel,
      PublicKey remoteKey,
      Direction direction,
      StreamHandlerRegistry registry,
      Duration negotiationTimeout) {
    this.channel = channel;
    this.remoteKey = remoteKey;
    this.remotePeer = PeerId.fromPublicKey(remoteKey);
    this.direction = direction;
    this.registry = registry;
    this.negotiationTimeout = negotiationTimeout;
    this.localAddress =
        Multiaddr.fromQuicSocketAddress((InetSocketAddress) channel.localSocketAddress());
    this.remoteAddress =
        Multiaddr.fromQuicSocketAddress((InetSocketAddress) channel.remoteSocketAddress());
    channel.closeFuture().addListener(f -> closeFuture.complete(null));
  }

  /** Called on the event loop for each inbound stream, before it is active. */
  void acceptInboundStream(QuicStreamChannel stream) {
    track(stream);
    StreamNegotiation.acceptInbound(stream, this, registry, negotiationTimeout);
  }

  private void track(QuicStreamChannel stream) {
    stream.pipeline().addFirst(StreamEnds.NAME, StreamEnds.INSTANCE);
    openStreams++;
    stream
        .closeFuture()
        .addListener(
            f -> {
              if (--openStreams == 0) {
                idleSinceNanos = System.nanoTime();
              }
            });
  }

  /** How long no stream has been open at {@code nowNanos}; 0 while one is. On the event loop. */
  long idleNanos(long nowNanos) {
    return openStreams > 0 ? 0 : nowNanos - idleSinceNanos;
  }

  @Override
  public CompletableFuture<Stream> newStream(List<String> protocols, ProtocolHandler handler) {
    if (protocols.isEmpty()) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("no protocol to propose"));
    }
    if (!isOpen()) {
      return CompletableFuture.failedFuture(
          new Libp2pException("connection to " + remotePeer + " is closed"));
    }
    CompletableFuture<Stream> result = new CompletableFuture<>();
    channel.eventLoop().execute(() -> open(protocols, handler, result));
    return result;
  }

  /**
   * Opens the stream on the event loop, where the peer's stream credit cannot change under us: with
   * none left it fails at once, before Netty spends a stream id on an attempt QUIC refuses (a spent
   * id is never reused, and every later stream would be refused too).
   */
  private void open(
      List<String> protocols, ProtocolHandler handler, CompletableFuture<Stream> result) {
    if (channel.peerAllowedStreams(QuicStreamType.BIDIRECTIONAL) <= 0) {
      result.completeExceptionally(
          new Libp2pException(
              remotePeer
                  + " allows no more streams on this connection for now (QUIC stream credit)"));
      return;
    }
    channel
        .newStreamBootstrap()
        .type(QuicStreamType.BIDIRECTIONAL)
        .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .handler(
            new ChannelInitializer<QuicStreamChannel>() {
              @Override
              protected void initChannel(QuicStreamChannel stream) {
                track(stream);
                StreamNegotiation.negotiateOutbound(
                    stream, QuicConnection.this, protocols, handler, negotiationTimeout, result);
              }
            })
        .create()
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                result.completeExceptionally(
                    new Libp2pException(
                        "cannot open a QUIC stream to "
                            + remotePeer
                            + ": "
                            + Errors.describe(f.cause()),
                        f.cause()));
              }
            });
  }

  /** QUIC secures itself (TLS 1.3 inside the handshake): no security protocol is negotiated. */
  @Override
  public String securityProtocol() {
    return QUIC_BUILT_IN;
  }

  /** QUIC multiplexes itself: one libp2p stream per QUIC stream. */
  @Override
  public String muxerProtocol() {
    return QUIC_BUILT_IN;
  }

  /** What {@link #securityProtocol()} and {@link #muxerProtocol()} say on QUIC. */
  static final String QUIC_BUILT_IN = "quic-v1";

  @Override
  public PeerId remotePeer() {
    return remotePeer;
  }

  @Override
  public PublicKey remotePublicKey() {
    return remoteKey;
  }

  @Override
  public Multiaddr localAddress() {
    return localAddress;
  }

  @Override
  public Multiaddr remoteAddress() {
    return remoteAddress;
  }

  @Override
  public Direction direction() {
    return direction;
  }

  @Override
  public long openedAtNanos() {
    return openedAtNanos;
  }

  @Override
  public boolean isOpen() {
    return channel.isActive();
  }

  @Override
  public CompletableFuture<Void> close() {
    channel.close();
    return closeFuture;
  }

  @Override
  public CompletableFuture<Void> closeFuture() {
    return closeFuture;
  }

  @Override
  public String toString() {
    return "Connection["
        + direction
        + " "
        + remotePeer
        + " "
        + localAddress
        + " ↔ "
        + remoteAddress
        + "]";
  }

  /**
   * First handler of a QUIC stream, for how a stream ends:
   *
   * <ul>
   *   <li>the peer's RESET_STREAM reaches the handlers as a {@link StreamResetException} (what
   *       protocols check for, whatever the muxer), then closes the stream, as a yamux RST does
   *       (Netty's QUIC stream stays open otherwise);
   *   <li>closing a stream whose input is not finished stops reading it (STOP_SENDING): a closed
   *       channel reads nothing more, so QUIC would never see the peer's FIN consumed, never count
   *       the stream as done, and never give the peer its stream credit back, until the connection
   *       could open no stream at all.
   * </ul>
   */
  @ChannelHandler.Sharable
  static final class StreamEnds extends ChannelDuplexHandler {
    static final String NAME = "quic-stream-ends";
    static final StreamEnds INSTANCE = new StreamEnds();

    /** The application error code of STOP_SENDING on close: no error, the reader is done. */
    static final int STOP_READING = 0;

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
      QuicStreamChannel stream = (QuicStreamChannel) ctx.channel();
      if (!stream.isInputShutdown()) {
        stream.shutdownInput(STOP_READING);
      }
      ctx.close(promise);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (!(cause instanceof QuicStreamResetException reset)) {
        ctx.fireExceptionCaught(cause);
        return;
      }
      StreamResetException translated =
          new StreamResetException(
              "stream reset by the peer (QUIC error code " + reset.applicationProtocolCode() + ")");
      translated.initCause(reset);
      ctx.fireExceptionCaught(translated);
      ctx.close();
    }
  }
}
