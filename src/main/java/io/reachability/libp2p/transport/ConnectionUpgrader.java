package io.reachability.libp2p.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.reachability.libp2p.Libp2pException;
import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.Direction;
import io.reachability.libp2p.core.Errors;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.crypto.PrivateKey;
import io.reachability.libp2p.crypto.PublicKey;
import io.reachability.libp2p.multistream.MultistreamHandler;
import io.reachability.libp2p.noise.NoiseHandshakeHandler;
import io.reachability.libp2p.noise.SecureSession;
import io.reachability.libp2p.tls.Tls;
import io.reachability.libp2p.tls.TlsAuthenticationException;
import io.reachability.libp2p.yamux.Yamux;
import io.reachability.libp2p.yamux.YamuxFrameCodec;
import io.reachability.libp2p.yamux.YamuxHandler;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a raw TCP channel into a libp2p connection, step by step, each step installing the next:
 *
 * <ol>
 *   <li>multistream-select agrees on a security protocol: {@code /noise} or {@code /tls/1.0.0}
 *       ({@link UpgradeSettings#securityProtocols()}, ours in order of preference);
 *   <li>the Noise XX or TLS 1.3 handshake authenticates the remote peer (and checks the expected
 *       peer id);
 *   <li>multistream-select, now encrypted, agrees on {@code /yamux/1.0.0};
 *   <li>yamux multiplexes streams; each inbound stream negotiates its protocol with
 *       multistream-select and is handed to the registered {@link
 *       io.reachability.libp2p.core.ProtocolHandler}.
 * </ol>
 *
 * The whole upgrade is bounded by {@link UpgradeSettings#upgradeTimeout()}; any failure closes the
 * socket and fails the returned future. Once upgraded, a connection with no stream open on our side
 * for {@link UpgradeSettings#idleTimeout()} is closed.
 *
 * @see <a href="https://github.com/libp2p/specs/blob/master/connections/README.md">libp2p
 *     connections</a>
 */
public final class ConnectionUpgrader {

  private static final Logger log = LoggerFactory.getLogger(ConnectionUpgrader.class);

  /** Pipeline names, so a pipeline dump says which step a connection is in. */
  static final String SECURITY_NEGOTIATION = "security-multistream";

  static final String MUXER_NEGOTIATION = "muxer-multistream";
  static final String CONNECTION_GUARD = "connection-guard";
  static final String TLS_HANDLER = "tls";

  private final PrivateKey identity;
  private final UpgradeSettings settings;
  private final StreamHandlerRegistry registry;
  private final TlsContexts tlsContexts;

  public ConnectionUpgrader(
      PrivateKey identity, UpgradeSettings settings, StreamHandlerRegistry registry) {
    this.identity = identity;
    this.settings = settings;
    this.registry = registry;
    this.tlsContexts = new TlsContexts(identity);
  }

  /**
   * Installs the upgrade on a channel before anything was read from it: from its initializer (not
   * active yet), or from {@link TcpTransport#dial}'s initializer, which runs as the socket becomes
   * active.
   *
   * @param expectedPeer when dialing an address with {@code /p2p/<id>}: the handshake fails unless
   *     the remote proves that identity
   */
  public CompletableFuture<Connection> upgrade(
      Channel channel, Direction direction, @Nullable PeerId expectedPeer) {
    return upgrade(channel, direction, expectedPeer, registry);
  }

  /**
   * {@link #upgrade(Channel, Direction, PeerId)}, the connection serving inbound streams from
   * {@code streams} instead of the upgrader's registry (a connection admitted for one protocol
   * only, say).
   */
  public CompletableFuture<Connection> upgrade(
      Channel channel,
      Direction direction,
      @Nullable PeerId expectedPeer,
      StreamHandlerRegistry streams) {
    CompletableFuture<Connection> result = new CompletableFuture<>();
    boolean initiator = direction == Direction.OUTBOUND;
    List<String> security = settings.securityProtocols();
    MultistreamHandler negotiation =
        initiator
            ? MultistreamHandler.initiator(
                security,
                settings.negotiationTimeout(),
                (ctx, protocol) -> secure(ctx, protocol, direction, expectedPeer, streams, result))
            : MultistreamHandler.responder(
                () -> security,
                settings.negotiationTimeout(),
                (ctx, protocol) -> secure(ctx, protocol, direction, expectedPeer, streams, result));
    failWith(negotiation.result(), result);
    channel.pipeline().addLast(SECURITY_NEGOTIATION, negotiation);
    channel.pipeline().addLast(CONNECTION_GUARD, new ConnectionGuard(result));

    channel
        .closeFuture()
        .addListener(
            f -> {
              // every connection closes, nearly all long after the upgrade: no exception for those
              if (!result.isDone()) {
                result.completeExceptionally(
                    new Libp2pException("connection closed during upgrade"));
              }
            });
    channel
        .eventLoop()
        .execute(
            () -> {
              ScheduledFuture<?> timeout =
                  channel
                      .eventLoop()
                      .schedule(
                          () -> {
                            if (result.completeExceptionally(
                                new Libp2pException(
                                    "upgrade timed out after " + settings.upgradeTimeout()))) {
                              channel.close();
                            }
                          },
                          settings.upgradeTimeout().toMillis(),
                          TimeUnit.MILLISECONDS);
              result.whenComplete((c, e) -> timeout.cancel(false));
            });
    result.whenComplete(
        (connection, error) -> {
          if (error != null) {
            log.debug("upgrade of {} failed: {}", channel, error.toString());
            channel.close();
          }
        });
    return result;
  }

  private void secure(
      ChannelHandlerContext ctx,
      String protocol,
      Direction direction,
      @Nullable PeerId expectedPeer,
      StreamHandlerRegistry streams,
      CompletableFuture<Connection> result) {
    if (Tls.PROTOCOL_ID.equals(protocol)) {
      secureWithTls(ctx, direction, expectedPeer, streams, result);
      return;
    }
    boolean initiator = direction == Direction.OUTBOUND;
    NoiseHandshakeHandler noise =
        new NoiseHandshakeHandler(identity, initiator, expectedPeer, settings.handshakeTimeout());
    noise
        .result()
        .whenComplete(
            (session, error) -> {
              if (error != null) {
                result.completeExceptionally(error);
                return;
              }
              negotiateMuxer(ctx.channel(), session, protocol, direction, streams, result);
            });
    ctx.pipeline().addAfter(ctx.name(), NoiseHandshakeHandler.NAME, noise);
  }

  /**
   * TLS 1.3 with our libp2p certificate, mutual authentication and ALPN {@code libp2p} (no inlined
   * muxer: yamux is then agreed with multistream-select, as after Noise).
   */
  private void secureWithTls(
      ChannelHandlerContext ctx,
      Direction direction,
      @Nullable PeerId expectedPeer,
      StreamHandlerRegistry streams,
      CompletableFuture<Connection> result) {
    boolean initiator = direction == Direction.OUTBOUND;
    // no peer host: a libp2p client must not send SNI
    SslHandler tls = tlsContexts.get(initiator).newHandler(ctx.alloc());
    tls.setHandshakeTimeoutMillis(settings.handshakeTimeout().toMillis());
    tls.handshakeFuture()
        .addListener(
            handshake -> {
              if (!handshake.isSuccess()) {
                result.completeExceptionally(
                    new Libp2pException(
                        "TLS handshake failed: " + Errors.describe(handshake.cause()),
                        handshake.cause()));
                return;
              }
              SecureSession session;
              try {
                X509Certificate certificate =
                    (X509Certificate) tls.engine().getSession().getPeerCertificates()[0];
                List<X509Certificate> chain = List.of(certificate);
                PublicKey remoteKey = tlsContexts.trust().hostKey(chain, expectedPeer);
                session = new SecureSession(PeerId.fromPublicKey(remoteKey), remoteKey);
              } catch (SSLPeerUnverifiedException | TlsAuthenticationException e) {
                result.completeExceptionally(
                    new Libp2pException("TLS peer not authenticated: " + e.getMessage(), e));
                return;
              }
              negotiateMuxer(ctx.channel(), session, Tls.PROTOCOL_ID, direction, streams, result);
            });
    ctx.pipeline().addAfter(ctx.name(), TLS_HANDLER, tls);
  }

  private void negotiateMuxer(
      Channel channel,
      SecureSession session,
      String securityProtocol,
      Direction direction,
      StreamHandlerRegistry streams,
      CompletableFuture<Connection> result) {
    boolean initiator = direction == Direction.OUTBOUND;
    List<String> muxers = List.of(Yamux.PROTOCOL_ID);
    MultistreamHandler negotiation =
        initiator
            ? MultistreamHandler.initiator(
                muxers,
                settings.negotiationTimeout(),
                (c, p) -> multiplex(channel, session, securityProtocol, direction, streams, result))
            : MultistreamHandler.responder(
                () -> muxers,
                settings.negotiationTimeout(),
                (c, p) ->
                    multiplex(channel, session, securityProtocol, direction, streams, result));
    failWith(negotiation.result(), result);
    channel.pipeline().addBefore(CONNECTION_GUARD, MUXER_NEGOTIATION, negotiation);
  }

  private void multiplex(
      Channel channel,
      SecureSession session,
      String securityProtocol,
      Direction direction,
      StreamHandlerRegistry streams,
      CompletableFuture<Connection> result) {
    MuxedConnection connection =
        new MuxedConnection(
            channel, session, securityProtocol, direction, streams, settings.negotiationTimeout());
    YamuxHandler yamux =
        new YamuxHandler(
            direction == Direction.OUTBOUND, settings.yamux(), connection::acceptInboundStream);
    connection.attach(yamux);
    channel
        .pipeline()
        .addBefore(
            CONNECTION_GUARD,
            YamuxFrameCodec.NAME,
            new YamuxFrameCodec(settings.yamux().initialWindow()));
    channel.pipeline().addBefore(CONNECTION_GUARD, YamuxHandler.NAME, yamux);
    if (!result.complete(connection)) {
      channel.close();
      return;
    }
    IdleConnectionCloser.watch(channel, yamux::idleNanos, settings.idleTimeout());
  }

  private static void failWith(CompletableFuture<?> step, CompletableFuture<Connection> result) {
    step.whenComplete(
        (value, error) -> {
          if (error != null) {
            result.completeExceptionally(error);
          }
        });
  }

  /**
   * Last handler of a connection pipeline: whatever no handler dealt with closes this connection
   * (and only this one); nothing reaches Netty's tail, nothing leaks.
   */
  private static final class ConnectionGuard extends ChannelInboundHandlerAdapter {
    private final CompletableFuture<Connection> upgrade;

    ConnectionGuard(CompletableFuture<Connection> upgrade) {
      this.upgrade = upgrade;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      upgrade.completeExceptionally(cause);
      log.debug("closing {} after an unhandled error: {}", ctx.channel(), cause.toString());
      ctx.close();
    }
  }
}
