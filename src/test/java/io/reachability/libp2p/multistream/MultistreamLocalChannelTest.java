package io.reachability.libp2p.multistream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Both roles on a real event loop, over Netty's in-memory transport. */
class MultistreamLocalChannelTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  /** How long the negotiation and the echo may take to be seen on each side. */
  private static final Duration WAIT = Duration.ofSeconds(5);

  @Test
  void negotiatesThenHandsTheChannelToTheProtocolHandlers() throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, LocalIoHandler.newFactory());
    LocalAddress address = new LocalAddress("multistream-" + System.nanoTime());
    AtomicReference<MultistreamHandler> serverHandler = new AtomicReference<>();
    CompletableFuture<String> echoed = new CompletableFuture<>();
    try {
      Channel server =
          new ServerBootstrap()
              .group(group)
              .channel(LocalServerChannel.class)
              .childHandler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      MultistreamHandler handler =
                          MultistreamHandler.responder(
                              () -> List.of("/echo/1.0.0"),
                              TIMEOUT,
                              (ctx, protocol) ->
                                  ctx.pipeline().addAfter(ctx.name(), "echo", new Echo()));
                      serverHandler.set(handler);
                      ch.pipeline().addLast(MultistreamHandler.NAME, handler);
                    }
                  })
              .bind(address)
              .sync()
              .channel();

      // Added by the initializer while the channel is registered but not yet connected: the
      // negotiation must start on channelActive.
      MultistreamHandler client =
          MultistreamHandler.initiator(
              List.of("/unknown/1.0.0", "/echo/1.0.0"),
              TIMEOUT,
              (ctx, protocol) -> {
                ctx.pipeline().addAfter(ctx.name(), "reader", new FirstReply(echoed));
                ctx.writeAndFlush(Unpooled.copiedBuffer("hello", StandardCharsets.UTF_8));
              });
      Channel channel =
          new Bootstrap()
              .group(group)
              .channel(LocalChannel.class)
              .handler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      ch.pipeline().addLast(MultistreamHandler.NAME, client);
                    }
                  })
              .connect(address)
              .sync()
              .channel();

      assertThat(client.result().get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
          .isEqualTo("/echo/1.0.0");
      assertThat(echoed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("hello");
      assertThat(serverHandler.get().result().get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
          .isEqualTo("/echo/1.0.0");
      assertThat(channel.pipeline().get(MultistreamHandler.class)).isNull();

      channel.close().sync();
      server.close().sync();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  private static final class Echo extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ctx.writeAndFlush(msg);
    }
  }

  private static final class FirstReply extends ChannelInboundHandlerAdapter {
    private final CompletableFuture<String> reply;

    FirstReply(CompletableFuture<String> reply) {
      this.reply = reply;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        reply.complete(((ByteBuf) msg).toString(StandardCharsets.UTF_8));
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }
  }
}
