package io.reachability.autonat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
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
import io.reachability.testing.LoopbackHosts;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A fake AutoNAT v2 server for client tests: a real host serving {@value
 * AutonatV2#DIAL_REQUEST_PROTOCOL} whose every stream is handed, as a blocking {@link Session}, to
 * a script running on its own thread, so a test says step by step what the server reads, writes and
 * dials back. Dial-backs come from a second host (as go-libp2p's server does), on a fresh
 * connection.
 */
final class ScriptedServer implements AutoCloseable {

  static final long WAIT_SECONDS = 10;

  /** What a server script does with one dial-request stream. */
  @FunctionalInterface
  interface Script {
    void run(Session session) throws Exception;
  }

  /** Something other than a frame that happened to the stream. */
  enum Event {
    /** The client half-closed (FIN). */
    EOF,
    /** The client reset the stream (RST). */
    RESET,
    /** The stream closed (both directions done, or after a reset). */
    CLOSED
  }

  /** What the client did with one DialBack: the bytes it answered, and how it ended the stream. */
  record DialBackOutcome(byte[] received, boolean eof, boolean reset) {}

  final Host host;
  final Host dialer;
  private final ExecutorService scripts = Executors.newCachedThreadPool();
  private final Script script;
  final CompletableFuture<Session> firstSession = new CompletableFuture<>();

  /** Completes when the first session's script returns (or fails with what it threw). */
  final CompletableFuture<Void> scriptDone = new CompletableFuture<>();

  ScriptedServer(Script script) {
    this.script = script;
    this.host =
        LoopbackHosts.builder("scripted-server")
            .ioThreads(1)
            .protocol(AutonatV2.DIAL_REQUEST_PROTOCOL, this::serve)
            .build()
            .start();
    this.dialer =
        Host.builder()
            .threadName("scripted-dialer")
            .ioThreads(1)
            .identifyOnConnect(false)
            .build()
            .start();
  }

  Multiaddr address() {
    return host.listenAddresses().get(0).withPeerId(host.peerId());
  }

  private void serve(Stream stream) {
    Session session = new Session(stream);
    stream
        .channel()
        .pipeline()
        .addLast(new UvarintFrameDecoder(1 << 20))
        .addLast(session.recorder());
    boolean first = firstSession.complete(session);
    scripts.execute(
        () -> {
          try {
            script.run(session);
            if (first) {
              scriptDone.complete(null);
            }
          } catch (Throwable e) {
            if (first) {
              scriptDone.completeExceptionally(e);
            }
          }
        });
  }

  @Override
  public void close() {
    scripts.shutdownNow();
    dialer.close();
    host.close();
  }

  /** One dial-request stream, seen from the server, driven by a script. */
  final class Session {
    final Stream stream;
    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();

    /** Dial-data payload sizes received, one entry per DialDataResponse. */
    final List<Integer> chunks = new ArrayList<>();

    Session(Stream stream) {
      this.stream = stream;
    }

    ChannelInboundHandlerAdapter recorder() {
      return new SimpleChannelInboundHandler<ByteBuf>() {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
          inbox.add(ByteBufUtil.getBytes(frame));
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
          if (evt instanceof ChannelInputShutdownEvent) {
            inbox.add(Event.EOF);
          }
          ReferenceCountUtil.release(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
          inbox.add(cause instanceof StreamResetException ? Event.RESET : cause);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
          inbox.add(Event.CLOSED);
        }
      };
    }

    /** The next frame (raw bytes) or {@link Event}; fails after {@link #WAIT_SECONDS}. */
    Object next() throws InterruptedException {
      Object item = inbox.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      if (item == null) {
        throw new AssertionError("nothing from the client within " + WAIT_SECONDS + " s");
      }
      return item;
    }

    /** The next frame, parsed; fails on an event. */
    AutonatV2Protos.Message read() throws Exception {
      Object item = next();
      if (!(item instanceof byte[])) {
        throw new AssertionError("expected a message from the client, got " + item);
      }
      return AutonatV2Protos.Message.parseFrom((byte[]) item);
    }

    AutonatV2Protos.DialRequest readRequest() throws Exception {
      AutonatV2Protos.Message message = read();
      if (!message.hasDialRequest()) {
        throw new AssertionError("expected a DialRequest, got " + message);
      }
      return message.getDialRequest();
    }

    /** Reads DialDataResponses until {@code numBytes} payload bytes arrived; returns the total. */
    long readDialData(long numBytes) throws Exception {
      long total = 0;
      while (total < numBytes) {
        AutonatV2Protos.Message message = read();
        if (!message.hasDialDataResponse()) {
          throw new AssertionError("expected a DialDataResponse, got " + message.getMsgCase());
        }
        int size = message.getDialDataResponse().getData().size();
        chunks.add(size);
        total += size;
      }
      return total;
    }

    /** Skips frames until an event: how the client ended the stream. */
    Event awaitEnd() throws Exception {
      while (true) {
        Object item = next();
        if (item instanceof Event) {
          return (Event) item;
        }
        if (item instanceof Throwable) {
          throw new AssertionError("stream failed", (Throwable) item);
        }
      }
    }

    void send(AutonatV2Protos.Message message) {
      byte[] body = message.toByteArray();
      sendRaw(frame(body));
    }

    void sendRaw(byte[] bytes) {
      stream.channel().writeAndFlush(LeakRecorder.buffer(bytes)).syncUninterruptibly();
    }

    void respond(ResponseStatus status, int addrIdx, DialStatus dialStatus) {
      respondCodes(status.code(), addrIdx, dialStatus.code());
    }

    void respondCodes(int status, int addrIdx, int dialStatus) {
      send(
          AutonatV2Protos.Message.newBuilder()
              .setDialResponse(
                  AutonatV2Protos.DialResponse.newBuilder()
                      .setStatusValue(status)
                      .setAddrIdx(addrIdx)
                      .setDialStatusValue(dialStatus))
              .build());
    }

    void askForData(int addrIdx, long numBytes) {
      send(
          AutonatV2Protos.Message.newBuilder()
              .setDialDataRequest(
                  AutonatV2Protos.DialDataRequest.newBuilder()
                      .setAddrIdx(addrIdx)
                      .setNumBytes(numBytes))
              .build());
    }

    /** FIN, as a spec server does after its response. */
    void close() {
      stream.channel().close().syncUninterruptibly();
    }

    void reset() {
      stream.reset();
    }

    DialBackOutcome dialBack(Multiaddr target, long nonce) throws Exception {
      return dialBackRaw(
          target,
          frame(AutonatV2Protos.DialBack.newBuilder().setNonce(nonce).build().toByteArray()));
    }

    /**
     * Dials {@code target} on a new connection from the dialer host, opens the dial-back protocol,
     * writes {@code bytes}, half-closes (as go-libp2p does) and collects the answer.
     */
    DialBackOutcome dialBackRaw(Multiaddr target, byte[] bytes) throws Exception {
      Connection connection =
          dialer.dial(target.withoutPeerId()).get(WAIT_SECONDS, TimeUnit.SECONDS);
      try {
        return sendDialBack(connection, bytes);
      } finally {
        connection.close();
      }
    }

    /** A DialBack over an existing connection (what a cheating server would do). */
    DialBackOutcome dialBackOver(Connection connection, long nonce) throws Exception {
      return sendDialBack(connection, nonce);
    }
  }

  /** Sends a DialBack carrying {@code nonce} over {@code connection} and collects the answer. */
  static DialBackOutcome sendDialBack(Connection connection, long nonce) throws Exception {
    return sendDialBack(
        connection,
        frame(AutonatV2Protos.DialBack.newBuilder().setNonce(nonce).build().toByteArray()));
  }

  /**
   * Opens the dial-back protocol over {@code connection}, writes {@code bytes}, half-closes (as
   * go-libp2p does) and collects the answer.
   */
  static DialBackOutcome sendDialBack(Connection connection, byte[] bytes) throws Exception {
    CompletableFuture<DialBackOutcome> outcome = new CompletableFuture<>();
    connection
        .newStream(
            List.of(AutonatV2.DIAL_BACK_PROTOCOL),
            s -> {
              s.channel().pipeline().addLast(new DialBackCollector(outcome));
              s.channel()
                  .writeAndFlush(LeakRecorder.buffer(bytes))
                  .addListener(f -> s.closeWrite());
            })
        .get(WAIT_SECONDS, TimeUnit.SECONDS);
    return outcome.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  /** Collects what the client answers on a dial-back stream until the stream closes. */
  private static final class DialBackCollector extends ChannelInboundHandlerAdapter {
    private final CompletableFuture<DialBackOutcome> outcome;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private boolean eof;
    private boolean reset;

    DialBackCollector(CompletableFuture<DialBackOutcome> outcome) {
      this.outcome = outcome;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        received.writeBytes(ByteBufUtil.getBytes((ByteBuf) msg));
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        eof = true;
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (cause instanceof StreamResetException) {
        reset = true;
      } else {
        outcome.completeExceptionally(cause);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      outcome.complete(new DialBackOutcome(received.toByteArray(), eof, reset));
    }
  }

  static io.reachability.libp2p.core.PeerId randomPeerId() {
    return PeerId.fromPublicKey(io.reachability.libp2p.crypto.Keys.generateEd25519().publicKey());
  }

  /** {@code bytes} with its unsigned-varint length prefix. */
  static byte[] frame(byte[] body) {
    byte[] prefix = new byte[Varint.encodedLength(body.length)];
    Varint.write(body.length, prefix, 0);
    byte[] out = new byte[prefix.length + body.length];
    System.arraycopy(prefix, 0, out, 0, prefix.length);
    System.arraycopy(body, 0, out, prefix.length, body.length);
    return out;
  }
}
