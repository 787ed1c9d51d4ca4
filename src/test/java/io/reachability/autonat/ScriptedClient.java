package io.reachability.autonat;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.reachability.autonat.pb.AutonatV2Protos;
import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.core.Stream;
import io.reachability.libp2p.core.StreamResetException;
import io.reachability.libp2p.host.Host;
import io.reachability.libp2p.multiformats.UvarintFrameDecoder;
import io.reachability.libp2p.multiformats.Varint;
import io.reachability.testing.LeakRecorder;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A test-only AutoNAT v2 client that speaks raw protobuf, so tests can script well-behaved and
 * misbehaving clients: a host with a dial-back handler that records every nonce, and dial-request
 * streams whose every event (message, FIN, reset) lands in a queue the test reads in order.
 */
final class ScriptedClient implements AutoCloseable {

  static final Duration WAIT = Duration.ofSeconds(10);

  /** A nonce that arrived on the dial-back handler, with the connection it came on. */
  record DialBack(long nonce, PeerId from, Connection connection) {}

  final Host host;
  final BlockingQueue<DialBack> dialBacks = new LinkedBlockingQueue<>();

  /**
   * A client host listening on {@code listen}, answering dial-backs unless told not to. It dials
   * from ephemeral ports (no port reuse), so its connections to a server on 127.0.0.1 leave from
   * 127.0.0.1 whatever it listens on: a client listening on 127.0.0.2 asks about "another IP".
   */
  ScriptedClient(String listen, boolean serveDialBack) {
    var builder =
        Host.builder()
            .threadName("autonat-test-client")
            .ioThreads(1)
            .listen(listen)
            .reusePort(false);
    if (serveDialBack) {
      builder.protocol(AutonatV2.DIAL_BACK_PROTOCOL, this::serveDialBack);
    }
    host = builder.build().start();
  }

  Multiaddr listenAddress() {
    return host.listenAddresses().get(0);
  }

  Connection connect(Host server) throws Exception {
    return host.dial(server.listenAddresses().get(0).withPeerId(server.peerId()))
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private void serveDialBack(Stream stream) {
    stream
        .channel()
        .pipeline()
        .addLast(new UvarintFrameDecoder(AutonatV2.MAX_DIAL_BACK_MESSAGE_SIZE))
        .addLast(
            new SimpleChannelInboundHandler<ByteBuf>() {
              @Override
              protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
                AutonatV2Protos.DialBack dialBack = AutonatMessages.parseDialBack(frame);
                dialBacks.add(
                    new DialBack(
                        dialBack.getNonce(),
                        stream.connection().remotePeer(),
                        stream.connection()));
                ByteBuf ok =
                    AutonatMessages.frame(
                        ctx.alloc(), AutonatV2Protos.DialBackResponse.getDefaultInstance());
                ctx.writeAndFlush(ok).addListener(ChannelFutureListener.CLOSE);
              }
            });
  }

  /** Opens a dial-request stream whose frames are parsed as {@code Message}s. */
  Exchange open(Connection connection) throws Exception {
    return open(connection, false);
  }

  /** Opens a dial-request stream; with {@code raw} every read is queued as its bytes, unframed. */
  Exchange open(Connection connection, boolean raw) throws Exception {
    Exchange exchange = new Exchange();
    Stream stream =
        connection
            .newStream(
                List.of(AutonatV2.DIAL_REQUEST_PROTOCOL),
                s -> {
                  if (!raw) {
                    s.channel()
                        .pipeline()
                        .addLast(new UvarintFrameDecoder(AutonatV2.MAX_MESSAGE_SIZE));
                  }
                  s.channel().pipeline().addLast(exchange.collector(raw));
                })
            .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    exchange.stream = stream;
    return exchange;
  }

  @Override
  public void close() {
    host.close();
  }

  static AutonatV2Protos.Message request(long nonce, List<Multiaddr> addresses) {
    AutonatV2Protos.DialRequest.Builder request =
        AutonatV2Protos.DialRequest.newBuilder().setNonce(nonce);
    for (Multiaddr address : addresses) {
      request.addAddrs(ByteString.copyFrom(address.toBytes()));
    }
    return AutonatV2Protos.Message.newBuilder().setDialRequest(request).build();
  }

  static AutonatV2Protos.Message dialData(int size) {
    return AutonatV2Protos.Message.newBuilder()
        .setDialDataResponse(
            AutonatV2Protos.DialDataResponse.newBuilder()
                .setData(ByteString.copyFrom(new byte[size])))
        .build();
  }

  /** One dial-request stream, seen from the client. */
  static final class Exchange {
    /** Queued when the server half-closed. */
    static final String FIN = "FIN";

    /** Queued when the server reset the stream. */
    static final String RESET = "RESET";

    final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    Stream stream;

    ChannelInboundHandlerAdapter collector(boolean raw) {
      return new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
          ByteBuf buf = (ByteBuf) msg;
          try {
            events.add(raw ? ByteBufUtil.getBytes(buf) : AutonatMessages.parseMessage(buf));
          } finally {
            buf.release();
          }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
          if (evt instanceof ChannelInputShutdownEvent) {
            events.add(FIN);
          }
          ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
          events.add(cause instanceof StreamResetException ? RESET : cause);
        }
      };
    }

    void send(AutonatV2Protos.Message message) {
      stream.channel().writeAndFlush(AutonatMessages.frame(stream.channel().alloc(), message));
    }

    void sendRaw(byte[] bytes) {
      stream.channel().writeAndFlush(LeakRecorder.buffer(bytes));
    }

    /** Pays {@code total} bytes of dial data in frames carrying {@code chunk} data bytes each. */
    void pay(long total, int chunk) {
      long left = total;
      while (left > 0) {
        int n = (int) Math.min(chunk, left);
        stream.channel().write(AutonatMessages.frame(stream.channel().alloc(), dialData(n)));
        left -= n;
      }
      stream.channel().flush();
    }

    Object next() throws InterruptedException {
      Object event = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      if (event == null) {
        throw new AssertionError("no event from the server within " + WAIT);
      }
      return event;
    }

    AutonatV2Protos.Message nextMessage() throws InterruptedException {
      Object event = next();
      if (!(event instanceof AutonatV2Protos.Message)) {
        throw new AssertionError("expected a message, got " + event);
      }
      return (AutonatV2Protos.Message) event;
    }

    AutonatV2Protos.DialResponse response() throws InterruptedException {
      AutonatV2Protos.Message message = nextMessage();
      if (!message.hasDialResponse()) {
        throw new AssertionError("expected a DialResponse, got " + message);
      }
      return message.getDialResponse();
    }

    /** Every raw byte until the server's FIN (raw mode). */
    byte[] rawUntilFin() throws InterruptedException {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (Object event = next(); event != FIN; event = next()) {
        if (!(event instanceof byte[])) {
          throw new AssertionError("expected bytes or FIN, got " + event);
        }
        out.writeBytes((byte[]) event);
      }
      return out.toByteArray();
    }

    void reset() {
      stream.reset();
    }

    /** Closes our side, as a client must after the response. */
    void close() {
      stream.channel().close();
    }
  }

  /** A length prefix announcing {@code length} bytes. */
  static byte[] prefix(long length) {
    return Varint.encode(length);
  }
}
