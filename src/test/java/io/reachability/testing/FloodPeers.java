package io.reachability.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.libp2p.crypto.PrivateKey;
import io.reachability.libp2p.multistream.Multistream;
import io.reachability.libp2p.multistream.MultistreamHandler;
import io.reachability.libp2p.noise.Noise;
import io.reachability.libp2p.noise.NoiseHandshakeHandler;
import io.reachability.libp2p.yamux.Yamux;
import io.reachability.libp2p.yamux.YamuxFrameCodec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Attackers on loopback for connection-slot floods: plain TCP connections that send nothing
 * (half-open, still upgrading for the target) and libp2p connections that get through Noise and
 * yamux and then stay idle. Each leaves from a chosen source IP: on Linux every address of
 * 127.0.0.0/8 is loopback, so 127.0.0.2 … act as many hosts of one /24.
 */
public final class FloodPeers implements AutoCloseable {

  /**
   * Connections started at once; the rest wait, so the target's handshakes stay within their bound.
   */
  private static final int BATCH = 64;

  private static final int THREADS = 2;

  /** Last handler of every attack connection: everything is read and dropped. */
  private static final String SINK = "sink";

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(THREADS, NioIoHandler.newFactory());
  private final List<Channel> channels = new CopyOnWriteArrayList<>();

  /** The IP {@code 127.0.0.<last>}. */
  public static InetAddress loopback(int last) {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /**
   * Opens {@code count} TCP connections from {@code source}, one after the other, that never send a
   * byte; returns those that connected (the target may close them at once or later: see {@link
   * #open()}).
   */
  public List<Channel> halfOpen(
      InetSocketAddress target, InetAddress source, int count, Duration timeout) throws Exception {
    List<Channel> connected = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      connected.add(
          connect(target, source, ch -> {}).get(timeout.toMillis(), TimeUnit.MILLISECONDS));
    }
    return connected;
  }

  /**
   * Opens {@code count} connections from {@code source} that negotiate Noise (proving {@code
   * identity}) and yamux with {@code target} and then stay idle, reading and dropping whatever
   * comes. Completes with how many got through the upgrade.
   */
  public int authenticated(
      InetSocketAddress target,
      PeerId expected,
      InetAddress source,
      int count,
      PrivateKey identity,
      Duration timeout)
      throws Exception {
    return run(count, timeout, () -> upgrade(target, expected, source, identity));
  }

  /** {@link #authenticated} with a fresh identity. */
  public int authenticated(
      InetSocketAddress target, PeerId expected, InetAddress source, int count, Duration timeout)
      throws Exception {
    return authenticated(target, expected, source, count, Keys.generateEd25519(), timeout);
  }

  /** Attack connections still open. */
  public long open() {
    return channels.stream().filter(Channel::isActive).count();
  }

  private int run(
      int count, Duration timeout, java.util.function.Supplier<CompletableFuture<Boolean>> attempt)
      throws Exception {
    int succeeded = 0;
    for (int done = 0; done < count; done += BATCH) {
      List<CompletableFuture<Boolean>> batch = new ArrayList<>();
      for (int i = done; i < Math.min(count, done + BATCH); i++) {
        batch.add(attempt.get().exceptionally(e -> false));
      }
      for (CompletableFuture<Boolean> one : batch) {
        if (one.get(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          succeeded++;
        }
      }
    }
    return succeeded;
  }

  private CompletableFuture<Boolean> upgrade(
      InetSocketAddress target, PeerId expected, InetAddress source, PrivateKey identity) {
    CompletableFuture<Boolean> upgraded = new CompletableFuture<>();
    connect(
            target,
            source,
            ch -> {
              ch.closeFuture().addListener(f -> upgraded.complete(false));
              ch.pipeline()
                  .addLast(
                      MultistreamHandler.initiator(
                          List.of(Noise.PROTOCOL_ID),
                          Multistream.DEFAULT_NEGOTIATION_TIMEOUT,
                          (ctx, protocol) -> {
                            NoiseHandshakeHandler noise =
                                new NoiseHandshakeHandler(
                                    identity, true, expected, Noise.DEFAULT_HANDSHAKE_TIMEOUT);
                            noise
                                .result()
                                .whenComplete(
                                    (session, error) -> {
                                      if (error != null) {
                                        upgraded.complete(false);
                                        return;
                                      }
                                      ch.pipeline()
                                          .addBefore(
                                              SINK,
                                              "muxer-multistream",
                                              MultistreamHandler.initiator(
                                                  List.of(Yamux.PROTOCOL_ID),
                                                  Multistream.DEFAULT_NEGOTIATION_TIMEOUT,
                                                  (c, q) -> {
                                                    ch.pipeline()
                                                        .addBefore(
                                                            SINK,
                                                            YamuxFrameCodec.NAME,
                                                            new YamuxFrameCodec());
                                                    upgraded.complete(true);
                                                  }));
                                    });
                            ctx.pipeline().addAfter(ctx.name(), "noise", noise);
                          }));
            })
        .whenComplete(
            (ch, error) -> {
              if (error != null) {
                upgraded.complete(false);
              }
            });
    return upgraded;
  }

  private CompletableFuture<Channel> connect(
      InetSocketAddress target,
      InetAddress source,
      java.util.function.Consumer<SocketChannel> init) {
    CompletableFuture<Channel> result = new CompletableFuture<>();
    new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) TimeUnit.SECONDS.toMillis(10))
        .handler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                channels.add(ch);
                init.accept(ch);
                ch.pipeline().addLast(SINK, new Sink());
              }
            })
        .connect(target, new InetSocketAddress(source, 0))
        .addListener(
            f -> {
              if (f.isSuccess()) {
                result.complete(((io.netty.channel.ChannelFuture) f).channel());
              } else {
                result.completeExceptionally(f.cause());
              }
            });
    return result;
  }

  /**
   * Drops whatever reaches it: an idle peer reads (so the target never blocks on it) and says
   * nothing.
   */
  private static final class Sink extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  @Override
  public void close() {
    for (Channel channel : channels) {
      channel.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
