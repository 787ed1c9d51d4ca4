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
import io.reachability.libp2p.noise.SecureSession;
import io.reachability.libp2p.yamux.Yamux;
import io.reachability.libp2p.yamux.YamuxHandler;
import io.reachability.libp2p.yamux.YamuxStreamChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/** A Noise- or TLS-secured, yamux-multiplexed TCP connection. */
final class MuxedConnection implements Connection {

  private final Channel channel;
  private final SecureSession session;
  private final String securityProtocol;
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
      String securityProtocol,
      Direction direction,
      StreamHandlerRegistry registry,
      Duration negotiationTimeout) {
    this.channel = channel;
    this.session = session;
    this.securityProtocol = securityProtocol;
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
    StreamNegotiation.acceptInbound(stream, this, registry, negotiationTimeout);
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
        .openStream(
            channel ->
                StreamNegotiation.negotiateOutbound(
                    channel, this, protocols, handler, negotiationTimeout, result))
        .whenComplete(
            (channel, error) -> {
              if (error != null) {
                result.completeExceptionally(error);
              }
            });
    return result;
  }

  @Override
  public String securityProtocol() {
    return securityProtocol;
  }

  @Override
  public String muxerProtocol() {
    return Yamux.PROTOCOL_ID;
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
