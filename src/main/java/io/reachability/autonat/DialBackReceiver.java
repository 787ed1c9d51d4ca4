package io.reachability.autonat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.reachability.autonat.pb.AutonatV2Protos;
import io.reachability.libp2p.Libp2pException;
import io.reachability.libp2p.core.Direction;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.Stream;
import io.reachability.libp2p.multiformats.UvarintFrameDecoder;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's side of {@value AutonatV2#DIAL_BACK_PROTOCOL}: the table of pending checks by nonce
 * and the handler that receives the servers' dial-backs.
 *
 * <p>A dial-back proves an address reachable only when it arrives on a connection the server opened
 * to us ({@link Direction#INBOUND}) after the check began, carrying a nonce a pending check is
 * waiting for; each nonce is accepted once. Such a dial-back is answered {@code
 * DialBackResponse{OK}} and its connection closed {@link #DIAL_BACK_CONNECTION_LINGER} later;
 * anything else is reset without using a nonce up. The dialer's peer id is not checked: servers may
 * dial back from another identity, the nonce is the proof.
 */
final class DialBackReceiver {

  /**
   * After answering a dial-back we close its connection this much later, giving the server time to
   * read our response and close first, as go and js servers do.
   */
  static final Duration DIAL_BACK_CONNECTION_LINGER = Duration.ofSeconds(2);

  private static final Logger log = LoggerFactory.getLogger(DialBackReceiver.class);

  private final Map<Long, DialRequestExchange> pending = new ConcurrentHashMap<>();

  /** Waits for {@code exchange}'s nonce; false when a pending check already uses that nonce. */
  boolean await(DialRequestExchange exchange) {
    return pending.putIfAbsent(exchange.nonce, exchange) == null;
  }

  /** Stops waiting for {@code exchange}'s nonce. */
  void forget(DialRequestExchange exchange) {
    pending.remove(exchange.nonce, exchange);
  }

  boolean isWaiting() {
    return !pending.isEmpty();
  }

  int waiting() {
    return pending.size();
  }

  /** The pending checks, a copy. */
  Collection<DialRequestExchange> pending() {
    return List.copyOf(pending.values());
  }

  /**
   * Whether a pending check's server was reached at {@code ip}: its dial-back may come from there.
   */
  boolean awaitedFrom(InetAddress ip) {
    for (DialRequestExchange exchange : pending.values()) {
      if (ip.equals(exchange.serverIp)) {
        return true;
      }
    }
    return false;
  }

  /** The {@value AutonatV2#DIAL_BACK_PROTOCOL} stream handler. */
  void serve(Stream stream) {
    ScheduledFuture<?> timer =
        stream
            .channel()
            .eventLoop()
            .schedule(
                stream::reset,
                AutonatV2.DIAL_BACK_STREAM_TIMEOUT.toMillis(),
                TimeUnit.MILLISECONDS);
    stream.channel().closeFuture().addListener(f -> timer.cancel(false));
    stream
        .channel()
        .pipeline()
        .addLast(new UvarintFrameDecoder(AutonatV2.MAX_DIAL_BACK_MESSAGE_SIZE))
        .addLast(new DialBackHandler(stream));
  }

  /** Reads one DialBack; a pending nonce is accepted once and answered, anything else is reset. */
  private final class DialBackHandler extends SimpleChannelInboundHandler<ByteBuf> {
    private final Stream stream;
    private boolean answered;

    DialBackHandler(Stream stream) {
      this.stream = stream;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
      if (answered) {
        return; // one DialBack per stream; anything after it is ignored
      }
      answered = true;
      long nonce;
      try {
        nonce = AutonatMessages.parseDialBack(frame).getNonce();
      } catch (Libp2pException e) {
        log.debug(
            "malformed DialBack from {}: {}", stream.connection().remotePeer(), e.getMessage());
        stream.reset();
        return;
      }
      Multiaddr local = stream.connection().localAddress();
      if (stream.connection().direction() != Direction.INBOUND) {
        // a nonce on a connection we dialed proves nothing about being dialable (a server could
        // send it over the request's own connection): refuse it without using the nonce up
        log.debug(
            "DialBack on an outbound connection to {}: resetting",
            stream.connection().remotePeer());
        stream.reset();
        return;
      }
      DialRequestExchange exchange = pending.get(nonce);
      if (exchange != null && stream.connection().openedAtNanos() - exchange.startNanos < 0) {
        // a connection that already existed when the check began (an earlier inbound one, or the
        // request's own) proves nothing about the address being dialable now
        log.debug(
            "DialBack on a connection older than the check, from {}: resetting",
            stream.connection().remotePeer());
        stream.reset();
        return;
      }
      if (exchange == null || !exchange.acceptDialBack(local)) {
        log.debug(
            "{} dial-back from {} on {}: resetting",
            exchange == null ? "unknown nonce in a" : "repeated",
            stream.connection().remotePeer(),
            local);
        stream.reset();
        return;
      }
      ByteBuf response =
          AutonatMessages.frame(
              ctx.alloc(),
              AutonatV2Protos.DialBackResponse.newBuilder()
                  .setStatus(AutonatV2Protos.DialBackResponse.DialBackStatus.OK)
                  .build());
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      // the connection exists only for this dial-back; servers that never close theirs
      // (rust-libp2p)
      // must not pile them up here
      var connection = stream.connection();
      ctx.channel()
          .eventLoop()
          .schedule(
              connection::close, DIAL_BACK_CONNECTION_LINGER.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent && !answered) {
        ctx.close(); // the server gave up before sending a nonce
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // oversized frame, bad length prefix, or the server reset the stream
      log.debug(
          "dial-back stream from {} failed: {}",
          stream.connection().remotePeer(),
          cause.toString());
      stream.reset();
    }
  }
}
