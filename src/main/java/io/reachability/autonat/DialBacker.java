package io.reachability.autonat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.concurrent.EventExecutor;
import io.reachability.autonat.pb.AutonatV2Protos;
import io.reachability.libp2p.Libp2pException;
import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.Errors;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.StreamResetException;
import io.reachability.libp2p.core.Streams;
import io.reachability.libp2p.host.Host;
import io.reachability.libp2p.multiformats.UvarintFrameDecoder;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * Performs dial-backs from the server's separate dial-back host: a fresh identity with no
 * listeners, so every dial-back is a new connection from a fresh ephemeral port ("Servers SHOULD
 * NOT reuse their listening port when making a dial back") under a peer id clients cannot confuse
 * with the server's. The connection is always closed afterwards.
 */
final class DialBacker {

  /** How a dial-back went; {@code error} says why when it is not {@link DialStatus#OK}. */
  record Result(DialStatus status, @Nullable String error) {
    static Result ok() {
      return new Result(DialStatus.OK, null);
    }
  }

  /** What the request handler needs; the server's implementation is {@link #dialBack}. */
  @FunctionalInterface
  interface Dialer {
    /**
     * The dial-back's result; completes exceptionally only when the server itself is shutting down
     * (then the result would say nothing about the client). {@code timers} schedules the connect
     * bound.
     */
    CompletableFuture<Result> dialBack(Multiaddr address, long nonce, EventExecutor timers);
  }

  private final Host host;
  private final Duration connectTimeout;
  private final Duration streamTimeout;
  private volatile boolean closing;

  DialBacker(Host host, Duration connectTimeout, Duration streamTimeout) {
    this.host = host;
    this.connectTimeout = connectTimeout;
    this.streamTimeout = streamTimeout;
  }

  /** From now on dial-backs fail instead of blaming the client for our own shutdown. */
  void closing() {
    closing = true;
  }

  /**
   * Connects to {@code address} (no {@code /p2p}: always a new connection), delivers the nonce on
   * {@value AutonatV2#DIAL_BACK_PROTOCOL} and waits for the DialBackResponse. Connecting (TCP and
   * the upgrade) is bounded by the connect timeout, the stream by the stream timeout.
   */
  CompletableFuture<Result> dialBack(Multiaddr address, long nonce, EventExecutor timers) {
    if (closing) {
      return CompletableFuture.failedFuture(new IllegalStateException("AutoNAT server is closing"));
    }
    CompletableFuture<Result> attempt = dial(address, nonce, timers);
    // a dial cut short by our own shutdown is no evidence about the client's address
    return attempt.thenCompose(
        r ->
            closing && r.status() != DialStatus.OK
                ? CompletableFuture.failedFuture(
                    new IllegalStateException("AutoNAT server closed during the dial-back"))
                : CompletableFuture.completedFuture(r));
  }

  private CompletableFuture<Result> dial(Multiaddr address, long nonce, EventExecutor timers) {
    CompletableFuture<Result> result = new CompletableFuture<>();
    // whoever claims first decides: the connection, or the connect bound
    AtomicBoolean claimed = new AtomicBoolean();
    var bound =
        timers.schedule(
            () -> {
              if (claimed.compareAndSet(false, true)) {
                result.complete(
                    new Result(
                        DialStatus.E_DIAL_ERROR, "connect timed out after " + connectTimeout));
              }
            },
            connectTimeout.toMillis(),
            TimeUnit.MILLISECONDS);
    CompletableFuture<Connection> dial;
    try {
      dial = host.dial(address.withoutPeerId());
    } catch (RuntimeException e) {
      dial = CompletableFuture.failedFuture(e);
    }
    dial.whenComplete(
        (connection, error) -> {
          bound.cancel(false);
          if (!claimed.compareAndSet(false, true)) {
            if (connection != null) {
              connection.close(); // too late: nobody will use it
            }
            return;
          }
          if (error != null || connection == null) {
            result.complete(new Result(DialStatus.E_DIAL_ERROR, "dial failed: " + message(error)));
            return;
          }
          deliverNonce(connection, nonce)
              .whenComplete(
                  (ok, streamError) -> {
                    connection.close();
                    result.complete(
                        streamError == null
                            ? Result.ok()
                            : new Result(
                                DialStatus.E_DIAL_BACK_ERROR,
                                "dial-back stream failed: " + message(streamError)));
                  });
        });
    return result;
  }

  private CompletableFuture<Void> deliverNonce(Connection connection, long nonce) {
    return Streams.request(
        connection,
        AutonatV2.DIAL_BACK_PROTOCOL,
        streamTimeout,
        (stream, done) -> {
          ResponseReader reader = new ResponseReader(done);
          stream
              .channel()
              .pipeline()
              .addLast(new UvarintFrameDecoder(AutonatV2.MAX_DIAL_BACK_MESSAGE_SIZE))
              .addLast(reader);
          ByteBuf frame = AutonatMessages.frame(stream.channel().alloc(), dialBack(nonce));
          ChannelFuture sent = stream.channel().writeAndFlush(frame);
          reader.sent(sent);
          stream.closeWrite(); // nothing more to send; the client answers and closes
        });
  }

  /** {@code DialBack{nonce}}: the nonce exactly as the client sent it (fixed64). */
  static AutonatV2Protos.DialBack dialBack(long nonce) {
    return AutonatV2Protos.DialBack.newBuilder().setNonce(nonce).build();
  }

  private static String message(@Nullable Throwable error) {
    if (error == null) {
      return "no connection";
    }
    return Errors.describe(error);
  }

  /**
   * Completes when one well-formed DialBackResponse{OK} arrives, or when the client resets the
   * stream after our DialBack went out: go's client resets its dial-back stream right after writing
   * its response, and on QUIC the reset may discard that response before we read it. go's server
   * takes any reaction of the client as receipt the same way; the client, not we, checks the nonce.
   * Anything else fails.
   */
  private static final class ResponseReader extends SimpleChannelInboundHandler<ByteBuf> {
    private final CompletableFuture<Void> done;
    private @Nullable ChannelFuture sent;

    ResponseReader(CompletableFuture<Void> done) {
      this.done = done;
    }

    /** Our DialBack's write: written in full before a reset, the reset counts as receipt. */
    void sent(ChannelFuture write) {
      this.sent = write;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
      if (done.isDone()) {
        return;
      }
      AutonatV2Protos.DialBackResponse response = AutonatMessages.parseDialBackResponse(frame);
      if (response.getStatus() != AutonatV2Protos.DialBackResponse.DialBackStatus.OK) {
        throw new Libp2pException("DialBackResponse status " + response.getStatusValue());
      }
      done.complete(null);
      ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        done.completeExceptionally(
            new Libp2pException("client closed the dial-back stream without a DialBackResponse"));
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (!done.isDone()) { // after a response, closing is the normal end: no exception to build
        done.completeExceptionally(
            new Libp2pException("dial-back stream closed without a DialBackResponse"));
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ChannelFuture write = sent;
      if (cause instanceof StreamResetException && write != null && write.isSuccess()) {
        done.complete(null);
        return;
      }
      done.completeExceptionally(cause); // Streams.request resets the stream
    }
  }
}
