package io.reachability.autonat;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.reachability.autonat.pb.AutonatV2Protos;
import io.reachability.libp2p.Libp2pException;
import io.reachability.libp2p.core.Errors;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.core.Stream;
import io.reachability.libp2p.core.StreamResetException;
import io.reachability.libp2p.multiformats.UvarintFrameDecoder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Serves one {@value AutonatV2#DIAL_REQUEST_PROTOCOL} stream: the state machine of the spec's
 * exchange. Everything runs on the stream's event loop; every path ends in exactly one {@link
 * DialRequestOutcome}, handed to the sink, and in either a DialResponse followed by FIN or a reset.
 *
 * <pre>
 *   admitted? ──no──▶ E_REQUEST_REJECTED
 *      │ yes
 *   AWAIT_REQUEST ──bad/oversized/not a DialRequest──▶ reset
 *      │ select the first dialable address ──none──▶ E_DIAL_REFUSED
 *      │ IP differs from the client's? ──yes──▶ dial-data budget? ──no──▶ E_REQUEST_REJECTED
 *      │                                          │ yes: DialDataRequest
 *      │                                    AWAIT_DIAL_DATA ──bad frame──▶ reset
 *      │                                          │ all paid
 *      │                                    JITTER (random wait)
 *   DIALING ◀──────────────────────────────────────┘
 *      │ dial-back done
 *   OK + dial status
 * </pre>
 */
final class DialRequestHandler extends ChannelInboundHandlerAdapter {

  /** What every handler shares with the server. */
  record Context(
      AutonatServerSettings settings,
      RateLimiter limiter,
      AddressSelector selector,
      RandomGenerator random,
      DialBacker.Dialer dialer,
      Consumer<DialRequestOutcome> sink,
      Function<Multiaddr, CompletableFuture<List<Multiaddr>>> resolver) {

    /** A context that resolves no DNS name: a named address fails its dial. */
    Context(
        AutonatServerSettings settings,
        RateLimiter limiter,
        AddressSelector selector,
        RandomGenerator random,
        DialBacker.Dialer dialer,
        Consumer<DialRequestOutcome> sink) {
      this(
          settings,
          limiter,
          selector,
          random,
          dialer,
          sink,
          name ->
              CompletableFuture.failedFuture(
                  new Libp2pException("this server resolves no DNS names")));
    }
  }

  enum State {
    AWAIT_REQUEST,
    AWAIT_DIAL_DATA,
    JITTER,
    DIALING,
    DONE
  }

  private final Stream stream;
  private final Context context;
  private final long startNanos;
  private final PeerId peer;
  private final Multiaddr remoteAddress;

  private State state = State.AWAIT_REQUEST;
  private RateLimiter.@Nullable Permit permit;
  private @Nullable ScheduledFuture<?> exchangeTimer;
  private @Nullable ScheduledFuture<?> jitterTimer;
  private int addressCount;
  private long nonce;
  private AddressSelector.@Nullable Selection selection;
  private long dialDataRequested;
  private long dialDataReceived;
  private @Nullable CompletableFuture<DialBacker.Result> dialBack;

  private DialRequestHandler(Stream stream, Context context, long startNanos) {
    this.stream = stream;
    this.context = context;
    this.startNanos = startNanos;
    this.peer = stream.connection().remotePeer();
    this.remoteAddress = stream.connection().remoteAddress();
  }

  /**
   * Takes over a freshly negotiated stream: admission control first (before a byte is read), then
   * the framing and this handler. Called on the stream's event loop; never throws.
   */
  static void serve(Stream stream, Context context) {
    DialRequestHandler handler = new DialRequestHandler(stream, context, System.nanoTime());
    try {
      handler.begin();
    } catch (RuntimeException e) {
      handler.reset("internal error: " + e);
    }
  }

  private Channel channel() {
    return stream.channel();
  }

