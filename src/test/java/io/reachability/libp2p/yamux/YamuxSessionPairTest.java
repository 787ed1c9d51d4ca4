package io.reachability.libp2p.yamux;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.DuplexChannel;
import io.reachability.testing.Waiting;
import java.io.ByteArrayOutputStream;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two real yamux sessions talking over Netty's in-memory transport, each on its own event loop
 * thread.
 */
class YamuxSessionPairTest {

  /** One step: a stream opens, a ping returns, a session starts or its connection closes. */
  private static final Duration STEP_WAIT = Duration.ofSeconds(5);

  /** An echo of a stream's worth of data, or a state the sessions reach. */
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** Four mebibytes echoed on one stream. */
  private static final Duration BULK_WAIT = Duration.ofSeconds(30);

  private EventLoopGroup group;
  private Channel serverListener;
  private final List<Throwable> escaped = new CopyOnWriteArrayList<>();
  private final List<Throwable> streamErrors = new CopyOnWriteArrayList<>();
  private final List<YamuxStreamChannel> serverStreams = new CopyOnWriteArrayList<>();
  private final CompletableFuture<YamuxHandler> serverSession = new CompletableFuture<>();
  private final CompletableFuture<Channel> serverConnection = new CompletableFuture<>();
  private final List<Channel> clients = new CopyOnWriteArrayList<>();
  private LocalAddress address;

