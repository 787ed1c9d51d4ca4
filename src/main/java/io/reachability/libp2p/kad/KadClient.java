package io.reachability.libp2p.kad;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.reachability.libp2p.Libp2pException;
import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.Stream;
import io.reachability.libp2p.core.Streams;
import io.reachability.libp2p.kad.pb.KadProtos;
import io.reachability.libp2p.multiformats.UvarintFrameDecoder;
import io.reachability.libp2p.multiformats.UvarintLengthPrepender;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Asks a DHT node for the peers it knows closest to a key ({@code FIND_NODE}): one request on a new
 * stream, one answer of at most {@link Kad#MAX_MESSAGE_SIZE} bytes, within {@link
 * Kad#REQUEST_TIMEOUT}; anything else resets the stream and fails the request.
 */
public final class KadClient {

  private KadClient() {}

  /** The closer peers {@code connection}'s peer returns for {@code key}. */
  public static CompletableFuture<List<KadPeer>> findNode(Connection connection, byte[] key) {
    return Streams.request(
        connection,
        Kad.PROTOCOL_ID,
        Kad.REQUEST_TIMEOUT,
        (stream, result) -> send(stream, key, result));
  }

  private static void send(Stream stream, byte[] key, CompletableFuture<List<KadPeer>> result) {
    stream
        .channel()
        .pipeline()
        .addLast(new UvarintFrameDecoder(Kad.MAX_MESSAGE_SIZE))
        .addLast(new UvarintLengthPrepender())
        .addLast(new AnswerReader(result));
    KadProtos.Message request = KadMessages.findNode(key);
    ByteBuf out = stream.channel().alloc().buffer(request.getSerializedSize());
    out.writeBytes(request.toByteArray());
    stream.channel().writeAndFlush(out);
  }

  /** Takes the first answer; the stream is closed once it is read. */
  private static final class AnswerReader extends SimpleChannelInboundHandler<ByteBuf> {
    private final CompletableFuture<List<KadPeer>> result;

    AnswerReader(CompletableFuture<List<KadPeer>> result) {
      this.result = result;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
      if (!result.isDone()) {
        result.complete(KadMessages.closerPeers(frame)); // a malformed one throws: see below
      }
      ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent && !result.isDone()) {
        result.completeExceptionally(
            new Libp2pException("the DHT node closed the stream without an answer"));
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (!result.isDone()) {
        result.completeExceptionally(
            new Libp2pException("the DHT stream closed without an answer"));
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      result.completeExceptionally(cause); // Streams.request resets the stream
    }
  }
}
