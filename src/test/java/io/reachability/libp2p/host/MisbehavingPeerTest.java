package io.reachability.libp2p.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.libp2p.multistream.Multistream;
import io.reachability.libp2p.multistream.MultistreamHandler;
import io.reachability.libp2p.noise.Noise;
import io.reachability.libp2p.noise.NoiseHandshakeHandler;
import io.reachability.libp2p.transport.UpgradeSettings;
import io.reachability.libp2p.yamux.Yamux;
import io.reachability.libp2p.yamux.YamuxFlag;
import io.reachability.libp2p.yamux.YamuxFrame;
import io.reachability.libp2p.yamux.YamuxFrameCodec;
import io.reachability.libp2p.yamux.YamuxGoAwayCode;
import io.reachability.libp2p.yamux.YamuxType;
import io.reachability.testing.Echo;
import io.reachability.testing.LoopbackHosts;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A peer that gets through Noise and then breaks the muxer rules: the host answers with a yamux
 * GO_AWAY(PROTOCOL_ERROR) and hangs up on that peer, and only on that peer.
 */
class MisbehavingPeerTest {

  private static final long TIMEOUT_SECONDS = 20;

  private Host host;
  private Host goodPeer;
  private EventLoopGroup rogueGroup;

  @BeforeEach
  void start() {
    host =
        LoopbackHosts.builder("target")
            .protocol(Echo.PROTOCOL_ID, Echo.responder())
            .yamux(io.reachability.libp2p.yamux.YamuxSettings.defaults().withMaxInboundStreams(8))
            .build()
            .start();
    goodPeer = Host.builder().threadName("good").build().start();
    rogueGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  @AfterEach
  void stop() {
    goodPeer.close();
    host.close();
    rogueGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** What the rogue peer saw: yamux frames from the host, and whether the host closed. */
  private record Rogue(
      Channel channel, BlockingQueue<YamuxFrame> frames, CompletableFuture<Void> closed) {}

  /** Connects a hand-driven peer: multistream → Noise → multistream, then raw yamux frames. */
  private Rogue connectRogue() throws Exception {
    return connectRogue(host);
  }

  private Rogue connectRogue(Host host) throws Exception {
    BlockingQueue<YamuxFrame> frames = new LinkedBlockingQueue<>();
    CompletableFuture<Channel> ready = new CompletableFuture<>();
    CompletableFuture<Void> closed = new CompletableFuture<>();
    Consumer<SocketChannel> init =
        ch -> {
          ch.closeFuture().addListener(f -> closed.complete(null));
          ch.pipeline()
              .addLast(
                  MultistreamHandler.initiator(
                      List.of(Noise.PROTOCOL_ID),
                      Multistream.DEFAULT_NEGOTIATION_TIMEOUT,
                      (ctx, p) -> {
                        NoiseHandshakeHandler noise =
                            new NoiseHandshakeHandler(
                                Keys.generateEd25519(),
                                true,
                                host.peerId(),
                                Noise.DEFAULT_HANDSHAKE_TIMEOUT);
                        noise
                            .result()
                            .thenAccept(
                                session ->
                                    ch.pipeline()
                                        .addLast(
                                            MultistreamHandler.initiator(
                                                List.of(Yamux.PROTOCOL_ID),
                                                Multistream.DEFAULT_NEGOTIATION_TIMEOUT,
                                                (c, q) -> {
                                                  ch.pipeline().addLast(new YamuxFrameCodec());
                                                  ch.pipeline()
                                                      .addLast(
                                                          new ChannelInboundHandlerAdapter() {
                                                            @Override
                                                            public void channelRead(
                                                                ChannelHandlerContext c2,
                                                                Object msg) {
                                                              frames.add((YamuxFrame) msg);
                                                            }

                                                            @Override
                                                            public void exceptionCaught(
                                                                ChannelHandlerContext c2,
                                                                Throwable cause) {
                                                              c2.close();
                                                            }
                                                          });
                                                  ready.complete(ch);
                                                })));
                        ctx.pipeline().addAfter(ctx.name(), "noise", noise);
                      }));
        };
    var target = host.listenAddresses().get(0).toTcpSocketAddress().orElseThrow();
    new Bootstrap()
        .group(rogueGroup)
        .channel(NioSocketChannel.class)
        .handler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                init.accept(ch);
              }
            })
        .connect(target);
    Channel channel = ready.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    return new Rogue(channel, frames, closed);
  }

  private static YamuxFrame awaitGoAway(Rogue rogue) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    while (System.nanoTime() < deadline) {
      YamuxFrame frame = rogue.frames().poll(100, TimeUnit.MILLISECONDS);
      if (frame == null) {
        continue;
      }
      try {
        if (frame.type() == YamuxType.GO_AWAY) {
          return frame.retain();
        }
      } finally {
        frame.release();
      }
    }
    throw new AssertionError("no GO_AWAY from the host");
  }

  private void goodPeerStillServed() throws Exception {
    Connection good =
        goodPeer
            .dial(host.listenAddresses().get(0).withPeerId(host.peerId()))
            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    assertThat(Echo.roundTrip(good, 100_000, 9).get(TIMEOUT_SECONDS, TimeUnit.SECONDS).matches())
        .isTrue();
  }

  @Test
  void dataBeyondTheWindowGetsGoAwayProtocolError() throws Exception {
    Connection good =
        goodPeer
            .dial(host.listenAddresses().get(0).withPeerId(host.peerId()))
            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    Rogue rogue = connectRogue();
    // open stream 1 with one DATA frame one byte larger than the 256 KiB window it was given
    int tooMuch = Yamux.INITIAL_WINDOW_SIZE + 1;
    ByteBuf data = rogue.channel().alloc().buffer(tooMuch).writeZero(tooMuch);
    rogue.channel().writeAndFlush(YamuxFrame.data(1, YamuxFlag.SYN.bit(), data));
    YamuxFrame goAway = awaitGoAway(rogue);
    assertThat(goAway.length()).isEqualTo(YamuxGoAwayCode.PROTOCOL_ERROR.code());
    goAway.release();
    rogue.closed().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    drain(rogue);
    // the peer that behaved keeps its connection
    assertThat(good.isOpen()).isTrue();
    assertThat(Echo.roundTrip(good, 1000, 8).get(TIMEOUT_SECONDS, TimeUnit.SECONDS).matches())
        .isTrue();
  }

  @Test
  void wrongParityStreamIdGetsGoAwayProtocolError() throws Exception {
    Rogue rogue = connectRogue();
    // we dialed, so we are the yamux client and must use odd ids; 2 is the host's to use
    rogue.channel().writeAndFlush(YamuxFrame.windowUpdate(2, YamuxFlag.SYN.bit(), 0));
    YamuxFrame goAway = awaitGoAway(rogue);
    assertThat(goAway.length()).isEqualTo(YamuxGoAwayCode.PROTOCOL_ERROR.code());
    goAway.release();
    rogue.closed().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    drain(rogue);
    goodPeerStillServed();
  }

  @Test
  void tooManyStreamsAreResetButTheConnectionStays() throws Exception {
    Rogue rogue = connectRogue();
    int opened = 20;
    for (int id = 1; id < 2 * opened; id += 2) {
      rogue.channel().write(YamuxFrame.windowUpdate(id, YamuxFlag.SYN.bit(), 0));
    }
    rogue.channel().flush();
    int resets = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    while (resets < opened - 8 && System.nanoTime() < deadline) {
      YamuxFrame frame = rogue.frames().poll(100, TimeUnit.MILLISECONDS);
      if (frame != null) {
        if (frame.hasFlag(YamuxFlag.RST)) {
          resets++;
        }
        frame.release();
      }
    }
    assertThat(resets).isEqualTo(opened - 8);
    assertThat(rogue.channel().isActive()).isTrue();
    rogue.channel().close().sync();
    drain(rogue);
    goodPeerStillServed();
  }

  @Test
  void aStreamThatNeverNegotiatesDoesNotKeepTheConnectionFromBeingIdle() throws Exception {
    Duration bound = Duration.ofMillis(300);
    try (Host strict =
        LoopbackHosts.builder("strict")
            .upgrade(
                UpgradeSettings.defaults().withNegotiationTimeout(bound).withIdleTimeout(bound))
            .build()
            .start()) {
      Rogue rogue = connectRogue(strict);
      // a stream opened and never spoken on: its negotiation times out, then the connection is idle
      rogue.channel().writeAndFlush(YamuxFrame.windowUpdate(1, YamuxFlag.SYN.bit(), 0));
      rogue.closed().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      drain(rogue);
    }
  }

  private static void drain(Rogue rogue) {
    for (YamuxFrame frame; (frame = rogue.frames().poll()) != null; ) {
      frame.release();
    }
  }
}