  @BeforeEach
  void setUp() throws Exception {
    group = new MultiThreadIoEventLoopGroup(2, LocalIoHandler.newFactory());
    address = new LocalAddress("yamux-" + UUID.randomUUID());
    serverListener =
        new ServerBootstrap()
            .group(group)
            .channel(LocalServerChannel.class)
            .childHandler(
                new ChannelInitializer<LocalChannel>() {
                  @Override
                  protected void initChannel(LocalChannel ch) {
                    YamuxHandler session =
                        new YamuxHandler(
                            false,
                            YamuxSettings.defaults(),
                            stream -> {
                              serverStreams.add(stream);
                              stream.pipeline().addLast(new Echo());
                            });
                    ch.pipeline().addLast(YamuxFrameCodec.NAME, new YamuxFrameCodec());
                    ch.pipeline().addLast(YamuxHandler.NAME, session);
                    ch.pipeline().addLast(new EscapeSentinel());
                    serverSession.complete(session);
                    serverConnection.complete(ch);
                  }
                })
            .bind(address)
            .sync()
            .channel();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (Channel client : clients) {
      client.close().sync();
    }
    if (serverConnection.isDone()) {
      serverConnection.get().closeFuture().await(STEP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
    serverListener.close().sync();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    assertThat(escaped).as("exceptions past the yamux handler").isEmpty();
    assertThat(streamErrors).as("stream errors").isEmpty();
  }

  private YamuxHandler connectClient() throws Exception {
    YamuxHandler session =
        new YamuxHandler(true, YamuxSettings.defaults(), stream -> stream.close());
    Channel connection =
        new Bootstrap()
            .group(group)
            .channel(LocalChannel.class)
            .handler(
                new ChannelInitializer<LocalChannel>() {
                  @Override
                  protected void initChannel(LocalChannel ch) {
                    ch.pipeline().addLast(new YamuxFrameCodec(), session, new EscapeSentinel());
                  }
                })
            .connect(address)
            .sync()
            .channel();
    clients.add(connection);
    return session;
  }

  private static byte[] random(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  /**
   * Writes {@code payload} in chunks, then FIN; the collector completes with everything echoed
   * back.
   */
  private static void send(YamuxStreamChannel stream, byte[] payload, int chunk) {
    stream
        .eventLoop()
        .execute(
            () -> {
              for (int offset = 0; offset < payload.length; offset += chunk) {
                int n = Math.min(chunk, payload.length - offset);
                stream.write(stream.alloc().buffer(n).writeBytes(payload, offset, n));
              }
              stream.flush();
              stream.shutdownOutput();
            });
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    Waiting.within(WAIT).alias(what).until(condition::getAsBoolean);
  }

  @Test
  void hundredConcurrentStreamsEcho() throws Exception {
    YamuxHandler client = connectClient();
    List<CompletableFuture<byte[]>> echoes = new ArrayList<>();
    List<byte[]> payloads = new ArrayList<>();
    List<YamuxStreamChannel> streams = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      Collector collector = new Collector();
      YamuxStreamChannel stream =
          client
              .openStream(s -> s.pipeline().addLast(collector))
              .get(STEP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      byte[] payload = random(1000 + i * 300, i);
      payloads.add(payload);
      streams.add(stream);
      echoes.add(collector.done);
    }
    for (int i = 0; i < 100; i++) {
      send(streams.get(i), payloads.get(i), 4096);
    }
    for (int i = 0; i < 100; i++) {
      assertThat(echoes.get(i).get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
          .as("echo of stream %d", i)
          .isEqualTo(payloads.get(i));
    }
    assertThat(streams)
        .extracting(YamuxStreamChannel::streamId)
        .doesNotHaveDuplicates()
        .allSatisfy(id -> assertThat(id % 2).isEqualTo(1));
    await(
        () -> streams.stream().noneMatch(Channel::isOpen), "client streams closed after both FINs");
    await(() -> client.streamCount() == 0, "client session forgot its streams");
    YamuxHandler server = serverSession.get(STEP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    await(() -> server.streamCount() == 0, "server session forgot its streams");
    assertThat(serverStreams).hasSize(100);
    assertThat(client.ping().get(STEP_WAIT.toMillis(), TimeUnit.MILLISECONDS)).isPositive();
  }

  @Test
  void fourMebibytesEachWayOnOneStream() throws Exception {
    YamuxHandler client = connectClient();
    Collector collector = new Collector();
    YamuxStreamChannel stream =
        client
            .openStream(s -> s.pipeline().addLast(collector))
            .get(STEP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    byte[] payload = random(4 * 1024 * 1024, 7);
    send(stream, payload, 100_000);
    byte[] echoed = collector.done.get(BULK_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(echoed.length).isEqualTo(payload.length);
    assertThat(echoed).isEqualTo(payload);
    await(() -> !stream.isOpen(), "stream closed");
  }

  @Test
  void abruptCloseOfOneSideClosesEveryStreamOnTheOther() throws Exception {
    YamuxHandler client = connectClient();
    List<Collector> collectors = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Collector collector = new Collector();
      collectors.add(collector);
      YamuxStreamChannel stream =
          client
              .openStream(s -> s.pipeline().addLast(collector))
              .get(STEP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      stream.writeAndFlush(stream.alloc().buffer().writeBytes(new byte[] {1, 2, 3}));
    }
    await(() -> serverStreams.size() == 10, "server streams");
    Channel connection = serverConnection.get(STEP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    // Close below the yamux handler: no GO_AWAY, like a dropped TCP connection.
    connection.pipeline().context(YamuxFrameCodec.NAME).close().sync();
    await(() -> serverStreams.stream().noneMatch(Channel::isOpen), "server streams closed");
    for (Collector collector : collectors) {
      CompletableFuture<byte[]> done = collector.done;
      await(done::isDone, "client stream closed");
      assertThat(done).isCompletedExceptionally();
    }
    await(() -> client.streamCount() == 0, "client session empty");
    assertThat(client.openStream()).failsWithin(Duration.ofSeconds(5));
  }

  @Test
  void garbageIntoASessionEndsInGoAwayWithoutLeaks() throws Exception {
    for (int round = 0; round < 20; round++) {
      CompletableFuture<byte[]> reply = new CompletableFuture<>();
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      Channel raw =
          new Bootstrap()
              .group(group)
              .channel(LocalChannel.class)
              .handler(
                  new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                      ByteBuf buf = (ByteBuf) msg;
                      received.writeBytes(ByteBufUtil.getBytes(buf));
                      buf.release();
                    }

                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) {
                      reply.complete(received.toByteArray());
                    }
                  })
              .connect(address)
              .sync()
              .channel();
      clients.add(raw);
      Random random = new Random(round);
      ByteBuf wire = raw.alloc().buffer();
      // A valid stream first, so the garbage hits a session with an open stream.
      wire.writeBytes(
          new byte[] {
            0x00, // version
            0x00, // type DATA
            0x00, 0x01, // flags SYN
            0x00, 0x00, 0x00, 0x01, // stream id 1
            0x00, 0x00, 0x00, 0x02, // length 2
            'h', 'i'
          });
      byte[] garbage = random(64 + random.nextInt(512), round);
      garbage[0] =
          (byte) (1 + random.nextInt(255)); // an invalid version: a protocol error for sure
      wire.writeBytes(garbage);
      raw.writeAndFlush(wire);
      byte[] bytes = reply.get(STEP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      // What comes back: ACK (and maybe the echo) for stream 1, then GO_AWAY(PROTOCOL_ERROR), then
      // the close.
      assertThat(bytes.length).isGreaterThanOrEqualTo(Yamux.HEADER_LENGTH);
      byte[] last =
          java.util.Arrays.copyOfRange(bytes, bytes.length - Yamux.HEADER_LENGTH, bytes.length);
      assertThat(last)
          .containsExactly(
              0x00, // version
              0x03, // type GO_AWAY
              0x00, 0x00, // no flags
              0x00, 0x00, 0x00, 0x00, // stream id 0
              0x00, 0x00, 0x00, 0x01); // PROTOCOL_ERROR
    }
    await(() -> serverStreams.stream().noneMatch(Channel::isOpen), "server streams closed");
  }

  /** Echoes everything and sends FIN after the peer's FIN. */
  private final class Echo extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ctx.write(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt == ChannelInputShutdownReadComplete.INSTANCE) {
        ctx.flush();
        ((DuplexChannel) ctx.channel()).shutdownOutput();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      streamErrors.add(cause);
    }
  }

  /** Collects a stream's bytes until the peer's FIN. */
  private static final class Collector extends ChannelInboundHandlerAdapter {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final CompletableFuture<byte[]> done = new CompletableFuture<>();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf buf = (ByteBuf) msg;
      try {
        bytes.writeBytes(ByteBufUtil.getBytes(buf));
      } finally {
        buf.release();
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt == ChannelInputShutdownReadComplete.INSTANCE) {
        done.complete(bytes.toByteArray());
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      done.completeExceptionally(cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      done.completeExceptionally(new ClosedChannelException());
    }
  }

  /** Sits after the yamux handler: anything arriving here escaped it. */
  @ChannelHandler.Sharable
  private final class EscapeSentinel extends ChannelInboundHandlerAdapter {
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      escaped.add(cause);
    }
  }
}
