package io.reachability.libp2p.transport;

import io.netty.channel.Channel;
import io.reachability.libp2p.Libp2pException;
import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.Direction;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.core.ProtocolHandler;
import io.reachability.libp2p.core.Stream;
import io.reachability.libp2p.crypto.PublicKey;
import io.reachability.libp2p.multistream.MultistreamHandler;
import io.reachability.libp2p.noise.SecureSession;
import io.reachability.libp2p.yamux.YamuxHandler;
import io.reachability.libp2p.yamux.YamuxStreamChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A Noise-secured, yamux-multiplexed TCP connection. */
final class MuxedConnection implements Connection {

  private static final Logger log = LoggerFactory.getLogger(MuxedConnection.class);

  /** Pipeline name of the per-stream multistream-select handler. */
  static final String STREAM_NEGOTIATION = "stream-multistream";

  private final Channel channel;
  private final SecureSession session;
  private final Direction direction;
  private final Multiaddr localAddress;
  private final Multiaddr remoteAddress;
  private final StreamHandlerRegistry registry;
  private final Duration negotiationTimeout;
  private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
  private final long openedAtNanos = System.nanoTime();
  private volatile @Nullable YamuxHandler muxer;

  MuxedConnection(
      Channel channel,
      SecureSession session,
      Direction direction,
      StreamHandlerRegistry registry,
      Duration negotiationTimeout) {
    this.channel = channel;
    this.session = session;
    this.direction = direction;
    this.registry = registry;
    this.negotiationTimeout = negotiationTimeout;
    this.localAddress = Multiaddr.fromSocketAddress((InetSocketAddress) channel.localAddress());
    this.remoteAddress = Multiaddr.fromSocketAddress((InetSocketAddress) channel.remoteAddress());
    channel.closeFuture().addListener(f -> closeFuture.complete(null));
  }

  void attach(YamuxHandler yamux) {
    this.muxer = yamux;
  }

  /** Called by the muxer on the event loop for each inbound stream, before it is active. */
  void acceptInboundStream(YamuxStreamChannel stream) {
    stream
        .pipeline()
        .addLast(
            STREAM_NEGOTIATION,
            MultistreamHandler.responder(
                registry::protocols,
                negotiationTimeout,
                (ctx, protocol) -> serveInbound(stream, protocol)));
    stream.pipeline().addLast(StreamGuard.NAME, StreamGuard.INSTANCE);
  }

  private void serveInbound(YamuxStreamChannel channel, String protocol) {
    Optional<ProtocolHandler> handler = registry.handler(protocol);
    if (handler.isEmpty()) {
      // removed between negotiation and now
      channel.reset();
      return;
    }
    MuxedStream stream = new MuxedStream(channel, this, protocol, Direction.INBOUND);
    // the guard stays last: protocol handlers go in front of it
    channel.pipeline().remove(StreamGuard.NAME);
    try {
      handler.get().initStream(stream);
    } catch (RuntimeException e) {
      // the protocol was already confirmed to the peer: a reset, not a FIN, tells it we failed
      log.warn("handler of {} failed on a stream from {}", protocol, remotePeer(), e);
      channel.reset();
    } finally {
      channel.pipeline().addLast(StreamGuard.NAME, StreamGuard.INSTANCE);
    }
  }

  @Override
  public CompletableFuture<Stream> newStream(List<String> protocols, ProtocolHandler handler) {
    if (protocols.isEmpty()) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("no protocol to propose"));
    }
    if (!isOpen()) {
      return CompletableFuture.failedFuture(
          new Libp2pException("connection to " + remotePeer() + " is closed"));
    }
    CompletableFuture<Stream> result = new CompletableFuture<>();
    // the negotiation handler goes in before the stream is registered, so no early byte is missed
    YamuxHandler yamux = muxer;
    if (yamux == null) {
      return CompletableFuture.failedFuture(
          new Libp2pException("connection to " + remotePeer() + " has no multiplexer yet"));
    }
    yamux
        .openStream(channel -> negotiateOutbound(channel, protocols, handler, result))
        .whenComplete(
            (channel, error) -> {
              if (error != null) {
                result.completeExceptionally(error);
              }
            });
    return result;
  }

  private void negotiateOutbound(
      YamuxStreamChannel channel,
      List<String> protocols,
      ProtocolHandler handler,
      CompletableFuture<Stream> result) {
    MultistreamHandler negotiation =
        MultistreamHandler.initiator(
            protocols,
            negotiationTimeout,
            (ctx, protocol) -> {
              MuxedStream stream = new MuxedStream(channel, this, protocol, Direction.OUTBOUND);
              handler.initStream(stream);
              channel.pipeline().addLast(StreamGuard.NAME, StreamGuard.INSTANCE);
              result.complete(stream);
            });
    negotiation
        .result()
        .whenComplete(
            (protocol, error) -> {
              if (error != null) {
                result.completeExceptionally(error);
                channel.reset();
              }
            });
    channel.pipeline().addLast(STREAM_NEGOTIATION, negotiation);
  }

  @Override
  public PeerId remotePeer() {
    return session.remotePeer();
  }

  @Override
  public PublicKey remotePublicKey() {
    return session.remotePublicKey();
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

  /** Open and still taking new streams (a peer that sent GO_AWAY is about to hang up). */
  @Override
  public boolean isOpen() {
    return channel.isActive() && (muxer == null || !muxer.isGoAwayReceived());
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
        + remotePeer()
        + " "
        + localAddress
        + " ↔ "
        + remoteAddress
        + "]";
  }
}
