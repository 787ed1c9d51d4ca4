package io.reachability.libp2p.ping;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.FixedLengthFrameDecoder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.reachability.libp2p.Libp2pException;
import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.ProtocolHandler;
import io.reachability.libp2p.core.Stream;
import io.reachability.libp2p.core.Streams;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Serves {@value Ping#PROTOCOL_ID} and measures round trips to peers. */
public final class PingService {

  private final SecureRandom random = new SecureRandom();

  /**
   * The responder: echoes every complete 32-byte ping until the initiator closes, or sends no
   * complete ping for {@link Ping#RESPONDER_IDLE_TIMEOUT}. Only whole pings count (the timeout sits
   * behind the framing): a peer dribbling a byte now and then must not keep the stream, and with it
   * the connection, from ever being idle.
   */
  public ProtocolHandler responder() {
    return stream ->
        stream
            .channel()
            .pipeline()
            .addLast(new FixedLengthFrameDecoder(Ping.PAYLOAD_SIZE))
            .addLast(
                new ReadTimeoutHandler(
                    Ping.RESPONDER_IDLE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
            .addLast(new Echo());
  }

  /** One ping on a new stream over {@code connection}; completes with the round-trip time. */
  public CompletableFuture<Duration> ping(Connection connection) {
    byte[] payload = new byte[Ping.PAYLOAD_SIZE];
    random.nextBytes(payload);
    return Streams.request(
        connection,
        Ping.PROTOCOL_ID,
        Ping.TIMEOUT,
        (stream, result) -> initiate(stream, payload, result));
  }

  private static void initiate(Stream stream, byte[] payload, CompletableFuture<Duration> result) {
    long sentAt = System.nanoTime();
    stream
        .channel()
        .pipeline()
        .addLast(new FixedLengthFrameDecoder(Ping.PAYLOAD_SIZE))
        .addLast(
            new SimpleChannelInboundHandler<ByteBuf>() {
              @Override
              protected void channelRead0(ChannelHandlerContext ctx, ByteBuf echo) {
                Duration rtt = Duration.ofNanos(System.nanoTime() - sentAt);
                if (Arrays.equals(ByteBufUtil.getBytes(echo), payload)) {
                  result.complete(rtt);
                } else {
                  result.completeExceptionally(
                      new Libp2pException("ping echo does not match what was sent"));
                }
                ctx.close();
              }

              @Override
              public void channelInactive(ChannelHandlerContext ctx) {
                result.completeExceptionally(
                    new Libp2pException("ping stream closed before the echo"));
                ctx.fireChannelInactive();
              }

              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                result.completeExceptionally(cause);
              }
            });
    stream
        .channel()
        .writeAndFlush(stream.channel().alloc().buffer(Ping.PAYLOAD_SIZE).writeBytes(payload));
  }

  /** Echoes one ping; {@link FixedLengthFrameDecoder} hands it exactly 32 bytes. */
  private static final class Echo extends SimpleChannelInboundHandler<ByteBuf> {
    Echo() {
      super(false);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf ping) {
      ctx.writeAndFlush(ping);
      if (!ctx.channel().isWritable()) {
        // the initiator is not taking its echoes: stop reading (and so stop granting it window)
        ctx.channel().config().setAutoRead(false);
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable()) {
        ctx.channel().config().setAutoRead(true);
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        ctx.close(); // the initiator is done; finish our side too
      }
      ctx.fireUserEventTriggered(evt);
    }
  }
}
