package io.reachability.libp2p.identify;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.reachability.libp2p.Libp2pException;
import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.core.ProtocolHandler;
import io.reachability.libp2p.core.Stream;
import io.reachability.libp2p.core.Streams;
import io.reachability.libp2p.crypto.PublicKey;
import io.reachability.libp2p.identify.pb.IdentifyProtos;
import io.reachability.libp2p.multiformats.UvarintFrameDecoder;
import io.reachability.libp2p.multiformats.UvarintLengthPrepender;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Serves {@value Identify#PROTOCOL_ID} and asks peers to identify themselves. */
public final class IdentifyService {

  private static final Logger log = LoggerFactory.getLogger(IdentifyService.class);

  private final PublicKey publicKey;
  private final String agentVersion;
  private final Supplier<? extends Collection<Multiaddr>> listenAddresses;
  private final Supplier<? extends Collection<String>> protocols;

  /**
   * @param listenAddresses what we tell peers we listen on (asked anew for every request)
   * @param protocols what we tell peers we serve (asked anew for every request)
   */
  public IdentifyService(
      PublicKey publicKey,
      String agentVersion,
      Supplier<? extends Collection<Multiaddr>> listenAddresses,
      Supplier<? extends Collection<String>> protocols) {
    this.publicKey = publicKey;
    this.agentVersion = agentVersion;
    this.listenAddresses = listenAddresses;
    this.protocols = protocols;
  }

  /**
   * The responder: one message describing us, including the address we observe for the peer; then
   * FIN.
   */
  public ProtocolHandler responder() {
    return stream -> {
      byte[] message = describeUsTo(stream.connection()).toByteArray();
      stream.channel().pipeline().addLast(new UvarintLengthPrepender());
      stream
          .channel()
          .writeAndFlush(Unpooled.wrappedBuffer(message))
          .addListener(ChannelFutureListener.CLOSE);
    };
  }

  IdentifyProtos.Identify describeUsTo(Connection connection) {
    IdentifyProtos.Identify.Builder builder =
        IdentifyProtos.Identify.newBuilder()
            .setProtocolVersion(Identify.PROTOCOL_VERSION)
            .setAgentVersion(agentVersion)
            .setPublicKey(ByteString.copyFrom(publicKey.marshal()))
            .setObservedAddr(ByteString.copyFrom(connection.remoteAddress().toBytes()))
            .addAllProtocols(protocols.get());
    for (Multiaddr address : listenAddresses.get()) {
      builder.addListenAddrs(ByteString.copyFrom(address.toBytes()));
    }
    return builder.build();
  }

  /** Asks the peer on {@code connection} to identify itself. */
  public CompletableFuture<IdentifyResult> identify(Connection connection) {
    return Streams.request(
        connection, Identify.PROTOCOL_ID, Identify.TIMEOUT, IdentifyService::read);
  }

  private static void read(Stream stream, CompletableFuture<IdentifyResult> result) {
    stream.channel().pipeline().addLast(new UvarintFrameDecoder(Identify.MAX_MESSAGE_SIZE));
    stream.channel().pipeline().addLast(new Reader(stream, result));
    // we send nothing on this stream: say so at once (FIN), as go-libp2p and js-libp2p do
    stream.closeWrite();
  }

  /** Collects the responder's message(s) until it closes its side, then completes. */
  private static final class Reader extends SimpleChannelInboundHandler<ByteBuf> {
    private final Stream stream;
    private final CompletableFuture<IdentifyResult> result;
    private final IdentifyProtos.Identify.Builder merged = IdentifyProtos.Identify.newBuilder();
    private int messages;

    Reader(Stream stream, CompletableFuture<IdentifyResult> result) {
      this.stream = stream;
      this.result = result;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) throws IOException {
      if (++messages > Identify.MAX_MESSAGES) {
        throw new Libp2pException(
            "more than " + Identify.MAX_MESSAGES + " identify messages on one stream");
      }
      try (ByteBufInputStream in = new ByteBufInputStream(frame)) {
        merged.mergeFrom(in);
      } catch (InvalidProtocolBufferException e) {
        throw new Libp2pException("malformed identify message: " + e.getMessage(), e);
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        finish();
        ctx.close();
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      finish();
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      result.completeExceptionally(cause); // Streams.request resets the stream
    }

    private void finish() {
      if (result.isDone()) {
        return;
      }
      if (messages == 0) {
        result.completeExceptionally(
            new Libp2pException("identify stream closed without a message"));
        return;
      }
      try {
        result.complete(toResult(stream.connection(), merged.build()));
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    }
  }

  static IdentifyResult toResult(Connection connection, IdentifyProtos.Identify message) {
    if (message.hasPublicKey()) {
      // the key must be the one the peer proved in the handshake
      PeerId claimed = PeerId.fromPublicKey(message.getPublicKey().toByteArray());
      if (!claimed.equals(connection.remotePeer())) {
        throw new Libp2pException(
            "identify public key does not match the connection's peer " + connection.remotePeer());
      }
    }
    List<Multiaddr> listen = new ArrayList<>();
    for (ByteString bytes : message.getListenAddrsList()) {
      parse(bytes).ifPresent(listen::add);
    }
    Multiaddr observed =
        message.hasObservedAddr() ? parse(message.getObservedAddr()).orElse(null) : null;
    return new IdentifyResult(
        connection.remotePeer(),
        message.getProtocolVersion(),
        message.getAgentVersion(),
        listen,
        observed,
        message.getProtocolsList());
  }

  private static Optional<Multiaddr> parse(ByteString bytes) {
    try {
      return Optional.of(Multiaddr.fromBytes(bytes.toByteArray()));
    } catch (RuntimeException e) {
      // one odd address (an unknown transport) must not spoil the rest
      log.debug("skipping an address we cannot parse in identify: {}", e.getMessage());
      return Optional.empty();
    }
  }
}