  private void begin() {
    // whatever happens, the end of the stream ends the request (and frees its permit)
    channel().closeFuture().addListener(f -> finish(null, DialStatus.UNUSED, "stream closed"));
    if (state == State.DONE) {
      return; // closed before we got to it: take no permit that nothing would give back
    }
    Optional<InetAddress> clientIp = clientIp();
    if (clientIp.isEmpty()) {
      reset("connection has no IP address: " + remoteAddress);
      return;
    }
    Optional<RateLimiter.Permit> admitted = context.limiter().tryAcquire(peer, clientIp.get());
    if (admitted.isEmpty()) {
      rejectUnread("rate limit");
      return;
    }
    permit = admitted.get();
    channel().pipeline().addLast(new UvarintFrameDecoder(AutonatV2.MAX_MESSAGE_SIZE)).addLast(this);
    Duration timeout = context.settings().exchangeTimeout();
    exchangeTimer =
        channel()
            .eventLoop()
            .schedule(
                () -> {
                  // a dial-back under way has its own bounds and ends in a proper DialResponse
                  if (state != State.DIALING) {
                    reset("exchange timed out after " + timeout);
                  }
                },
                timeout.toMillis(),
                TimeUnit.MILLISECONDS);
  }

  private Optional<InetAddress> clientIp() {
    return remoteAddress.toIpSocketAddress().map(InetSocketAddress::getAddress);
  }

