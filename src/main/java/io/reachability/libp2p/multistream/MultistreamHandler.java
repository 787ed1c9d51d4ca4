package io.reachability.libp2p.multistream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Negotiates one protocol with multistream-select 1.0, then removes itself. One instance per
 * negotiation.
 *
 * <ul>
 *   <li>Starts when added to an active channel, else on {@code channelActive}: schedules the
 *       timeout; the initiator writes the header and its first proposal in one flush (no round trip
 *       wait).
 *   <li>Initiator: expects the header, then an answer to each proposal: the echoed id selects it,
 *       {@code na} moves on to the next proposal; when all are refused the negotiation fails.
 *   <li>Responder: expects the header and answers with its own, then echoes the first proposal
 *       found in the supported set (read anew for each proposal), answers {@code na} otherwise, and
 *       answers {@code ls} with the supported list. Its header and first answer leave in one flush
 *       when the peer's header and proposal arrived together. Gives up after {@link
 *       Multistream#MAX_PROPOSALS}.
 *   <li>Success, on the event loop: {@link ProtocolSelectedListener#selected} (which installs the
 *       next handlers after this one), {@link #result()} completes, the handler removes itself, and
 *       bytes that arrived behind the last negotiation message are passed on to the next handler.
 *   <li>Failure (malformed or oversized message, no common protocol, timeout, listener threw,
 *       connection or input closed, upstream exception): {@link #result()} fails with a {@link
 *       MultistreamException}, pending writes are flushed and the channel is closed. Nothing is
 *       thrown into the pipeline.
 * </ul>
 *
 * @see <a href="https://github.com/multiformats/multistream-select">multistream-select
 *     specification</a>
 * @see <a
 *     href="https://github.com/libp2p/specs/blob/master/connections/README.md#protocol-negotiation">libp2p
 *     connections: protocol negotiation</a>
 */
public final class MultistreamHandler extends ByteToMessageDecoder {

  /** Suggested name for this handler in a pipeline. */
  public static final String NAME = "multistream";

  private enum State {
    NEW,
    AWAIT_HEADER,
    /** Initiator: waiting for the answer to {@code proposals.get(proposalIndex)}. */
    AWAIT_ANSWER,
    /** Responder: waiting for a proposal. */
    AWAIT_PROPOSAL,
    /** Agreed; the listener is running. */
    SELECTING,
    DONE,
    FAILED
  }

  private final boolean initiator;
  private final List<String> proposals;
  private final @Nullable Supplier<? extends Collection<String>> supported;
  private final Duration timeout;
  private final ProtocolSelectedListener listener;
  private final CompletableFuture<String> result = new CompletableFuture<>();

  private State state = State.NEW;
  private int proposalIndex;
  private int answeredProposals;
  private boolean flushPending;
  private @Nullable ChannelFuture lastWrite;
  private @Nullable ScheduledFuture<?> timeoutTask;

  private MultistreamHandler(
      boolean initiator,
      List<String> proposals,
      @Nullable Supplier<? extends Collection<String>> supported,
      Duration timeout,
      ProtocolSelectedListener listener) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    this.initiator = initiator;
    this.proposals = proposals;
    this.supported = supported;
    this.timeout = timeout;
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /**
   * A handler that proposes {@code protocols} in order of preference.
   *
   * @throws IllegalArgumentException when the list is empty or an id is not {@link
   *     MultistreamCodec#isSelectable selectable}
   */
  public static MultistreamHandler initiator(
      List<String> protocols, Duration timeout, ProtocolSelectedListener listener) {
    List<String> copy = List.copyOf(protocols);
    if (copy.isEmpty()) {
      throw new IllegalArgumentException("no protocols to propose");
    }
    for (String protocol : copy) {
      if (!MultistreamCodec.isSelectable(protocol)) {
        throw new IllegalArgumentException("not a valid protocol id: " + quote(protocol));
      }
    }
    return new MultistreamHandler(true, copy, null, timeout, listener);
  }

  /**
   * A handler that accepts the first proposal contained in {@code supported}. The supplier is
   * called for each proposal and each {@code ls}, on the event loop, so protocols registered
   * meanwhile count.
   */
  public static MultistreamHandler responder(
      Supplier<? extends Collection<String>> supported,
      Duration timeout,
      ProtocolSelectedListener listener) {
    return new MultistreamHandler(
        false, List.of(), Objects.requireNonNull(supported, "supported"), timeout, listener);
  }

  /** The selected protocol, or a {@link MultistreamException}; completed on the event loop. */
  public CompletableFuture<String> result() {
    return result;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      start(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    start(ctx);
    super.channelActive(ctx);
  }

  private void start(ChannelHandlerContext ctx) {
    if (state != State.NEW) {
      return;
    }
    state = State.AWAIT_HEADER;
    timeoutTask =
        ctx.executor()
            .schedule(
                () -> fail(ctx, new MultistreamException("negotiation timed out after " + timeout)),
                timeout.toNanos(),
                TimeUnit.NANOSECONDS);
    if (initiator) {
      // Header and first proposal in one packet, as the spec recommends; the answer to both comes
      // back
      // together from a well-behaved responder.
      write(ctx, MultistreamCodec.encode(ctx.alloc(), Multistream.PROTOCOL_ID, proposals.get(0)));
      flush(ctx);
    }
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (state == State.NEW) {
      start(ctx);
    }
    try {
      while (isNegotiating() && in.isReadable()) {
        String message = MultistreamCodec.readMessage(in, Multistream.MAX_MESSAGE_LENGTH);
        if (message == null) {
          break;
        }
        if (initiator) {
          onAnswer(ctx, message);
        } else {
          onProposal(ctx, message);
        }
      }
      flush(ctx);
    } catch (MultistreamException e) {
      fail(ctx, e);
    } catch (RuntimeException e) {
      fail(ctx, new MultistreamException("negotiation failed: " + e, e));
    }
    if (state == State.FAILED) {
      // Nothing after a failed negotiation may reach another handler.
      in.skipBytes(in.readableBytes());
    }
  }

  private void onAnswer(ChannelHandlerContext ctx, String message) {
    if (state == State.AWAIT_HEADER) {
      expectHeader(message);
      state = State.AWAIT_ANSWER;
      return;
    }
    String proposed = proposals.get(proposalIndex);
    if (message.equals(proposed)) {
      select(ctx, proposed);
    } else if (message.equals(Multistream.NA)) {
      proposalIndex++;
      if (proposalIndex == proposals.size()) {
        throw new MultistreamException("no common protocol: proposed " + proposals);
      }
      write(ctx, MultistreamCodec.encode(ctx.alloc(), proposals.get(proposalIndex)));
    } else {
      throw new MultistreamException(
          "unexpected answer to proposal " + proposed + ": " + quote(message));
    }
  }

  private void onProposal(ChannelHandlerContext ctx, String message) {
    if (state == State.AWAIT_HEADER) {
      expectHeader(message);
      write(ctx, MultistreamCodec.encode(ctx.alloc(), Multistream.PROTOCOL_ID));
      state = State.AWAIT_PROPOSAL;
      return;
    }
    Collection<String> protocols = Objects.requireNonNull(supported).get();
    if (protocols == null) {
      throw new MultistreamException("supported protocols supplier returned null");
    }
    if (message.equals(Multistream.LS)) {
      ByteBuf list =
          MultistreamCodec.encodeLsResponse(
              ctx.alloc(), protocols, Multistream.MAX_LS_RESPONSE_LENGTH);
      write(ctx, list != null ? list : MultistreamCodec.encode(ctx.alloc(), Multistream.NA));
    } else if (MultistreamCodec.isSelectable(message) && protocols.contains(message)) {
      write(ctx, MultistreamCodec.encode(ctx.alloc(), message));
      select(ctx, message);
      return;
    } else {
      write(ctx, MultistreamCodec.encode(ctx.alloc(), Multistream.NA));
    }
    answeredProposals++;
    if (answeredProposals >= Multistream.MAX_PROPOSALS) {
      throw new MultistreamException(
          "no common protocol after " + answeredProposals + " proposals, last " + quote(message));
    }
  }

  private static void expectHeader(String message) {
    if (!message.equals(Multistream.PROTOCOL_ID)) {
      throw new MultistreamException(
          "expected header " + Multistream.PROTOCOL_ID + ", got " + quote(message));
    }
  }

  private void select(ChannelHandlerContext ctx, String protocol) {
    state = State.SELECTING;
    cancelTimeout();
    // Our last negotiation message must precede anything the next handlers write.
    flush(ctx);
    try {
      listener.selected(ctx, protocol);
    } catch (RuntimeException e) {
      throw new MultistreamException("listener failed for protocol " + protocol + ": " + e, e);
    }
    if (state != State.SELECTING) {
      return; // the listener closed the channel (negotiation already failed) or removed us
    }
    state = State.DONE;
    result.complete(protocol);
    if (!ctx.isRemoved()) {
      // ByteToMessageDecoder hands the rest of the cumulation to the next handler on removal.
      ctx.pipeline().remove(this);
    }
  }

  private void write(ChannelHandlerContext ctx, ByteBuf message) {
    ChannelFuture written = ctx.write(message);
    written.addListener(
        (ChannelFuture future) -> {
          if (!future.isSuccess()) {
            fail(ctx, new MultistreamException("write failed: " + future.cause(), future.cause()));
          }
        });
    lastWrite = written;
    flushPending = true;
  }

  private void flush(ChannelHandlerContext ctx) {
    if (flushPending) {
      flushPending = false;
      ctx.flush();
    }
  }

  private boolean isNegotiating() {
    return state == State.AWAIT_HEADER
        || state == State.AWAIT_ANSWER
        || state == State.AWAIT_PROPOSAL;
  }

  private void fail(ChannelHandlerContext ctx, MultistreamException cause) {
    if (state == State.FAILED || state == State.DONE) {
      return;
    }
    state = State.FAILED;
    cancelTimeout();
    result.completeExceptionally(cause);
    // Let what is queued (e.g. the last "na") go out before closing.
    flushPending = false;
    ctx.flush();
    ChannelFuture written = lastWrite;
    if (written != null && !written.isDone()) {
      written.addListener((ChannelFuture future) -> ctx.channel().close());
    } else {
      ctx.channel().close();
    }
  }

  private void cancelTimeout() {
    ScheduledFuture<?> task = timeoutTask;
    if (task != null) {
      timeoutTask = null;
      task.cancel(false);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (state != State.DONE) {
      fail(ctx, new MultistreamException("connection closed during negotiation"));
    }
    super.channelInactive(ctx);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    // super decodes what is left first; a negotiation still open then can never finish.
    super.userEventTriggered(ctx, evt);
    if (evt instanceof ChannelInputShutdownEvent && state != State.DONE) {
      fail(ctx, new MultistreamException("peer closed its output during negotiation"));
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Consumed: the failure is reported through result(), and the channel is closed.
    fail(ctx, new MultistreamException("negotiation failed: " + cause, cause));
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    cancelTimeout();
    if (state != State.DONE && state != State.FAILED) {
      state = State.FAILED;
      result.completeExceptionally(
          new MultistreamException("handler removed before the negotiation completed"));
    }
  }

  /** Characters of peer-supplied text quoted in an error message; enough to recognise it. */
  static final int QUOTED_TEXT_LIMIT = 64;

  /** Peer text for error messages: bounded, control characters escaped. */
  private static String quote(String text) {
    int limit = QUOTED_TEXT_LIMIT;
    StringBuilder quoted = new StringBuilder("'");
    for (int i = 0; i < text.length() && i < limit; i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        quoted.append(String.format("\\x%02x", (int) c));
      } else {
        quoted.append(c);
      }
    }
    if (text.length() > limit) {
      quoted.append("...");
    }
    return quoted.append('\'').toString();
  }
}
