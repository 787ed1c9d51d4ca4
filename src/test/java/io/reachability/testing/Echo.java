package io.reachability.testing;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.ProtocolHandler;
import io.reachability.libp2p.core.Stream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test protocol ({@value #PROTOCOL_ID}, the same one the js interop peer serves): the responder
 * echoes every byte until the initiator half-closes, then closes its side.
 */
public final class Echo {

  public static final String PROTOCOL_ID = "/test/echo/1.0.0";

  /** Bytes per write when sending, so large transfers exercise flow control. */
  private static final int CHUNK = 16 * 1024;

  private Echo() {}

  /** What an echo round trip sent and got back. */
  public record Result(long sent, long received, String sentSha256, String receivedSha256) {
    public boolean matches() {
      return sent == received && sentSha256.equals(receivedSha256);
    }
  }

  public static ProtocolHandler responder() {
    return stream -> stream.channel().pipeline().addLast(new Responder());
  }

  public static ProtocolHandler responder(AtomicLong servedBytes) {
    return stream -> stream.channel().pipeline().addLast(new Responder(servedBytes));
  }

  /**
   * Opens an echo stream on {@code connection}, sends {@code size} pseudo-random bytes, reads them
   * back.
   */
  public static CompletableFuture<Result> roundTrip(Connection connection, int size, long seed) {
    return roundTrip(connection, PROTOCOL_ID, size, seed);
  }

  /** The same over {@code protocol}, for a node that serves the echo responder under another id. */
  public static CompletableFuture<Result> roundTrip(
      Connection connection, String protocol, int size, long seed) {
    CompletableFuture<Result> result = new CompletableFuture<>();
    connection
        .newStream(List.of(protocol), stream -> send(stream, size, seed, result))
        .whenComplete(
            (s, e) -> {
              if (e != null) {
                result.completeExceptionally(e);
              }
            });
    return result;
  }

  private static void send(Stream stream, int size, long seed, CompletableFuture<Result> result) {
    MessageDigest sentDigest = sha256();
    Collector collector = new Collector(size, sentDigest, result);
    stream.channel().pipeline().addLast(collector);
    Random random = new Random(seed);
    byte[] chunk = new byte[CHUNK];
    int remaining = size;
    while (remaining > 0) {
      int n = Math.min(CHUNK, remaining);
      random.nextBytes(chunk);
      sentDigest.update(chunk, 0, n);
      stream.channel().write(stream.channel().alloc().buffer(n).writeBytes(chunk, 0, n));
      remaining -= n;
    }
    stream.channel().flush();
    stream.closeWrite();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hex(byte[] bytes) {
    StringBuilder sb = new StringBuilder();
    for (byte b : bytes) {
      sb.append(String.format("%02x", b));
    }
    return sb.toString();
  }

  private static final class Responder extends ChannelInboundHandlerAdapter {
    private final AtomicLong served;

    Responder() {
      this(new AtomicLong());
    }

    Responder(AtomicLong served) {
      this.served = served;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      served.addAndGet(((ByteBuf) msg).readableBytes());
      ctx.write(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        ctx.writeAndFlush(ctx.alloc().buffer(0)).addListener(f -> ctx.close());
      }
      ctx.fireUserEventTriggered(evt);
    }
  }

  private static final class Collector extends ChannelInboundHandlerAdapter {
    private final int expected;
    private final MessageDigest sentDigest;
    private final MessageDigest receivedDigest = sha256();
    private final CompletableFuture<Result> result;
    private long received;

    Collector(int expected, MessageDigest sentDigest, CompletableFuture<Result> result) {
      this.expected = expected;
      this.sentDigest = sentDigest;
      this.result = result;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf buf = (ByteBuf) msg;
      try {
        received += buf.readableBytes();
        receivedDigest.update(buf.nioBuffer());
      } finally {
        buf.release();
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
      result.completeExceptionally(cause);
      ctx.close();
    }

    private void finish() {
      if (!result.isDone()) {
        result.complete(
            new Result(expected, received, hex(sentDigest.digest()), hex(receivedDigest.digest())));
      }
    }
  }
}