  // ---- inbound
  // -------------------------------------------------------------------------------------------------

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf frame)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    try {
      switch (state) {
        case AWAIT_REQUEST -> onRequest(AutonatMessages.parseMessage(frame));
        // only the chunk's size is read, before the frame is released below
        case AWAIT_DIAL_DATA -> onDialData(AutonatMessages.parseTransientMessage(frame));
        case DONE -> {} // answered already; whatever else the client sends is dropped
        default -> reset("unexpected message while " + state.name().toLowerCase(Locale.ROOT));
      }
    } catch (Libp2pException e) {
      reset(e.getMessage());
    } catch (RuntimeException e) {
      reset("internal error: " + e);
    } finally {
      frame.release();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      if (state == State.AWAIT_REQUEST) {
        reset("client closed its side before sending a DialRequest");
      } else if (state == State.AWAIT_DIAL_DATA) {
        reset(
            "client closed its side after "
                + dialDataReceived
                + " of "
                + dialDataRequested
                + " dial-data bytes");
      }
      // during the jitter or the dial a half-close is fine: the client only waits for the answer
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (state == State.DONE) {
      return;
    }
    if (cause instanceof StreamResetException) {
      finish(
          null,
          DialStatus.UNUSED,
          "reset by the client while " + state.name().toLowerCase(Locale.ROOT));
    } else if (cause instanceof TooLongFrameException) {
      reset("message over " + AutonatV2.MAX_MESSAGE_SIZE + " bytes: " + cause.getMessage());
    } else if (cause instanceof CorruptedFrameException) {
      reset(cause.getMessage());
    } else {
      reset("stream failed: " + cause);
    }
  }

  private void onRequest(AutonatV2Protos.Message message) {
    if (!message.hasDialRequest()) {
      reset("first message is " + message.getMsgCase() + ", not a DialRequest");
      return;
    }
    AutonatV2Protos.DialRequest request = message.getDialRequest();
    addressCount = request.getAddrsCount();
    nonce = request.getNonce();
    if (addressCount == 0) {
      reset("DialRequest without addresses");
      return;
    }
    Optional<AddressSelector.Selection> selected =
        context.selector().select(request.getAddrsList());
    if (selected.isEmpty()) {
      respond(
          ResponseStatus.E_DIAL_REFUSED,
          DialStatus.UNUSED,
          "no address we are willing and able to dial among the first "
              + Math.min(addressCount, AutonatV2.MAX_ADDRESSES_INSPECTED));
      return;
    }
    selection = selected.get();
    InetSocketAddress target = selection.target();
    InetAddress clientIp = clientIp().orElseThrow();
    if (target != null && AddressSelector.sameIp(target.getAddress(), clientIp)) {
      startDial();
      return;
    }
    // a different host, or a name that may point anywhere (go-libp2p asks for data for every DNS
    // address too): make the client pay before we send a handshake there (amplification); the
    // budget is only taken once the data is paid, so unpaid requests cannot drain it
    if (!context.limiter().hasDialDataBudget()) {
      respond(ResponseStatus.E_REQUEST_REJECTED, DialStatus.UNUSED, "dial-data budget spent");
      return;
    }
    AutonatServerSettings settings = context.settings();
    dialDataRequested =
        context.random().nextInt(settings.minDialDataBytes(), settings.maxDialDataBytes());
    state = State.AWAIT_DIAL_DATA;
    channel()
        .writeAndFlush(
            AutonatMessages.frame(
                channel().alloc(), dialDataRequest(selection.index(), dialDataRequested)));
  }

  private void onDialData(AutonatV2Protos.Message message) {
    if (!message.hasDialDataResponse()) {
      reset("expected a DialDataResponse, got " + message.getMsgCase());
      return;
    }
    ByteString data = message.getDialDataResponse().getData();
    int size = data.size();
    if (size > AutonatV2.MAX_DIAL_DATA_CHUNK) {
      reset(
          "DialDataResponse carries "
              + size
              + " bytes, more than "
              + AutonatV2.MAX_DIAL_DATA_CHUNK);
      return;
    }
    long owed = dialDataRequested - dialDataReceived;
    if (size < AutonatV2.MIN_DIAL_DATA_FRAME && size < owed) {
      reset(
          "DialDataResponse of "
              + size
              + " bytes while "
              + owed
              + " are owed (minimum "
              + AutonatV2.MIN_DIAL_DATA_FRAME
              + ")");
      return;
    }
    dialDataReceived +=
        size; // a last frame larger than the rest is fine (the spec says SHOULD allow)
    if (dialDataReceived < dialDataRequested) {
      return;
    }
    if (!context.limiter().tryAcquireDialData()) {
      respond(
          ResponseStatus.E_REQUEST_REJECTED,
          DialStatus.UNUSED,
          "dial-data budget spent while the client paid");
      return;
    }
    state = State.JITTER;
    long maxJitter = context.settings().maxDialDataJitter().toMillis();
    long delay = maxJitter <= 0 ? 0 : context.random().nextLong(maxJitter + 1);
    if (delay == 0) {
      startDial();
    } else {
      jitterTimer = channel().eventLoop().schedule(this::startDial, delay, TimeUnit.MILLISECONDS);
    }
  }

  // ---- dial-back
  // -----------------------------------------------------------------------------------------------

  private void startDial() {
    AddressSelector.Selection target = selection;
    if (state == State.DONE || target == null) {
      return;
    }
    state = State.DIALING;
    if (target.named()) {
      resolve(target);
      return;
    }
    dial(target);
  }

  /** A named address is resolved only now, after the client paid, and judged like an IP one. */
  private void resolve(AddressSelector.Selection named) {
    CompletableFuture<List<Multiaddr>> lookup;
    try {
      lookup = context.resolver().apply(named.address());
    } catch (RuntimeException e) {
      lookup = CompletableFuture.failedFuture(e);
    }
    lookup.whenComplete((found, error) -> onLoop(() -> resolved(named, found, error)));
  }

  private void resolved(
      AddressSelector.Selection named, @Nullable List<Multiaddr> found, @Nullable Throwable error) {
    if (state != State.DIALING) {
      return; // the client went away or the exchange timed out meanwhile
    }
    if (error != null || found == null) {
      // as a dial of the name would: the address cannot be reached
      respond(
          ResponseStatus.OK,
          DialStatus.E_DIAL_ERROR,
          named.address()
              + " does not resolve: "
              + (error == null ? "no address" : Errors.describe(error)));
      return;
    }
    Optional<AddressSelector.Selection> target = context.selector().resolved(named, found);
    if (target.isEmpty()) {
      respond(
          ResponseStatus.E_DIAL_REFUSED,
          DialStatus.UNUSED,
          named.address() + " resolves to no address we are willing to dial: " + found);
      return;
    }
    selection = target.get();
    dial(target.get());
  }

  private void dial(AddressSelector.Selection target) {
    try {
      dialBack = context.dialer().dialBack(target.address(), nonce, channel().eventLoop());
      dialBack.whenComplete((result, error) -> onLoop(() -> dialed(result, error)));
    } catch (RuntimeException e) {
      // also runs from the jitter timer: nothing may escape into the event loop
      dialed(null, e);
    }
  }

  private void dialed(DialBacker.@Nullable Result result, @Nullable Throwable error) {
    if (state != State.DIALING) {
      return; // the client went away or the exchange timed out meanwhile
    }
    if (error != null || result == null) {
      respond(ResponseStatus.E_INTERNAL_ERROR, DialStatus.UNUSED, "no dial-back: " + error);
      return;
    }
    respond(ResponseStatus.OK, result.status(), result.error());
  }

  private void onLoop(Runnable task) {
    try {
      channel().eventLoop().execute(task);
    } catch (RejectedExecutionException e) {
      // the host is shutting down: its streams close, and the close listener records the outcome
    }
  }

  // ---- endings
  // -------------------------------------------------------------------------------------------------

  /** Answers with a DialResponse and closes our side (FIN). */
  private void respond(ResponseStatus status, DialStatus dialStatus, @Nullable String reason) {
    if (!finish(status, dialStatus, reason)) {
      return;
    }
    int index = status == ResponseStatus.OK && selection != null ? selection.index() : 0;
    channel()
        .writeAndFlush(
            AutonatMessages.frame(channel().alloc(), dialResponse(status, index, dialStatus)))
        .addListener(ChannelFutureListener.CLOSE);
  }

  /**
   * Rejects a request we have not read: the client may still be sending it, and a plain close would
   * answer those bytes with a reset that can overtake our response. So: respond, half-close,
   * discard what still comes, close when the client is done (or after a short linger).
   */
  private void rejectUnread(String reason) {
    if (!finish(ResponseStatus.E_REQUEST_REJECTED, DialStatus.UNUSED, reason)) {
      return;
    }
    Channel channel = channel();
    channel
        .pipeline()
        .addLast(
            new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ReferenceCountUtil.release(msg);
              }

              @Override
              public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof ChannelInputShutdownEvent) {
                  ctx.close();
                }
                ctx.fireUserEventTriggered(evt);
              }
            });
    channel
        .writeAndFlush(
            AutonatMessages.frame(
                channel.alloc(),
                dialResponse(ResponseStatus.E_REQUEST_REJECTED, 0, DialStatus.UNUSED)))
        .addListener(f -> stream.closeWrite());
    channel
        .eventLoop()
        .schedule(() -> channel.close(), REJECTION_LINGER.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** How long a rejected client may take to finish sending before its stream is closed anyway. */
  static final Duration REJECTION_LINGER = Duration.ofSeconds(2);

  /** Aborts the stream (a stream reset). */
  private void reset(@Nullable String reason) {
    if (finish(null, DialStatus.UNUSED, reason)) {
      stream.reset();
    }
  }

  /** Records the one outcome of this request; false when it was recorded already. */
  private boolean finish(
      @Nullable ResponseStatus status, DialStatus dialStatus, @Nullable String reason) {
    if (state == State.DONE) {
      return false;
    }
    state = State.DONE;
    if (exchangeTimer != null) {
      exchangeTimer.cancel(false);
    }
    if (jitterTimer != null) {
      jitterTimer.cancel(false);
    }
    if (permit != null) {
      RateLimiter.Permit held = permit;
      CompletableFuture<DialBacker.Result> inFlight = dialBack;
      if (inFlight != null && !inFlight.isDone()) {
        // the dial-back cannot be called off: it counts against the peer until it is over
        inFlight.whenComplete((r, e) -> held.close());
      } else {
        held.close();
      }
    }
    AddressSelector.Selection chosen = selection;
    context
        .sink()
        .accept(
            new DialRequestOutcome(
                peer,
                remoteAddress,
                addressCount,
                chosen == null ? -1 : chosen.index(),
                chosen == null ? null : chosen.address(),
                dialDataRequested,
                dialDataReceived,
                status,
                dialStatus,
                reason,
                Duration.ofNanos(System.nanoTime() - startNanos)));
    return true;
  }

  // ---- messages
  // ------------------------------------------------------------------------------------------------

  static AutonatV2Protos.Message dialResponse(
      ResponseStatus status, int addrIdx, DialStatus dialStatus) {
    return AutonatV2Protos.Message.newBuilder()
        .setDialResponse(
            AutonatV2Protos.DialResponse.newBuilder()
                .setStatusValue(status.code())
                .setAddrIdx(addrIdx)
                .setDialStatusValue(dialStatus.code()))
        .build();
  }

  static AutonatV2Protos.Message dialDataRequest(int addrIdx, long numBytes) {
    return AutonatV2Protos.Message.newBuilder()
        .setDialDataRequest(
            AutonatV2Protos.DialDataRequest.newBuilder().setAddrIdx(addrIdx).setNumBytes(numBytes))
        .build();
  }
}
