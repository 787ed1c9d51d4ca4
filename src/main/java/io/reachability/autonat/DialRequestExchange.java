package io.reachability.autonat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderException;
import io.reachability.autonat.pb.AutonatV2Protos;
import io.reachability.libp2p.Libp2pException;
import io.reachability.libp2p.core.Errors;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.core.Stream;
import io.reachability.libp2p.core.StreamResetException;
import io.reachability.libp2p.host.Host;
import io.reachability.libp2p.multiformats.UvarintFrameDecoder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One check: one {@value AutonatV2#DIAL_REQUEST_PROTOCOL} stream, from the request to the verdict.
 *
 * <pre>
 *   CONNECTING ──connected──▶ REQUESTED ──DialDataRequest (within the cap)──▶ PAYING
 *       │                      │  ▲                                            │
 *       │                      │  └──────────────── paid, next message ◀──────┘
 *       │                      ├─ E_DIAL_REFUSED for every address ──▶ DONE (UNKNOWN, refused)
 *       │                      ├─ E_REQUEST_REJECTED / E_INTERNAL_ERROR ─▶ DONE (classified)
 *       │                      └─ OK + dial status ──▶ ANSWERED ──nonce arrived / grace over──▶ DONE
 *       └─ any state: timeout, reset, close, malformed message, cancel ──▶ DONE (UNKNOWN + why)
 * </pre>
 *
 * <p>A dial status OK (or E_DIAL_BACK_ERROR) waits up to {@link
 * AutonatClientSettings#nonceGracePeriod()} for the nonce, which may arrive just after the
 * response; {@link Classification} then turns the response and the dial-back into the verdict. The
 * states are not an enum: they are the fields below ({@code stream}, {@code owed}, {@code
 * response}, {@code done}), which is what the messages are checked against.
 *
 * <p>Stream events arrive on the stream's event loop, the dial-back on another connection's, timers
 * on the timer thread: all state is guarded by {@code this}, and nothing outside this class runs
 * while the lock is held.
 */
final class DialRequestExchange {

  private static final Logger log = LoggerFactory.getLogger(DialRequestExchange.class);

  /**
   * Why a server's dial failure counts for nothing: while the check ran the node itself turned
   * inbound connections away for lack of room, maybe the dial-back among them.
   */
  static final String TURNED_AWAY_DURING_CHECK =
      "the server could not connect, but the node was turning inbound connections away meanwhile"
          + " (out of connection slots): the failure may be the node's own, not the address's";

  private final Host host;
  private final AutonatClientSettings settings;
  private final ScheduledExecutorService timers;
  private final Clock clock;
  private final byte[] fullChunkMessage;
  private final Consumer<DialRequestExchange> ended;

  final PeerId serverId;
  final Multiaddr serverAddress;
  final List<Multiaddr> addresses;
  final CheckOptions options;
  final long nonce;
  final Instant startedAt;

  /**
   * Monotonic start, compared with {@code Connection.openedAtNanos()} of the dial-back's
   * connection.
   */
  final long startNanos = System.nanoTime();

  /** The host's count of inbound connections turned away, when the check began. */
  final long turnedAwayAtStart;

  final CompletableFuture<CheckResult> result = new CompletableFuture<>();

  // guarded by this
  private boolean done;
  private @Nullable Stream stream;
  private boolean streamEnded;
  private @Nullable Multiaddr dialBackLocal;
  private long paid;
  private long owed;
  private int refusals;
  private @Nullable String discarded;
  private @Nullable Understood response;
  private @Nullable ScheduledFuture<?> timeout;
  private @Nullable ScheduledFuture<?> grace;

  /**
   * The remote address of the connection the check runs on: a reused one may not be {@code
   * serverAddress}.
   */
  private @Nullable Multiaddr reachedAt;

  /** The IP the server was reached at; null until connected. Read by the dial-back reserve. */
  volatile @Nullable InetAddress serverIp;

  /**
   * @param fullChunkMessage a serialised full-size dial-data message, shared by all checks
   * @param ended told once the check has ended, whichever way
   */
  DialRequestExchange(
      Host host,
      AutonatClientSettings settings,
      ScheduledExecutorService timers,
      Clock clock,
      byte[] fullChunkMessage,
      Consumer<DialRequestExchange> ended,
      PeerId serverId,
      Multiaddr serverAddress,
      List<Multiaddr> addresses,
      CheckOptions options,
      long nonce) {
    this.host = host;
    this.settings = settings;
    this.timers = timers;
    this.clock = clock;
    this.fullChunkMessage = fullChunkMessage;
    this.ended = ended;
    this.serverId = serverId;
    this.serverAddress = serverAddress;
    this.addresses = addresses;
    this.options = options;
    this.nonce = nonce;
    this.startedAt = clock.instant();
    this.turnedAwayAtStart = host.inboundTurnedAway();
  }

  void start() {
    // completed from outside (the caller cancelled, the client closed): stop everything
    result.whenComplete(
        (value, error) -> {
          if (error != null) {
            synchronized (this) {
              done = true;
              cancelTimers();
            }
            endStream(StreamEnd.RESET);
          }
          ended.accept(this);
        });
    try {
      synchronized (this) {
        timeout =
            timers.schedule(this::onTimeout, options.timeout().toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (RuntimeException e) { // the client closed meanwhile
      result.completeExceptionally(new IllegalStateException("AutoNAT client closed", e));
      return;
    }
    host.dialOutbound(serverAddress)
        .whenComplete(
            (connection, error) -> {
              if (error != null) {
                finish(
                    unknown("cannot connect to the server: " + Errors.describe(error)),
                    StreamEnd.RESET);
                return;
              }
              if (result.isDone()) {
                return; // timed out or cancelled while connecting
              }
              synchronized (this) {
                reachedAt = connection.remoteAddress().withPeerId(serverId);
              }
              serverIp =
                  connection
                      .remoteAddress()
                      .toIpSocketAddress()
                      .map(InetSocketAddress::getAddress)
                      .orElse(null);
              connection
                  .newStream(List.of(AutonatV2.DIAL_REQUEST_PROTOCOL), this::initStream)
                  .whenComplete(
                      (stream, streamError) -> {
                        if (streamError != null) {
                          finish(
                              unknown(
                                  "cannot open a "
                                      + AutonatV2.DIAL_REQUEST_PROTOCOL
                                      + " stream: "
                                      + Errors.describe(streamError)),
                              StreamEnd.RESET);
                        }
                      });
            });
  }

  /** On the stream's event loop, once the protocol is agreed and before any byte arrives. */
  void initStream(Stream opened) {
    boolean live;
    synchronized (this) {
      live = !done;
      if (live) {
        stream = opened;
      }
    }
    if (!live) {
      opened.reset(); // the check already ended (timeout, cancel)
      return;
    }
    opened
        .channel()
        .pipeline()
        .addLast(new UvarintFrameDecoder(AutonatV2.MAX_MESSAGE_SIZE))
        .addLast(new ResponseReader(this));
    opened
        .channel()
        .writeAndFlush(
            AutonatMessages.frame(
                opened.channel().alloc(), AutonatMessages.dialRequest(addresses, nonce)))
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                finish(
                    unknown("cannot send the request: " + Errors.describe(f.cause())),
                    StreamEnd.RESET);
              }
            });
  }

  /** The dial-back handler found our nonce; false when it was delivered before. */
  boolean acceptDialBack(Multiaddr local) {
    synchronized (this) {
      if (dialBackLocal != null || done) {
        return false;
      }
      dialBackLocal = local;
      if (response == null) {
        return true; // the normal order: the response follows the dial-back
      }
    }
    concludeIfAnswered();
    return true;
  }

  // ---- request stream events (stream event loop) ----

  void onMessage(ChannelHandlerContext ctx, AutonatV2Protos.Message message) {
    synchronized (this) {
      if (done || response != null) {
        return; // the verdict is in; js servers may keep talking
      }
    }
    switch (message.getMsgCase()) {
      case DIALDATAREQUEST -> onDialDataRequest(ctx, message.getDialDataRequest());
      case DIALRESPONSE -> onDialResponse(message.getDialResponse());
      case MSG_NOT_SET -> protocolError("server sent an empty message");
      default ->
          protocolError("server sent an unexpected " + message.getMsgCase().name() + " message");
    }
  }

  private void onDialDataRequest(
      ChannelHandlerContext ctx, AutonatV2Protos.DialDataRequest request) {
    long index = Integer.toUnsignedLong(request.getAddrIdx());
    long numBytes = request.getNumBytes(); // uint64: compared unsigned
    String refusal = null;
    synchronized (this) {
      long allowance = options.maxDialDataBytes() - paid;
      if (owed > 0) {
        refusal = "server asked for more dial data before the last request was paid";
      } else if (index >= addresses.size()) {
        refusal =
            "server asked for dial data for address index "
                + index
                + ", but only "
                + addresses.size()
                + " addresses were sent";
      } else if (Long.compareUnsigned(numBytes, allowance) > 0) {
        refusal =
            "server asked for "
                + Long.toUnsignedString(numBytes)
                + " bytes of dial data, over the cap of "
                + options.maxDialDataBytes()
                + (paid > 0 ? " (" + paid + " already paid)" : "");
      } else {
        owed = numBytes;
      }
    }
    if (refusal != null) {
      protocolError(refusal); // the spec's way to decline the cost: reset the stream
      return;
    }
    sendDialData(ctx);
  }

  /** Writes owed dial data while the stream is writable; resumes on writability changes. */
  void sendDialData(ChannelHandlerContext ctx) {
    boolean wrote = false;
    while (ctx.channel().isWritable()) {
      int chunk;
      synchronized (this) {
        if (done || owed == 0) {
          break;
        }
        chunk = (int) Math.min(owed, settings.dialDataChunkBytes());
        owed -= chunk;
        paid += chunk;
      }
      byte[] message =
          chunk == settings.dialDataChunkBytes()
              ? fullChunkMessage
              : AutonatMessages.dialDataMessage(chunk);
      ctx.write(AutonatMessages.frame(ctx.alloc(), message));
      wrote = true;
    }
    if (wrote) {
      ctx.flush();
    }
  }

  private void onDialResponse(AutonatV2Protos.DialResponse message) {
    Optional<ResponseStatus> status = ResponseStatus.fromCode(message.getStatusValue());
    Optional<DialStatus> dialStatus = DialStatus.fromCode(message.getDialStatusValue());
    long index = Integer.toUnsignedLong(message.getAddrIdx());
    if (status.isEmpty()) {
      discard(
          "server sent a response with unknown status code "
              + message.getStatusValue()
              + " (discarded)");
      return;
    }
    switch (status.get()) {
      case E_DIAL_REFUSED -> {
        boolean allRefused;
        synchronized (this) {
          refusals++;
          owed = 0;
          allRefused = refusals >= addresses.size();
        }
        // js-libp2p answers every address: a refusal of one may be followed by an answer for
        // another
        if (allRefused) {
          finish(refused(), StreamEnd.CLOSE);
        }
        return;
      }
      case OK -> {
        if (dialStatus.isEmpty()) {
          discard(
              "server sent a response with unknown dial status code "
                  + message.getDialStatusValue()
                  + " (discarded)");
          return;
        }
      }
      default -> {
        // rejected, internal error: final, the dial status means nothing
        finish(
            classified(
                Classification.classify(status.get(), DialStatus.UNUSED, index, addresses, null),
                status.get(),
                null),
            StreamEnd.CLOSE);
        return;
      }
    }
    boolean waitForNonce;
    synchronized (this) {
      if (done) {
        return;
      }
      response = new Understood(dialStatus.get(), index);
      owed = 0;
      waitForNonce =
          dialBackLocal == null
              && index < addresses.size()
              && (dialStatus.get() == DialStatus.OK
                  || dialStatus.get() == DialStatus.E_DIAL_BACK_ERROR)
              && !settings.nonceGracePeriod().isZero();
      if (waitForNonce) {
        try {
          grace =
              timers.schedule(
                  this::concludeIfAnswered,
                  settings.nonceGracePeriod().toMillis(),
                  TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
          waitForNonce = false; // closing: conclude with what we have
        }
      }
    }
    // the exchange itself is over: FIN now, even while a late nonce may still come
    endStream(StreamEnd.CLOSE);
    if (!waitForNonce) {
      concludeIfAnswered();
    }
  }

  private void discard(String reason) {
    synchronized (this) {
      discarded = reason;
    }
  }

  /** FIN, reset or plain close of the stream before any final response. */
  void onStreamEnded(String reason) {
    CheckResult outcome;
    synchronized (this) {
      if (done || response != null) {
        return;
      }
      outcome = refusals > 0 ? refused() : unknown(discarded != null ? discarded : reason);
    }
    finish(outcome, StreamEnd.CLOSE); // the server is done with it; nothing to abort
  }

  void protocolError(String reason) {
    finish(unknown(reason), StreamEnd.RESET);
  }

  // ---- endings ----

  private void onTimeout() {
    CheckResult outcome;
    synchronized (this) {
      if (done) {
        return;
      }
      if (response != null) {
        outcome = null;
      } else if (refusals > 0) {
        outcome = refused();
      } else {
        String waiting =
            stream == null
                ? " connecting to the server"
                : owed > 0 ? " sending dial data" : " waiting for a response";
        outcome = unknown("timed out after " + human(options.timeout()) + waiting);
      }
    }
    if (outcome == null) {
      concludeIfAnswered();
    } else {
      finish(outcome, StreamEnd.RESET);
    }
  }

  /** Turns the understood OK response and what the dial-back handler saw into the verdict. */
  private void concludeIfAnswered() {
    CheckResult outcome;
    synchronized (this) {
      if (done || response == null) {
        return;
      }
      outcome =
          classified(
              Classification.classify(
                  ResponseStatus.OK,
                  response.dialStatus(),
                  response.index(),
                  addresses,
                  dialBackLocal),
              ResponseStatus.OK,
              null);
    }
    finish(outcome, StreamEnd.CLOSE);
  }

  private void finish(CheckResult outcome, StreamEnd end) {
    synchronized (this) {
      if (done) {
        return;
      }
      done = true;
      cancelTimers();
    }
    endStream(end);
    ended.accept(this);
    log.debug(
        "check of {} by {}: {} ({})",
        addresses,
        serverId,
        outcome.reachability(),
        outcome.reason());
    // callers' non-async callbacks must never run on an event loop or the timer thread
    result.completeAsync(() -> outcome, ForkJoinPool.commonPool());
  }

  private void endStream(StreamEnd end) {
    Stream s;
    synchronized (this) {
      if (stream == null || streamEnded) {
        return;
      }
      streamEnded = true;
      s = stream;
    }
    if (end == StreamEnd.RESET) {
      s.reset();
    } else {
      s.channel().close();
    }
  }

  private void cancelTimers() {
    if (timeout != null) {
      timeout.cancel(false);
    }
    if (grace != null) {
      grace.cancel(false);
    }
  }

  // ---- results (call with the lock held or with immutable inputs) ----

  private CheckResult refused() {
    return result(
        null,
        null,
        ResponseStatus.E_DIAL_REFUSED,
        null,
        Reachability.UNKNOWN,
        "server refused to dial any address");
  }

  private CheckResult unknown(String reason) {
    return result(null, null, null, null, Reachability.UNKNOWN, reason);
  }

  private CheckResult classified(
      Classification c, ResponseStatus status, @Nullable DialStatus dialStatus) {
    if (c.reachability() == Reachability.UNREACHABLE
        && host.inboundTurnedAway() > turnedAwayAtStart) {
      // the server could not connect while we were turning connections away: its failure may be
      // our own doing (a flood filling our slots), not the address's
      return result(
          c.testedIndex(),
          c.testedAddress(),
          status,
          dialStatus != null ? dialStatus : c.dialStatus(),
          Reachability.UNKNOWN,
          TURNED_AWAY_DURING_CHECK);
    }
    return result(
        c.testedIndex(),
        c.testedAddress(),
        status,
        dialStatus != null ? dialStatus : status == ResponseStatus.OK ? c.dialStatus() : null,
        c.reachability(),
        c.reason());
  }

  private synchronized CheckResult result(
      @Nullable Integer index,
      @Nullable Multiaddr tested,
      @Nullable ResponseStatus status,
      @Nullable DialStatus dialStatus,
      Reachability reachability,
      String reason) {
    return new CheckResult(
        serverId,
        reachedAt != null ? reachedAt : serverAddress,
        index,
        tested,
        status,
        dialStatus,
        reachability,
        reason,
        dialBackLocal != null,
        dialBackLocal,
        paid,
        Duration.between(startedAt, clock.instant()));
  }

  /** How a check leaves its stream. */
  private enum StreamEnd {
    /** FIN: the exchange ended as the protocol says. */
    CLOSE,
    /** RST: protocol error, timeout or abort. */
    RESET
  }

  /** An OK response with a dial status we understand. */
  private record Understood(DialStatus dialStatus, long index) {}

  /**
   * The request stream's handler: frames in, events to the exchange; never lets anything escape.
   */
  private static final class ResponseReader extends SimpleChannelInboundHandler<ByteBuf> {
    private final DialRequestExchange exchange;

    ResponseReader(DialRequestExchange exchange) {
      this.exchange = exchange;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
      AutonatV2Protos.Message message;
      try {
        message = AutonatMessages.parseMessage(frame);
      } catch (Libp2pException e) {
        exchange.protocolError("malformed message from the server: " + e.getMessage());
        return;
      }
      exchange.onMessage(ctx, message);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable()) {
        exchange.sendDialData(ctx);
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        exchange.onStreamEnded("server closed the stream without a response");
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      exchange.onStreamEnded("the stream closed without a response");
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (cause instanceof StreamResetException) {
        exchange.onStreamEnded("server reset the stream");
      } else if (cause instanceof DecoderException) {
        exchange.protocolError("bad frame from the server: " + cause.getMessage());
      } else {
        exchange.protocolError("stream failed: " + cause);
      }
    }
  }

  /** "15 s" or "500 ms". */
  static String human(Duration duration) {
    long millis = duration.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
  }
}
