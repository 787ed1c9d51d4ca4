package io.reachability.libp2p.transport;

import io.netty.channel.Channel;
import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.Direction;
import io.reachability.libp2p.core.ProtocolHandler;
import io.reachability.libp2p.core.Stream;
import io.reachability.libp2p.multistream.MultistreamHandler;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * multistream-select on one stream of a connection, the same on yamux and QUIC streams: the
 * responder side hands the stream to the registered handler of the protocol agreed, the initiator
 * side to the handler of the caller. The {@link StreamGuard} always stays the last handler.
 */
final class StreamNegotiation {

  private static final Logger log = LoggerFactory.getLogger(StreamNegotiation.class);

  /** Pipeline name of the per-stream multistream-select handler. */
  static final String NAME = "stream-multistream";

  private StreamNegotiation() {}

  /** Installs the responder on an inbound stream, before it is active. */
  static void acceptInbound(
      Channel stream, Connection connection, StreamHandlerRegistry registry, Duration timeout) {
    stream
        .pipeline()
        .addLast(
            NAME,
            MultistreamHandler.responder(
                registry::protocols,
                timeout,
                (ctx, protocol) -> serveInbound(stream, connection, registry, protocol)));
    stream.pipeline().addLast(StreamGuard.NAME, StreamGuard.INSTANCE);
  }

  private static void serveInbound(
      Channel channel, Connection connection, StreamHandlerRegistry registry, String protocol) {
    Optional<ProtocolHandler> handler = registry.handler(protocol);
    if (handler.isEmpty()) {
      // removed between negotiation and now
      NegotiatedStream.reset(channel);
      return;
    }
    NegotiatedStream stream =
        new NegotiatedStream(channel, connection, protocol, Direction.INBOUND);
    // the guard stays last: protocol handlers go in front of it
    channel.pipeline().remove(StreamGuard.NAME);
    try {
      handler.get().initStream(stream);
    } catch (RuntimeException e) {
      // the protocol was already confirmed to the peer: a reset, not a FIN, tells it we failed
      log.warn("handler of {} failed on a stream from {}", protocol, connection.remotePeer(), e);
      NegotiatedStream.reset(channel);
    } finally {
      channel.pipeline().addLast(StreamGuard.NAME, StreamGuard.INSTANCE);
    }
  }

  /**
   * Installs the initiator on an outbound stream, before anything is read from it; {@code result}
   * completes with the stream once {@code handler} has set it up, or fails (and the stream is
   * reset).
   */
  static void negotiateOutbound(
      Channel channel,
      Connection connection,
      List<String> protocols,
      ProtocolHandler handler,
      Duration timeout,
      CompletableFuture<Stream> result) {
    MultistreamHandler negotiation =
        MultistreamHandler.initiator(
            protocols,
            timeout,
            (ctx, protocol) -> {
              NegotiatedStream stream =
                  new NegotiatedStream(channel, connection, protocol, Direction.OUTBOUND);
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
                NegotiatedStream.reset(channel);
              }
            });
    channel.pipeline().addLast(NAME, negotiation);
  }
}
