package io.reachability.libp2p.noise;

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
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.libp2p.crypto.PrivateKey;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;

/**
 * The handshake and 1 MiB echoed back over a real TCP connection on loopback (real event loops,
 * real segmentation). Repeated: two event loops share Netty's pooled arrays, and a cipher that
 * wrote back a stale copy of a shared array (Conscrypt through JNI, see {@code ChaChaPoly}) spoiled
 * one run in about ten.
 */
class NoiseLoopbackTest {

  static final int REPETITIONS = 20;

  /** How long the handshake and the echo may take on each side. */
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());

  @AfterEach
  void shutdown() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @RepeatedTest(REPETITIONS)
  void handshakeAndEchoOverTcp() throws Exception {
    PrivateKey serverKey = Keys.generateEd25519();
    PrivateKey clientKey = Keys.generateEd25519();
    CompletableFuture<SecureSession> serverSession = new CompletableFuture<>();

    Channel server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    NoiseHandshakeHandler noise =
                        new NoiseHandshakeHandler(
                            serverKey, false, null, Noise.DEFAULT_HANDSHAKE_TIMEOUT);
                    ch.pipeline().addLast(NoiseHandshakeHandler.NAME, noise);
                    noise
                        .result()
                        .whenComplete(
                            (session, error) -> {
                              if (error != null) {
                                serverSession.completeExceptionally(error);
                                return;
                              }
                              ch.pipeline()
                                  .addLast(
                                      new ChannelInboundHandlerAdapter() { // echo
                                        @Override
                                        public void channelRead(
                                            ChannelHandlerContext ctx, Object msg) {
                                          ctx.writeAndFlush(msg);
                                        }
                                      });
                              serverSession.complete(session);
                            });
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();

    byte[] data = new byte[1 << 20];
    new Random(7).nextBytes(data);
    ByteBuf received = Unpooled.buffer(data.length);
    CompletableFuture<Void> allEchoed = new CompletableFuture<>();
    NoiseHandshakeHandler clientNoise =
        new NoiseHandshakeHandler(
            clientKey,
            true,
            PeerId.fromPublicKey(serverKey.publicKey().marshal()),
            Noise.DEFAULT_HANDSHAKE_TIMEOUT);
    Channel client =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(NoiseHandshakeHandler.NAME, clientNoise);
                    clientNoise
                        .result()
                        .thenAccept(
                            session -> {
                              ch.pipeline()
                                  .addLast(
                                      new ChannelInboundHandlerAdapter() {
                                        @Override
                                        public void channelRead(
                                            ChannelHandlerContext ctx, Object msg) {
                                          ByteBuf buf = (ByteBuf) msg;
                                          received.writeBytes(buf);
                                          buf.release();
                                          if (received.readableBytes() == data.length) {
                                            allEchoed.complete(null);
                                          }
                                        }
                                      });
                              ch.writeAndFlush(Unpooled.wrappedBuffer(data));
                            });
                  }
                })
            .connect(server.localAddress())
            .sync()
            .channel();

    try {
      SecureSession atClient = clientNoise.result().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      SecureSession atServer = serverSession.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(atClient.remotePeer())
          .isEqualTo(PeerId.fromPublicKey(serverKey.publicKey().marshal()));
      assertThat(atServer.remotePeer())
          .isEqualTo(PeerId.fromPublicKey(clientKey.publicKey().marshal()));
      allEchoed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      byte[] echoed = new byte[data.length];
      received.readBytes(echoed);
      int first = -1;
      for (int i = 0; i < data.length && first < 0; i++) {
        first = echoed[i] != data[i] ? i : -1;
      }
      assertThat(first).as("first byte that came back changed").isEqualTo(-1);
    } finally {
      received.release();
      client.close().sync();
      server.close().sync();
    }
  }
}
